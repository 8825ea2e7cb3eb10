from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("党建阵地")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self)
