from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("党建需求库")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self)
