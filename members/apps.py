from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("党员管理")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self, exclude_fields={"Member": ["id_number", "phone", "id_number_index", "phone_index"]})
