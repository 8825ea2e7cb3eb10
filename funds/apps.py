from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("党建公积金")

    def ready(self) -> None:
        from orgs import dependents
        from orgs.audit import register_models

        from .ledger import account_close_on_merge

        register_models(self, exclude_fields={"FundAccount": ["balance", "last_seq", "last_hash"]})
        # A merge closes the merged organization's empty account, and is refused while money or
        # applications are still in it.
        dependents.register(
            "funds",
            dependents.Dependent(
                label=_("公积金账户"),
                move=lambda source, target: account_close_on_merge(source=source, target=target),
            ),
        )
