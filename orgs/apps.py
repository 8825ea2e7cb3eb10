from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("组织与企业")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models and login signals with the audit trail)
