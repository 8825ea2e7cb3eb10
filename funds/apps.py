from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("党建公积金")

    def ready(self) -> None:
        from orgs.audit import register_models

        register_models(self, exclude_fields={"FundAccount": ["balance", "last_seq", "last_hash"]})
