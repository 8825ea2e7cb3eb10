from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("党员管理")

    def ready(self) -> None:
        from orgs import dependents
        from orgs.audit import register_models

        from .selectors import live_member_count, roster_names
        from .services import members_merge_into

        register_models(self, exclude_fields={"Member": ["id_number", "phone", "id_number_index", "phone_index"]})
        # An organization is not dissolved while it holds members; a merge takes them along.
        dependents.register(
            "members",
            dependents.Dependent(
                label=_("党员"),
                live_count=lambda organization: live_member_count(organization=organization),
                move=lambda source, target: members_merge_into(source=source, target=target),
                roster=lambda organization: roster_names(organization=organization),
            ),
        )
