"""党建公积金: accounts and an append-only, double-entry, hash-chained journal.

Every movement is a FundTransaction whose FundEntry legs sum to zero. A
balance is the sum of an account's entries; `FundAccount.balance` keeps that
sum for speed, is updated in the same database transaction as the entries,
and `verify_ledger` checks the two agree. On PostgreSQL, triggers refuse any
UPDATE or DELETE on the journal: a mistake is corrected by a reversal.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import ZERO, MoneyField
from orgs.models import PartyOrganization


class FundAccount(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("党组织账户")
        POOL = "pool", _("区财政补助资金池")
        EXTERNAL_SOURCE = "external_source", _("外部来源")
        EXTERNAL_SINK = "external_sink", _("外部支出")

    EXTERNAL_KINDS = (Kind.EXTERNAL_SOURCE, Kind.EXTERNAL_SINK)

    kind = models.CharField(_("账户类别"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("账户名称"), max_length=200)
    organization = models.OneToOneField(
        PartyOrganization,
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_account",
    )
    balance = MoneyField(_("余额"), default=ZERO, editable=False)
    last_seq = models.PositiveIntegerField(_("最后分录序号"), default=0, editable=False)
    last_hash = models.CharField(_("最后分录哈希"), max_length=64, blank=True, editable=False)
    opened_on = models.DateField(_("开户日期"))
    closed_on = models.DateField(_("销户日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("公积金账户")
        verbose_name_plural = _("公积金账户")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["external_source", "external_sink"]) | Q(balance__gte=0),
                name="fund_internal_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="organization") | Q(organization__isnull=False),
                name="fund_org_account_has_org",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="pool"), name="fund_one_pool"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_external(self) -> bool:
        return self.kind in self.EXTERNAL_KINDS


class TransactionKind(models.TextChoices):
    ENTERPRISE_DEPOSIT = "enterprise_deposit", _("企业预存")
    FISCAL_SUBSIDY = "fiscal_subsidy", _("财政补助")
    DUES_REBATE = "dues_rebate", _("党费返还")
    JOINT_FUNDING = "joint_funding", _("群团联筹")
    SPONSORSHIP = "sponsorship", _("自愿赞助")
    REWARD = "reward", _("奖励/补助划拨")
    DISBURSEMENT = "disbursement", _("提取拨付")
    RETURN = "return", _("结余退回")
    REVERSAL = "reversal", _("冲正")


INCOME_KINDS = (
    TransactionKind.ENTERPRISE_DEPOSIT,
    TransactionKind.FISCAL_SUBSIDY,
    TransactionKind.DUES_REBATE,
    TransactionKind.JOINT_FUNDING,
    TransactionKind.SPONSORSHIP,
)


@pgtrigger.register(
    pgtrigger.Protect(name="fund_transaction_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class FundTransaction(models.Model):
    kind = models.CharField(_("业务类型"), max_length=24, choices=TransactionKind.choices)
    occurred_on = models.DateField(_("业务日期"))
    memo = models.CharField(_("摘要"), max_length=255)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正原交易"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公积金交易")
        verbose_name_plural = _("公积金交易")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.memo}"


@pgtrigger.register(
    pgtrigger.Protect(name="fund_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class FundEntry(models.Model):
    """One leg of a transaction. Positive adds to the account, negative takes away."""

    transaction = models.ForeignKey(
        FundTransaction, verbose_name=_("交易"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(FundAccount, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    amount = MoneyField(_("金额"))
    seq = models.PositiveIntegerField(_("账户内序号"))
    balance_after = MoneyField(_("记账后余额"))
    prev_hash = models.CharField(_("前一分录哈希"), max_length=64, blank=True)
    hash = models.CharField(_("分录哈希"), max_length=64)
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公积金分录")
        verbose_name_plural = _("公积金分录")
        ordering = ["account", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="fund_entry_seq_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="fund_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account} #{self.seq} {self.amount}"
