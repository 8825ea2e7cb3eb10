from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = _("党费")

    def ready(self) -> None:
        from orgs.audit import register_models

        # The declared income is encrypted at rest; the audit trail's diff would hold it in clear.
        register_models(self, exclude_fields={"DuesBasis": ["monthly_income"]})
