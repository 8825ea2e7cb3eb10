from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("组织生活")

    def ready(self) -> None:
        from orgs import dependents
        from orgs.audit import register_models

        from .services import activities_merge_into

        register_models(self)
        # A merge takes the organization's activity records along.
        dependents.register(
            "activities",
            dependents.Dependent(
                label=_("组织生活记录"),
                move=lambda source, target: activities_merge_into(source=source, target=target),
            ),
        )
