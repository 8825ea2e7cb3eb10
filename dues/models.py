"""党费 (DESIGN.md §9): each member's basis (declared after-tax monthly
income, encrypted; category; the month dues start), the brackets as data
with validity dates, monthly payments, approved exemptions and reductions,
the district's rebate ratio and the quarterly rebates (党费返还) posted into
the organization's 公积金 account through the ledger.

A month ("period") is stored as the first day of that month."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.money import MoneyField
from funds.models import FundTransaction
from members.models import Member
from orgs.models import PartyOrganization, Region


class Category(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    RETIRED = "retired", _("离退休")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("失业")
    SUBSISTENCE = "subsistence", _("领取低保")


# Categories that pay a flat amount whatever the income.
FLAT_CATEGORIES = (Category.STUDENT, Category.UNEMPLOYED, Category.SUBSISTENCE)


class Bracket(models.Model):
    """One line of the table: for `category`, a monthly income above
    `income_above` (None: from zero) and at most `income_up_to` (None: no
    upper bound) pays `rate` of the whole income, or `flat_amount`. Lines
    are in force from `valid_from` to `valid_to` (inclusive; None: open)."""

    category = models.CharField(_("党员类别"), max_length=16, choices=Category.choices)
    income_above = MoneyField(_("月收入高于（元）"), null=True, blank=True)
    income_up_to = MoneyField(_("月收入至（元，含）"), null=True, blank=True)
    rate = models.DecimalField(_("比例"), max_digits=6, decimal_places=4, null=True, blank=True)
    flat_amount = MoneyField(_("固定金额（元）"), null=True, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    label = models.CharField(_("档次"), max_length=60)

    class Meta:
        verbose_name = _("党费档次")
        verbose_name_plural = _("党费档次")
        ordering = ["category", "valid_from", "income_above"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rate__isnull=False) & Q(flat_amount__isnull=True))
                | (Q(rate__isnull=True) & Q(flat_amount__isnull=False)),
                name="dues_bracket_rate_or_flat",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="dues_bracket_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.label}"


class DuesBasis(models.Model):
    member = models.OneToOneField(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_basis")
    category = models.CharField(_("党员类别"), max_length=16, choices=Category.choices, default=Category.EMPLOYED)
    # Decimal text ("6500.00"), encrypted at rest; empty for the flat categories.
    monthly_income = EncryptedTextField(_("税后月收入（元）"), blank=True)
    due_from = models.DateField(_("起缴月份"))
    arrears_reason = models.CharField(_("欠缴说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")

    def __str__(self) -> str:
        return str(self.member)

    @property
    def income(self) -> Decimal | None:
        return Decimal(self.monthly_income) if self.monthly_income else None


class Relief(models.Model):
    """An approved exemption (免交) or reduction (减交) for a span of months."""

    class Kind(models.TextChoices):
        EXEMPT = "exempt", _("免交")
        REDUCED = "reduced", _("减交")

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_reliefs")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    monthly_amount = MoneyField(_("减交后每月金额（元）"), null=True, blank=True)
    first_period = models.DateField(_("起始月份"))
    last_period = models.DateField(_("截止月份"))
    reason = models.CharField(_("理由"), max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("批准日期"))

    class Meta:
        verbose_name = _("党费减免")
        verbose_name_plural = _("党费减免")
        ordering = ["-first_period", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_period__gte=models.F("first_period")), name="dues_relief_periods_in_order"
            ),
            models.CheckConstraint(
                condition=(Q(kind="exempt") & Q(monthly_amount__isnull=True))
                | (Q(kind="reduced") & Q(monthly_amount__gt=0)),
                name="dues_relief_amount_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"


class Payment(models.Model):
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dues_payments")
    # The organization the member belonged to when paying: the rebate goes there.
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("收缴党组织"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("所属月份"))
    amount = MoneyField(_("金额（元）"))
    paid_on = models.DateField(_("缴纳日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费缴纳记录")
        verbose_name_plural = _("党费缴纳记录")
        ordering = ["-period", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="dues_one_payment_per_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive"),
        ]
        indexes = [models.Index(fields=["organization", "period"])]

    def __str__(self) -> str:
        return f"{self.member} {self.period:%Y-%m}"


class RebateRatio(models.Model):
    """The share of dues paid in a district's non-public enterprises that
    flows back to the paying organization (default 100% where none is set)."""

    district = models.OneToOneField(Region, verbose_name=_("区"), on_delete=models.PROTECT, related_name="+")
    ratio = models.DecimalField(_("返还比例"), max_digits=5, decimal_places=4, help_text=_("如 1 即全额返还"))

    class Meta:
        verbose_name = _("党费返还比例")
        verbose_name_plural = _("党费返还比例")
        constraints = [
            models.CheckConstraint(condition=Q(ratio__gte=0) & Q(ratio__lte=1), name="dues_rebate_ratio_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.ratio}"


class Rebate(models.Model):
    """One posting of 党费返还 for an organization and quarter. `seq` 0 is
    the quarter's first run; a payment for the quarter recorded after it
    goes into a later run as a top-up (seq 1, 2, ...). The unique key is
    what makes a run idempotent."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    quarter = models.CharField(_("季度"), max_length=6)
    seq = models.PositiveSmallIntegerField(_("批次"), default=0)
    dues_total = MoneyField(_("本季度已缴党费（元）"))
    ratio = models.DecimalField(_("返还比例"), max_digits=5, decimal_places=4)
    amount = MoneyField(_("本次返还金额（元）"))
    transaction = models.OneToOneField(
        FundTransaction, verbose_name=_("记账交易"), on_delete=models.PROTECT, related_name="dues_rebate"
    )
    posted_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费返还")
        verbose_name_plural = _("党费返还")
        ordering = ["-quarter", "organization", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "quarter", "seq"], name="dues_rebate_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.quarter}"
