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

from core.files import random_file_name
from core.i18n import say
from core.models import WorkflowStep
from core.money import ZERO, MoneyField
from orgs.models import PartyOrganization, Region


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
    # A pool belongs to a district. A pool with no district (left over from an
    # installation that had several districts before pools were per district)
    # takes no money in or out until it is assigned.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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
            models.UniqueConstraint(fields=["region"], condition=Q(kind="pool"), name="fund_one_pool_per_region"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="pool", region__isnull=True), name="fund_one_unassigned_pool"
            ),
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


class StarRule(models.Model):
    """The match rate and yearly subsidy cap for one star level, from a date on.

    Rows are never edited: a change is a new row with a later
    `effective_from`, so an approval made last year still reads the values
    that were in force on its date."""

    stars = models.PositiveSmallIntegerField(_("星级"))
    effective_from = models.DateField(_("生效日期"))
    match_rate = models.DecimalField(
        _("奖励配比"), max_digits=5, decimal_places=4, help_text=_("当年预存额乘以此比例为奖励上限，如 0.5 即 50%")
    )
    subsidy_cap = MoneyField(_("年度补助上限（元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # Whose rule: a district's own, a city's default, or (null) the installation's default.
    region = models.ForeignKey(
        Region, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("星级奖补标准")
        verbose_name_plural = _("星级奖补标准")
        ordering = ["-effective_from", "stars"]
        constraints = [
            models.UniqueConstraint(
                fields=["stars", "effective_from"], condition=Q(region__isnull=True), name="fund_star_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["stars", "effective_from", "region"],
                condition=Q(region__isnull=False),
                name="fund_star_rule_region_unique",
            ),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="fund_star_rule_stars_1_to_5"),
            models.CheckConstraint(
                condition=Q(match_rate__gte=0) & Q(match_rate__lte=10), name="fund_star_rule_rate_range"
            ),
            models.CheckConstraint(condition=Q(subsidy_cap__gte=0), name="fund_star_rule_cap_not_negative"),
        ]

    def __str__(self) -> str:
        return f"★{self.stars} {self.effective_from}"


class Application(models.Model):
    """提取申请 / 项目书: a secretary's request to draw money for one activity."""

    class Status(models.TextChoices):
        STREET_REVIEW = "street_review", _("待街道审批")
        DISTRICT_REVIEW = "district_review", _("待区审批")
        PUBLICITY = "publicity", _("公示中")
        DISBURSED = "disbursed", _("已拨付待报账")
        SETTLEMENT_REVIEW = "settlement_review", _("报账待街道审核")
        SETTLED = "settled", _("已报账")
        RETURNED = "returned", _("已退回")
        WITHDRAWN = "withdrawn", _("已撤回")

    # States in which someone other than the applicant has to act.
    WAITING = (Status.STREET_REVIEW, Status.DISTRICT_REVIEW, Status.PUBLICITY, Status.SETTLEMENT_REVIEW)

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="fund_applications"
    )
    account = models.ForeignKey(
        FundAccount, verbose_name=_("公积金账户"), on_delete=models.PROTECT, related_name="applications"
    )
    activity = models.CharField(_("活动名称"), max_length=200)
    activity_date = models.DateField(_("活动日期"))
    participants = models.PositiveIntegerField(_("参加人数"))
    description = models.TextField(_("活动内容"), blank=True)
    amount = MoneyField(_("申请金额"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.STREET_REVIEW)
    waiting_since = models.DateTimeField(_("进入当前环节时间"))
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示截止"), null=True, blank=True)
    # What the district approval fixed: the star and the rule values in force on its date.
    approved_on = models.DateField(_("区级审批日期"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("审批时星级"), null=True, blank=True)
    match_rate = models.DecimalField(_("审批时奖励配比"), max_digits=5, decimal_places=4, null=True, blank=True)
    subsidy_cap = MoneyField(_("审批时补助上限"), null=True, blank=True)
    own_amount = MoneyField(_("本金支付"), default=ZERO)
    pool_amount = MoneyField(_("资金池奖补"), default=ZERO)
    pool_returned = MoneyField(_("奖补退回资金池"), default=ZERO)
    spent_amount = MoneyField(_("实际支出"), null=True, blank=True)
    settlement_note = models.TextField(_("报账说明"), blank=True)
    disbursement = models.OneToOneField(
        FundTransaction, verbose_name=_("拨付交易"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reward_transaction = models.OneToOneField(
        FundTransaction,
        verbose_name=_("奖补划拨交易"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_transaction = models.OneToOneField(
        FundTransaction,
        verbose_name=_("结余退回交易"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公积金提取申请")
        verbose_name_plural = _("公积金提取申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_application_amount_positive"),
            models.CheckConstraint(
                condition=Q(publicity_days__gte=1) & Q(publicity_days__lte=30), name="fund_application_publicity_days"
            ),
            models.CheckConstraint(
                condition=Q(spent_amount__isnull=True)
                | (Q(spent_amount__gte=0) & Q(spent_amount__lte=models.F("amount"))),
                name="fund_application_spent_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "waiting_since"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.activity}"


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    item = models.CharField(_("支出项目"), max_length=100)
    amount = MoneyField(_("金额"))
    note = models.CharField(_("测算说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fund_budget_line_positive")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class ApplicationStep(WorkflowStep):
    """The application's history: one row per transition, with who and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        RESUBMIT = "resubmit", _("修改后重新提交")
        STREET_APPROVE = "street_approve", _("街道审批通过")
        DISTRICT_APPROVE = "district_approve", _("区级审批通过，进入公示")
        RETURN = "return", _("退回")
        OBJECT = "object", _("公示异议")
        RESOLVE = "resolve", _("异议处理")
        DISBURSE = "disburse", _("拨付")
        SETTLE_SUBMIT = "settle_submit", _("提交报账")
        SETTLE_RETURN = "settle_return", _("报账退回")
        # The street's approval: only then is the settlement final and the unspent money back.
        SETTLE = "settle", _("报账审核通过")
        WITHDRAW = "withdraw", _("撤回")

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Application.Status.choices)
    # The step's words are the reviewer's opinion or reason, stored as `reason`.
    reason = models.TextField(_("意见/理由"), blank=True)
    note = None

    class Meta(WorkflowStep.Meta):
        verbose_name = _("申请流转记录")
        verbose_name_plural = _("申请流转记录")

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_action_display()}"


class Objection(models.Model):
    """An objection raised during 公示; disbursement waits until it is resolved."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="objections"
    )
    text = models.TextField(_("异议内容"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["at"]

    def __str__(self) -> str:
        return self.text[:40]


def receipt_path(instance: "Receipt", filename: str) -> str:
    # A random name: an invoice's path must not be guessable from its title.
    name = random_file_name(filename, extensions={"pdf", "ofd", "jpg", "png"})
    return f"funds/receipts/{instance.application_id}/{name}"


class Receipt(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="receipts"
    )
    file = models.FileField(_("票据文件"), upload_to=receipt_path)
    description = models.CharField(_("票据说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报账票据")
        verbose_name_plural = _("报账票据")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.description or self.file.name


class Settlement(models.Model):
    """报账: one submission of what an activity really cost, line by line with
    a receipt each. The street reviews it; only its approval makes the
    settlement final and moves money in the journal. A returned one stays
    as a record, and the secretary submits a new one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待街道审核")
        APPROVED = "approved", _("审核通过")
        RETURNED = "returned", _("已退回")

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="settlements"
    )
    settled_on = models.DateField(_("报账日期"))
    spent = MoneyField(_("实际支出合计"))
    note = models.TextField(_("报账说明"), blank=True)
    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    opinion = models.TextField(_("审核意见/退回理由"), blank=True)

    class Meta:
        verbose_name = _("报账")
        verbose_name_plural = _("报账")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(spent__gte=0), name="fund_settlement_spent_not_negative"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="pending"), name="fund_settlement_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.settled_on} {self.spent}"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, verbose_name=_("报账"), on_delete=models.CASCADE, related_name="lines")
    item = models.CharField(_("支出项目"), max_length=100)
    amount = MoneyField(_("实际金额"))
    receipt = models.ForeignKey(
        Receipt, verbose_name=_("票据"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("报账明细")
        verbose_name_plural = _("报账明细")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fund_settlement_line_positive")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class Notification(models.Model):
    """What shows on a person's home page: an application needing them, or news about theirs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="fund_notifications"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(_("内容"), max_length=255)
    # The same message as what it means (core.i18n), shown in the reader's language.
    said = models.JSONField(_("内容（按语言显示）"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公积金通知")
        verbose_name_plural = _("公积金通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the reader's language."""
        return say(self.said) if self.said else self.message
