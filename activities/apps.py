from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("组织生活")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self)
