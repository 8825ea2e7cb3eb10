from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("党务工作者与培训")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self, exclude_fields={"PartyWorker": ["phone"]})
