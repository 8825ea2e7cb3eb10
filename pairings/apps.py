from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingsConfig(AppConfig):
    name = "pairings"
    verbose_name = _("结对联系")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self)
