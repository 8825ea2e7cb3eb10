"""Writes on 党费: a member's basis, payments (one, a whole month for a
branch, an .xlsx import), exemptions and reductions, and the quarterly
rebate into the 公积金. Every write checks the policy (orgs.policy.dues)
and refuses bad input in Chinese, naming the field (or the member), with
nothing written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.money import ZERO, parse_money
from funds.models import FundAccount, TransactionKind
from funds.services import account_open, income_receive, retry_on_conflict
from members.models import Member
from orgs import policy
from orgs.audit import audit_event
from orgs.models import PartyOrganization, Region, User
from orgs.policy import require_permission
from orgs.rulebook import district_of

from .models import FLAT_CATEGORIES, Category, DuesBasis, Payment, Rebate, RebateRatio, Relief
from .rules import (
    PAYING_STAGES,
    DuesBook,
    acceptance_date,
    format_period,
    month_start,
    quarter_months,
    round_to_fen,
)

DEFAULT_REBATE_RATIO = Decimal("1")


def _today() -> date:
    return timezone.localdate()


# --- the basis ----------------------------------------------------------------------------------


@transaction.atomic
def basis_declare(
    *,
    by: User,
    member: Member,
    category: str,
    monthly_income: object = None,
    due_from: date | None = None,
    arrears_reason: str = "",
) -> DuesBasis:
    """Declare (or change) a member's basis. The income is kept encrypted;
    the flat categories need none. Dues start no earlier than the month
    the branch accepted the member."""
    require_permission(policy.may_keep_dues(by, member.organization), _("您不能登记该党员的党费"))
    if category not in Category.values:
        raise ApplicationError({"category": _("党员类别：请选择在职、离退休、学生、失业或领取低保")})
    if member.stage not in PAYING_STAGES:
        raise ApplicationError({"category": _("党员类别：入党申请人、积极分子和发展对象不缴纳党费")})
    income: Decimal | None = None
    if monthly_income not in (None, ""):
        income = parse_money(monthly_income, field_label=_("税后月收入"))
        if income < ZERO:
            raise ApplicationError({"monthly_income": _("税后月收入：不能为负数")})
    elif category not in FLAT_CATEGORIES:
        raise ApplicationError({"monthly_income": _("税后月收入：请填写（在职、离退休党员按收入计算党费）")})
    accepted = acceptance_date(member)
    start = month_start(due_from or accepted or _today())
    if accepted and start < month_start(accepted):
        raise ApplicationError(
            {"due_from": _("起缴月份：不能早于接收为预备党员的月份（%(m)s）") % {"m": format_period(accepted)}}
        )
    if start > month_start(_today()):
        raise ApplicationError({"due_from": _("起缴月份：不能晚于本月")})
    # The bracket must exist for the category (and income) today.
    book = DuesBook()
    probe = DuesBasis(category=category, monthly_income=str(income) if income is not None else "", due_from=start)
    book.full_amount(probe, month_start(_today()))
    with set_actor(by):
        basis, _created = DuesBasis.objects.update_or_create(
            member=member,
            defaults={
                "category": category,
                "monthly_income": str(income) if income is not None and category not in FLAT_CATEGORIES else "",
                "due_from": start,
                "arrears_reason": (arrears_reason or "").strip()[:200],
                "updated_by": by,
            },
        )
    return basis


# --- payments -----------------------------------------------------------------------------------


def _basis_of(member: Member) -> DuesBasis | None:
    return DuesBasis.objects.filter(member=member).first()


def due_for(member: Member, period: date, *, book: DuesBook | None = None) -> Decimal | None:
    """What `member` owes for `period` (None: nothing)."""
    reliefs = list(Relief.objects.filter(member=member))
    return (book or DuesBook()).due(member, _basis_of(member), period, reliefs)


def _check_payment(
    *, member: Member, period: date, amount: Decimal, paid_on: date, book: DuesBook, who: str = ""
) -> None:
    """The refusals of one payment; `who` (the member's name) starts each message in a batch."""
    prefix = f"{who}：" if who else ""
    today = _today()
    if period > month_start(today):
        raise ApplicationError({"period": prefix + _("所属月份：不能登记未来月份的党费")})
    if paid_on > today:
        raise ApplicationError({"paid_on": prefix + _("缴纳日期：不能晚于今天")})
    if amount <= ZERO:
        raise ApplicationError({"amount": prefix + _("金额：必须大于零")})
    if Payment.objects.filter(member=member, period=period).exists():
        raise ApplicationError(
            {"period": prefix + _("所属月份：%(m)s 的党费已登记，不能重复缴纳") % {"m": format_period(period)}}
        )
    basis = _basis_of(member)
    if basis is None:
        raise ApplicationError({"member": prefix + _("尚未登记党费基数，请先登记税后月收入和党员类别")})
    reliefs = list(Relief.objects.filter(member=member))
    due = book.due(member, basis, period, reliefs)
    if due is None:
        raise ApplicationError(
            {
                "period": prefix
                + _("所属月份：%(m)s 无需缴纳党费（未到起缴月份、已离开或已批准免交）") % {"m": format_period(period)}
            }
        )
    if amount != due:
        raise ApplicationError(
            {
                "amount": prefix
                + _("金额：应缴 %(due)s 元，与填写的 %(amount)s 元不符；如需减交，请先经上级党组织批准")
                % {"due": due, "amount": amount}
            }
        )


@transaction.atomic
def payment_record(*, by: User, member: Member, period: date, amount: object, paid_on: date) -> Payment:
    """One member's dues for one month."""
    require_permission(policy.may_keep_dues(by, member.organization), _("您不能登记该党员的党费"))
    Member.objects.select_for_update().filter(pk=member.pk).first()
    value = parse_money(amount, field_label=_("金额"))
    _check_payment(member=member, period=period, amount=value, paid_on=paid_on, book=DuesBook())
    try:
        with transaction.atomic(), set_actor(by):
            payment = Payment.objects.create(
                member=member,
                organization=member.organization,
                period=period,
                amount=value,
                paid_on=paid_on,
                recorded_by=by,
            )
    except IntegrityError:
        raise ApplicationError({"period": _("所属月份：该月党费已登记，不能重复缴纳")}) from None
    return payment


@dataclass(frozen=True)
class MonthRow:
    member: Member
    amount: object


@dataclass(frozen=True)
class PaymentLine:
    """One payment of a batch; `label` names it in a refusal (the member, or "第 3 行（张三）")."""

    member: Member
    period: date
    amount: object
    paid_on: date
    label: str


@transaction.atomic
def payments_record_many(*, by: User, organization: PartyOrganization, lines: Sequence[PaymentLine]) -> list[Payment]:
    """Payments of one organization's members at once: every line is
    written, or none (the refusal names the first line that fails)."""
    require_permission(policy.may_keep_dues(by, organization), _("您不能登记该党组织的党费"))
    if not lines:
        raise ApplicationError({"rows": _("请至少勾选一名党员")})
    book = DuesBook()
    payments = []
    seen: set[tuple[int, date]] = set()
    for line in lines:
        member = line.member
        if member.organization_id != organization.pk:
            raise ApplicationError({"rows": _("%(who)s：不是本党组织的党员") % {"who": line.label}})
        if (member.pk, line.period) in seen:
            raise ApplicationError({"rows": _("%(who)s：同一月份重复填写") % {"who": line.label}})
        seen.add((member.pk, line.period))
        try:
            value = parse_money(line.amount, field_label=_("金额"))
            _check_payment(
                member=member, period=line.period, amount=value, paid_on=line.paid_on, book=book, who=line.label
            )
        except ApplicationError as exc:
            text = exc.messages[0]
            raise ApplicationError({"rows": text if text.startswith(line.label) else f"{line.label}：{text}"}) from None
        payments.append(
            Payment(
                member=member,
                organization=organization,
                period=line.period,
                amount=value,
                paid_on=line.paid_on,
                recorded_by=by,
            )
        )
    try:
        with transaction.atomic(), set_actor(by):
            for payment in payments:
                payment.save()
    except IntegrityError:
        raise ApplicationError({"rows": _("有党员的党费被他人同时登记，请刷新后重试")}) from None
    audit_event(actor=by, instance=organization, event="dues.payments_recorded", detail={"count": len(payments)})
    return payments


def payments_record_month(
    *, by: User, organization: PartyOrganization, period: date, paid_on: date, rows: Sequence[MonthRow]
) -> list[Payment]:
    """A whole month for a branch in one form: all or nothing."""
    lines = [PaymentLine(r.member, period, r.amount, paid_on, r.member.name) for r in rows]
    return payments_record_many(by=by, organization=organization, lines=lines)


# --- exemptions and reductions ------------------------------------------------------------------


@transaction.atomic
def relief_grant(
    *,
    by: User,
    member: Member,
    kind: str,
    first_period: date,
    last_period: date,
    reason: str,
    monthly_amount: object = None,
) -> Relief:
    """Record an approved exemption or reduction; `by` is its approver."""
    require_permission(policy.may_approve_dues_relief(by, member.organization), _("党费减免须由街道或区两新工委批准"))
    if kind not in Relief.Kind.values:
        raise ApplicationError({"kind": _("类型：请选择免交或减交")})
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": _("理由：不能为空")})
    if last_period < first_period:
        raise ApplicationError({"last_period": _("截止月份：不能早于起始月份")})
    amount = None
    if kind == Relief.Kind.REDUCED:
        amount = parse_money(monthly_amount, field_label=_("减交后每月金额"))
        if amount <= ZERO:
            raise ApplicationError({"monthly_amount": _("减交后每月金额：必须大于零；不缴纳请选择免交")})
    overlapping = Relief.objects.filter(
        member=member, first_period__lte=last_period, last_period__gte=first_period
    ).exists()
    if overlapping:
        raise ApplicationError({"first_period": _("起始月份：与该党员已批准的减免月份重叠")})
    if Payment.objects.filter(member=member, period__gte=first_period, period__lte=last_period).exists():
        raise ApplicationError({"first_period": _("起始月份：所选月份中已有缴纳记录")})
    with set_actor(by):
        return Relief.objects.create(
            member=member,
            kind=kind,
            monthly_amount=amount,
            first_period=month_start(first_period),
            last_period=month_start(last_period),
            reason=reason[:200],
            approved_by=by,
            approved_on=_today(),
        )


# --- 党费返还 -------------------------------------------------------------------------------------


def rebate_ratio(district: Region | None) -> Decimal:
    if district is None:
        return DEFAULT_REBATE_RATIO
    row = RebateRatio.objects.filter(district=district).first()
    return row.ratio if row else DEFAULT_REBATE_RATIO


@dataclass
class RebateRun:
    quarter: str
    posted: list[Rebate]
    skipped: list[str]


def _non_public(organization: PartyOrganization) -> bool:
    """An organization in a non-public enterprise: one covering an enterprise of the registry."""
    return organization.enterprises.exists()


def rebates_post(*, quarter: str, by: User | None = None, on: date | None = None) -> RebateRun:
    """Post each organization's 党费返还 for `quarter` (2026Q3) into its
    公积金 account: the quarter's dues paid there × the district's ratio
    (rounded half up to the fen), less what earlier runs posted for the
    same quarter. So a run posts once per organization and quarter however
    often it runs (the unique key organization+quarter+seq); a payment for
    the quarter recorded after its rebate goes into the next run as a
    top-up with the next seq. Each posting is one ledger transaction of
    kind 党费返还 from the external source (the dues the upper committee
    holds) into the organization's account."""
    require_permission(policy.may_post_dues_rebates(by), _("只有区两新工委工作人员可以办理党费返还"))
    months = quarter_months(quarter)
    quarter = f"{months[0].year}Q{(months[0].month - 1) // 3 + 1}"
    today = on or _today()
    if months[-1] >= month_start(today):
        raise ApplicationError({"quarter": _("季度：%(q)s 尚未结束，季度结束后才能返还") % {"q": quarter}})
    totals = (
        Payment.objects.filter(period__in=months)
        .values("organization_id")
        .annotate(total=Sum("amount"))
        .order_by("organization_id")
    )
    run = RebateRun(quarter=quarter, posted=[], skipped=[])
    for row in totals:
        organization = PartyOrganization.objects.select_related("street").get(pk=row["organization_id"])
        if not _non_public(organization):
            continue
        try:
            rebate = _rebate_one(organization=organization, quarter=quarter, total=row["total"], by=by, on=today)
        except ApplicationError as exc:
            run.skipped.append(f"{organization.name}：{exc.messages[0]}")
            continue
        if rebate is not None:
            run.posted.append(rebate)
    return run


@retry_on_conflict
def _rebate_one(
    *, organization: PartyOrganization, quarter: str, total: Decimal, by: User | None, on: date
) -> Rebate | None:
    # One run at a time per organization: the organization row is the lock.
    PartyOrganization.objects.select_for_update().filter(pk=organization.pk).first()
    ratio = rebate_ratio(district_of(organization))
    owed = round_to_fen(total * ratio)
    earlier = Rebate.objects.filter(organization=organization, quarter=quarter)
    posted = earlier.aggregate(s=Sum("amount"))["s"] or ZERO
    amount = owed - posted
    if amount <= ZERO:
        return None
    account = FundAccount.objects.filter(organization=organization).first()
    if account is None:
        account = account_open(organization=organization, by=None, opened_on=on)
    seq = earlier.count()
    txn = income_receive(
        kind=TransactionKind.DUES_REBATE,
        account=account,
        amount=amount,
        by=None,
        occurred_on=on,
        memo=(_("%(q)s党费返还") if seq == 0 else _("%(q)s党费返还（补缴部分）")) % {"q": quarter},
    )
    rebate = Rebate.objects.create(
        organization=organization,
        quarter=quarter,
        seq=seq,
        dues_total=total,
        ratio=ratio,
        amount=amount,
        transaction=txn,
    )
    audit_event(
        actor=by, instance=organization, event="dues.rebate_posted", detail={"quarter": quarter, "amount": str(amount)}
    )
    return rebate
