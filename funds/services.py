"""Writes of the fund ledger and of withdrawal applications.

`ledger_post` is the only way money moves. Every service that moves money
locks rows in one order: the application first, then accounts by primary
key, so two requests touching the same money queue instead of deadlocking;
and every such service is wrapped in `retry_on_conflict`, so if PostgreSQL
still reports a serialization failure or a deadlock, the whole transaction
runs again from the start rather than failing the user.
"""

import hashlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.money import ZERO, to_money
from orgs.audit import audit_event
from orgs.models import PartyOrganization, Role, User
from orgs.scoping import scope_for
from orgs.selectors import rating_in_force

from .models import (
    Application,
    ApplicationStep,
    BudgetLine,
    FundAccount,
    FundEntry,
    FundTransaction,
    Notification,
    Objection,
    Receipt,
    StarRule,
    TransactionKind,
)
from .rules import RuleValues, credit_line, rule_values

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# serialization_failure, deadlock_detected
RETRYABLE_SQLSTATES = {"40001", "40P01"}
RETRY_ATTEMPTS = 6
RECEIPT_EXTENSIONS = {"pdf", "ofd", "jpg", "jpeg", "png"}
RECEIPT_MAX_BYTES = 10 * 1024 * 1024

F = TypeVar("F", bound=Callable[..., Any])


def _is_retryable(exc: DatabaseError) -> bool:
    cause = exc.__cause__
    code = getattr(cause, "pgcode", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if code in RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(exc)


def retry_on_conflict(func: F) -> F:
    """Run `func` in its own transaction, again if the database asks for it.

    Inside a caller's transaction it runs `func` once in a savepoint: a retry
    must restart the outermost transaction, which only the caller can do.
    """

    @wraps(func)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            # A savepoint still undoes this call's own writes when it refuses.
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except DatabaseError as exc:
                if attempt == RETRY_ATTEMPTS or not _is_retryable(exc):
                    raise
                logger.info("fund write %s conflicted (attempt %s), retrying", func.__name__, attempt)
                time.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]


def today() -> date:
    return timezone.localdate()


def _amount(value: object, *, field: str = _("金额")) -> Decimal:
    if isinstance(value, float):
        raise ApplicationError(_("%(field)s格式不正确") % {"field": field})
    try:
        amount = to_money(value)
    except (ValueError, TypeError):
        raise ApplicationError(_("%(field)s格式不正确，最多保留两位小数") % {"field": field}) from None
    if amount <= ZERO:
        raise ApplicationError(_("%(field)s必须大于零") % {"field": field})
    return amount


# --- accounts ---------------------------------------------------------------------------------


def entry_hash(
    *, prev_hash: str, account_id: int, seq: int, transaction_id: int, amount: Decimal, balance_after: Decimal
) -> str:
    """The chain link: each entry commits to the one before it in its account."""
    payload = f"{prev_hash}|{account_id}|{seq}|{transaction_id}|{amount:.2f}|{balance_after:.2f}"
    return hashlib.sha256(payload.encode()).hexdigest()


def external_account(kind: str) -> FundAccount:
    names = {FundAccount.Kind.EXTERNAL_SOURCE: _("外部来源"), FundAccount.Kind.EXTERNAL_SINK: _("外部支出")}
    account, _created = FundAccount.objects.get_or_create(
        kind=kind, organization=None, defaults={"name": str(names[kind]), "opened_on": date(2000, 1, 1)}
    )
    return account


def pool_account() -> FundAccount:
    account, _created = FundAccount.objects.get_or_create(
        kind=FundAccount.Kind.POOL, defaults={"name": _("区财政补助资金池"), "opened_on": date.today()}
    )
    return account


@transaction.atomic
def account_open(*, organization: PartyOrganization, by: User | None, opened_on: date | None = None) -> FundAccount:
    if FundAccount.objects.filter(organization=organization).exists():
        raise ApplicationError(_("该党组织已开设公积金账户"))
    account = FundAccount.objects.create(
        kind=FundAccount.Kind.ORGANIZATION,
        organization=organization,
        name=_("%(org)s公积金账户") % {"org": organization.name},
        opened_on=opened_on or date.today(),
    )
    audit_event(actor=by, instance=account, event="fund.account.open")
    return account


# --- the journal ------------------------------------------------------------------------------


@retry_on_conflict
def ledger_post(
    *,
    kind: str,
    occurred_on: date,
    memo: str,
    legs: Sequence[tuple[FundAccount, Decimal]],
    by: User | None,
    reverses: FundTransaction | None = None,
) -> FundTransaction:
    """Write one balanced transaction.

    Accounts are locked in primary-key order, so two postings touching the
    same accounts always queue instead of deadlocking; balances are checked
    after the lock, so a race can never take an internal account below zero.
    """
    if len(legs) < 2:
        raise ApplicationError(_("每笔交易至少包含两个账户"))
    amounts = [(account, to_money(amount)) for account, amount in legs]
    if any(amount == ZERO for _a, amount in amounts):
        raise ApplicationError(_("分录金额不能为零"))
    if sum((amount for _a, amount in amounts), ZERO) != ZERO:
        raise ApplicationError(_("借贷不平：各分录金额之和必须为零"))
    ids = sorted({account.pk for account, _amt in amounts})
    locked = {a.pk: a for a in FundAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(locked) != len(ids):
        raise ApplicationError(_("账户不存在"))

    deltas: dict[int, Decimal] = {}
    for account, amount in amounts:
        deltas[account.pk] = deltas.get(account.pk, ZERO) + amount
    for pk, delta in deltas.items():
        account = locked[pk]
        if account.closed_on:
            raise ApplicationError(_("账户「%(name)s」已销户") % {"name": account.name})
        if not account.is_external and account.balance + delta < ZERO:
            raise ApplicationError(
                _("账户「%(name)s」余额不足：余额 %(balance)s 元，本次需 %(need)s 元")
                % {"name": account.name, "balance": account.balance, "need": -delta}
            )

    txn = FundTransaction.objects.create(
        kind=kind, occurred_on=occurred_on, memo=memo[:255], created_by=by, reverses=reverses
    )
    entries = []
    for account, amount in amounts:
        current = locked[account.pk]
        current.last_seq += 1
        current.balance += amount
        digest = entry_hash(
            prev_hash=current.last_hash or GENESIS,
            account_id=current.pk,
            seq=current.last_seq,
            transaction_id=txn.pk,
            amount=amount,
            balance_after=current.balance,
        )
        entries.append(
            FundEntry(
                transaction=txn,
                account=current,
                amount=amount,
                seq=current.last_seq,
                balance_after=current.balance,
                prev_hash=current.last_hash or GENESIS,
                hash=digest,
            )
        )
        current.last_hash = digest
    FundEntry.objects.bulk_create(entries)
    for account in locked.values():
        account.save(update_fields=["balance", "last_seq", "last_hash"])
    # The caller's objects follow the books, so a later posting in the same
    # request does not start from a stale balance.
    for account, _amt in legs:
        current = locked[account.pk]
        account.balance, account.last_seq, account.last_hash = current.balance, current.last_seq, current.last_hash
    return txn


# --- income -----------------------------------------------------------------------------------

INCOME_TARGETS = {
    TransactionKind.FISCAL_SUBSIDY: FundAccount.Kind.POOL,
    TransactionKind.ENTERPRISE_DEPOSIT: FundAccount.Kind.ORGANIZATION,
    TransactionKind.DUES_REBATE: FundAccount.Kind.ORGANIZATION,
    TransactionKind.JOINT_FUNDING: FundAccount.Kind.ORGANIZATION,
    TransactionKind.SPONSORSHIP: FundAccount.Kind.ORGANIZATION,
}


def _require_role(by: User | None, *roles: str) -> None:
    if by is None or not scope_for(by, write=True).has_role(*roles):
        raise ApplicationError(_("您没有办理此业务的权限"))


@retry_on_conflict
def income_receive(
    *,
    kind: str,
    account: FundAccount,
    amount: object,
    by: User | None,
    occurred_on: date | None = None,
    memo: str = "",
) -> FundTransaction:
    """Money coming in from outside: one of the five income types."""
    if kind not in INCOME_TARGETS:
        raise ApplicationError(_("不是入账业务类型"))
    if account.kind != INCOME_TARGETS[kind]:
        if kind == TransactionKind.FISCAL_SUBSIDY:
            raise ApplicationError(_("财政补助只能拨入区级资金池"))
        raise ApplicationError(_("%(kind)s只能存入党组织公积金账户") % {"kind": TransactionKind(kind).label})
    value = _amount(amount)
    source = external_account(FundAccount.Kind.EXTERNAL_SOURCE)
    txn = ledger_post(
        kind=kind,
        occurred_on=occurred_on or today(),
        memo=memo or str(TransactionKind(kind).label),
        legs=[(source, -value), (account, value)],
        by=by,
    )
    audit_event(actor=by, instance=account, event=f"fund.income.{kind}", detail={"amount": str(value), "txn": txn.pk})
    return txn


def income_enterprise_deposit(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.ENTERPRISE_DEPOSIT, account=account, amount=amount, by=by, **kw)


def income_fiscal_subsidy(*, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.FISCAL_SUBSIDY, account=pool_account(), amount=amount, by=by, **kw)


def income_dues_rebate(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.DUES_REBATE, account=account, amount=amount, by=by, **kw)


def income_joint_funding(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.JOINT_FUNDING, account=account, amount=amount, by=by, **kw)


def income_sponsorship(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.SPONSORSHIP, account=account, amount=amount, by=by, **kw)


# --- reversal ---------------------------------------------------------------------------------


@retry_on_conflict
def transaction_reverse(
    *, transaction_: FundTransaction, by: User | None, reason: str, occurred_on: date | None = None
) -> FundTransaction:
    """Correct a mistake: a new transaction with every leg negated, pointing at the original.

    Once only, and never a reversal of a reversal (post the right amount
    instead). Money an application moved is corrected through the
    application, whose records would otherwise disagree with the books.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("冲正必须填写原因"))
    # The lock serializes two clerks reversing the same transaction at once.
    original = FundTransaction.objects.select_for_update().get(pk=transaction_.pk)
    if original.kind == TransactionKind.REVERSAL:
        raise ApplicationError(_("冲正交易不能再次冲正"))
    if FundTransaction.objects.filter(reverses=original).exists():
        raise ApplicationError(_("该交易已冲正，不能重复冲正"))
    if Application.objects.filter(
        Q(disbursement=original) | Q(reward_transaction=original) | Q(return_transaction=original)
    ).exists():
        raise ApplicationError(_("提取申请产生的交易不能直接冲正，请通过申请流程处理"))
    legs = [(entry.account, -entry.amount) for entry in original.entries.select_related("account").order_by("pk")]
    try:
        with transaction.atomic():
            txn = ledger_post(
                kind=TransactionKind.REVERSAL,
                occurred_on=occurred_on or today(),
                memo=_("冲正 #%(pk)s：%(reason)s") % {"pk": original.pk, "reason": reason},
                legs=legs,
                by=by,
                reverses=original,
            )
    except IntegrityError:
        raise ApplicationError(_("该交易已冲正，不能重复冲正")) from None
    audit_event(
        actor=by, instance=original, event="fund.transaction.reverse", detail={"reason": reason, "by_txn": txn.pk}
    )
    return txn


# --- applications -----------------------------------------------------------------------------


def _users_with(role: str, **grant_filter) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=role, **{f"role_grants__{k}": v for k, v in grant_filter.items()}
        ).distinct()
    )


def _secretaries(application: Application) -> list[User]:
    return _users_with(Role.SECRETARY, organization_id=application.organization_id)


def _street_staff(application: Application) -> list[User]:
    return _users_with(Role.STREET, region_id=application.organization.street_id)


def _district_staff() -> list[User]:
    return _users_with(Role.DISTRICT)


def _notify(users: Sequence[User], application: Application, message: str) -> None:
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            rows.append(Notification(user=user, application=application, message=message[:255]))
    Notification.objects.bulk_create(rows)


def _step(application: Application, *, action: str, from_status: str, by: User, reason: str = "", request=None):
    ApplicationStep.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        reason=reason,
        by=by,
    )
    audit_event(
        actor=by,
        instance=application,
        event=f"fund.application.{action}",
        detail={"from": from_status, "to": application.status, "reason": reason},
        request=request,
    )


def _move(
    application: Application, *, to: str, action: str, by: User, reason: str = "", request=None, fields=None
) -> None:
    """Put the application into status `to`, save it (only `fields` besides
    the status, or everything) and record the step: one place for every
    transition of the workflow."""
    previous = application.status
    application.status = to
    application.waiting_since = timezone.now()
    application.save(update_fields=None if fields is None else ["status", "waiting_since", *fields])
    _step(application, action=action, from_status=previous, by=by, reason=reason, request=request)


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("organization", "account").get(pk=application.pk)


def _clean_project(
    *, activity: str, activity_date: date | None, participants: object, budget_lines: Sequence[dict], amount: object
) -> tuple[dict, list[BudgetLine], Decimal]:
    errors: dict[str, list[str]] = {}
    activity = (activity or "").strip()
    if not activity:
        errors.setdefault("activity", []).append(_("请填写活动名称"))
    if activity_date is None:
        errors.setdefault("activity_date", []).append(_("请填写活动日期"))
    try:
        participants_n = int(participants)
    except (TypeError, ValueError):
        participants_n = 0
    if participants_n < 1:
        errors.setdefault("participants", []).append(_("参加人数至少为1人"))
    try:
        total = _amount(amount, field=_("申请金额"))
    except ApplicationError as exc:
        errors.setdefault("amount", []).extend(exc.messages)
        total = None
    lines: list[BudgetLine] = []
    line_sum = ZERO
    for i, raw in enumerate(budget_lines, start=1):
        item = (raw.get("item") or "").strip()
        if not item:
            errors.setdefault("budget_lines", []).append(_("第%(n)s项预算缺少支出项目名称") % {"n": i})
            continue
        try:
            value = _amount(raw.get("amount"), field=_("第%(n)s项预算金额") % {"n": i})
        except ApplicationError as exc:
            errors.setdefault("budget_lines", []).extend(exc.messages)
            continue
        line_sum += value
        lines.append(BudgetLine(item=item[:100], amount=value, note=(raw.get("note") or "")[:200]))
    if not budget_lines:
        errors.setdefault("budget_lines", []).append(_("请至少填写一项预算明细"))
    elif total is not None and "budget_lines" not in errors and line_sum != total:
        errors.setdefault("budget_lines", []).append(
            _("预算明细合计 %(sum)s 元与申请金额 %(amount)s 元不一致") % {"sum": line_sum, "amount": total}
        )
    if errors:
        raise ApplicationError(errors)
    fields = {"activity": activity[:200], "activity_date": activity_date, "participants": participants_n}
    return fields, lines, total  # type: ignore[return-value]


def _check_secretary(by: User, organization: PartyOrganization) -> None:
    scope = scope_for(by, write=True)
    if (
        not scope.has_role(Role.SECRETARY)
        or not PartyOrganization.objects.filter(scope.organizations_q(), pk=organization.pk).exists()
    ):
        raise ApplicationError(_("只有本党组织书记可以提交或修改提取申请"))


def _check_within_credit(*, account: FundAccount, amount: Decimal, on: date, application=None, values=None) -> None:
    line = credit_line(account=account, on=on, values=values, exclude_application=application)
    if amount > line.drawable:
        raise ApplicationError(
            {
                "amount": [
                    _("申请金额 %(amount)s 元超出可提取额度 %(drawable)s 元")
                    % {"amount": amount, "drawable": line.drawable}
                ]
            }
        )


@retry_on_conflict
def application_create(
    *,
    organization: PartyOrganization,
    by: User,
    activity: str,
    activity_date: date | None,
    participants: object,
    budget_lines: Sequence[dict],
    amount: object,
    description: str = "",
    request=None,
) -> Application:
    """The secretary files a project (项目书); it goes to the street for approval."""
    _check_secretary(by, organization)
    account = FundAccount.objects.select_for_update().filter(organization=organization).first()
    if account is None:
        raise ApplicationError(_("该党组织尚未开设公积金账户"))
    fields, lines, total = _clean_project(
        activity=activity,
        activity_date=activity_date,
        participants=participants,
        budget_lines=budget_lines,
        amount=amount,
    )
    _check_within_credit(account=account, amount=total, on=today())
    application = Application.objects.create(
        organization=organization,
        account=account,
        amount=total,
        description=description or "",
        status=Application.Status.STREET_REVIEW,
        waiting_since=timezone.now(),
        created_by=by,
        **fields,
    )
    for line in lines:
        line.application = application
    BudgetLine.objects.bulk_create(lines)
    _step(application, action=ApplicationStep.Action.SUBMIT, from_status="", by=by, request=request)
    _notify(
        _street_staff(application),
        application,
        _("待审批：%(org)s申请提取 %(amount)s 元（%(activity)s）")
        % {"org": organization.name, "amount": total, "activity": application.activity},
    )
    return application


@retry_on_conflict
def application_resubmit(
    *,
    application: Application,
    by: User,
    activity: str,
    activity_date: date | None,
    participants: object,
    budget_lines: Sequence[dict],
    amount: object,
    description: str = "",
    request=None,
) -> Application:
    """A returned application, corrected and sent back to the street."""
    application = _lock(application)
    _check_secretary(by, application.organization)
    if application.status != Application.Status.RETURNED:
        raise ApplicationError(_("只有已退回的申请可以修改后重新提交"))
    FundAccount.objects.select_for_update().filter(pk=application.account_id).first()
    fields, lines, total = _clean_project(
        activity=activity,
        activity_date=activity_date,
        participants=participants,
        budget_lines=budget_lines,
        amount=amount,
    )
    _check_within_credit(account=application.account, amount=total, on=today(), application=application)
    for key, value in fields.items():
        setattr(application, key, value)
    application.amount = total
    application.description = description or ""
    _move(
        application, to=Application.Status.STREET_REVIEW, action=ApplicationStep.Action.RESUBMIT, by=by, request=request
    )
    application.budget_lines.all().delete()
    for line in lines:
        line.application = application
    BudgetLine.objects.bulk_create(lines)
    _notify(
        _street_staff(application),
        application,
        _("待审批（重新提交）：%(org)s申请提取 %(amount)s 元")
        % {"org": application.organization.name, "amount": total},
    )
    return application


@retry_on_conflict
def application_withdraw(*, application: Application, by: User, request=None) -> Application:
    application = _lock(application)
    _check_secretary(by, application.organization)
    allowed = (Application.Status.STREET_REVIEW, Application.Status.DISTRICT_REVIEW, Application.Status.RETURNED)
    if application.status not in allowed:
        raise ApplicationError(_("该申请已进入公示或拨付环节，不能撤回"))
    _move(
        application, to=Application.Status.WITHDRAWN, action=ApplicationStep.Action.WITHDRAW, by=by, request=request,
        fields=[],
    )  # fmt: skip
    return application


class Level:
    STREET = "street"
    DISTRICT = "district"


LEVEL_STATUS = {Level.STREET: Application.Status.STREET_REVIEW, Level.DISTRICT: Application.Status.DISTRICT_REVIEW}
AFTER = {
    Level.STREET: (
        Application.Status.DISTRICT_REVIEW,
        Application.Status.PUBLICITY,
        Application.Status.DISBURSED,
        Application.Status.SETTLED,
    ),
    Level.DISTRICT: (Application.Status.PUBLICITY, Application.Status.DISBURSED, Application.Status.SETTLED),
}


def _check_approver(by: User, application: Application, level: str) -> None:
    scope = scope_for(by, write=True)
    if level == Level.STREET:
        ok = "superuser" in scope.roles or (
            Role.STREET in scope.roles and application.organization.street_id in scope.street_ids
        )
        if not ok:
            raise ApplicationError(_("只有本街道非公党委工作人员可以进行街道审批"))
    elif level == Level.DISTRICT:
        if not scope.has_role(Role.DISTRICT):
            raise ApplicationError(_("只有区两新工委工作人员可以进行区级审批"))
    else:
        raise ApplicationError(_("未知的审批环节"))


def _check_turn(application: Application, level: str) -> None:
    if application.status == LEVEL_STATUS[level]:
        return
    if application.status in AFTER[level]:
        label = _("街道审批") if level == Level.STREET else _("区级审批")
        raise ApplicationError(_("%(step)s已完成，不能重复审批") % {"step": label})
    raise ApplicationError(_("此申请当前不在您的审批环节（当前状态：%(s)s）") % {"s": application.get_status_display()})


@retry_on_conflict
def application_approve(
    *,
    application: Application,
    by: User,
    level: str,
    on: date | None = None,
    publicity_days: int | None = None,
    opinion: str = "",
    request=None,
) -> Application:
    """Street approval, then district approval; the district approval fixes
    the star and the rule values in force on its date and opens 公示."""
    application = _lock(application)
    _check_approver(by, application, level)
    _check_turn(application, level)
    if level == Level.STREET:
        _move(
            application, to=Application.Status.DISTRICT_REVIEW, action=ApplicationStep.Action.STREET_APPROVE, by=by,
            reason=opinion, fields=[],
        )  # fmt: skip
        _notify(
            _district_staff(),
            application,
            _("待区级审批：%(org)s申请提取 %(amount)s 元")
            % {"org": application.organization.name, "amount": application.amount},
        )
        return application

    on = on or today()
    days = application.publicity_days if publicity_days is None else publicity_days
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise ApplicationError({"publicity_days": [_("公示天数应为1至30天")]})
    rating = rating_in_force(organization=application.organization, on=on)
    values = rule_values(stars=rating.stars if rating else None, on=on)
    FundAccount.objects.select_for_update().filter(pk=application.account_id).first()
    application.account.refresh_from_db()
    line = credit_line(account=application.account, on=on, values=values, exclude_application=application)
    if application.amount > line.drawable:
        raise ApplicationError(
            _("按审批日（%(on)s）的星级与标准，申请金额 %(amount)s 元超出可提取额度 %(drawable)s 元，请退回修改")
            % {"on": on, "amount": application.amount, "drawable": line.drawable}
        )
    application.approved_on = on
    application.stars = values.stars
    application.match_rate = values.match_rate
    application.subsidy_cap = values.subsidy_cap
    application.publicity_days = days
    application.publicity_start = on
    application.publicity_end = on + timedelta(days=days - 1)
    _move(
        application,
        to=Application.Status.PUBLICITY,
        action=ApplicationStep.Action.DISTRICT_APPROVE,
        by=by,
        reason=opinion,
    )
    notice = _("公示：%(org)s提取 %(amount)s 元用于「%(activity)s」，公示至 %(end)s，如有异议请在公示期内提出") % {
        "org": application.organization.name,
        "amount": application.amount,
        "activity": application.activity,
        "end": application.publicity_end,
    }
    _notify([*_street_staff(application), *_district_staff()], application, notice)
    _notify(
        _secretaries(application),
        application,
        _("您的申请已通过区级审批，进入公示（至 %(end)s）") % {"end": application.publicity_end},
    )
    return application


@retry_on_conflict
def application_return(*, application: Application, by: User, level: str, reason: str, request=None) -> Application:
    """Either level sends the application back to the secretary, always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": [_("退回必须填写理由")]})
    application = _lock(application)
    _check_approver(by, application, level)
    allowed = (
        (Application.Status.STREET_REVIEW,)
        if level == Level.STREET
        else (Application.Status.DISTRICT_REVIEW, Application.Status.PUBLICITY)
    )
    if application.status not in allowed:
        raise ApplicationError(
            _("此申请当前不在您的审批环节（当前状态：%(s)s）") % {"s": application.get_status_display()}
        )
    _move(
        application, to=Application.Status.RETURNED, action=ApplicationStep.Action.RETURN, by=by, reason=reason,
        request=request, fields=[],
    )  # fmt: skip
    application.objections.filter(resolved_at__isnull=True).update(
        resolution=_("申请已退回"), resolved_by=by, resolved_at=timezone.now()
    )
    _notify(_secretaries(application), application, _("您的申请被退回：%(reason)s") % {"reason": reason[:200]})
    return application


@retry_on_conflict
def objection_raise(
    *, application: Application, by: User, text: str, on: date | None = None, request=None
) -> Objection:
    """During 公示, staff of the scope may object; disbursement then waits for the district."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError({"text": [_("请填写异议内容")]})
    application = _lock(application)
    scope = scope_for(by)
    if not scope.has_role(Role.DISTRICT, Role.STREET, Role.LEADER):
        raise ApplicationError(_("只有管辖范围内的工作人员可以提出异议"))
    on = on or today()
    if application.status != Application.Status.PUBLICITY or (
        application.publicity_end and on > application.publicity_end
    ):
        raise ApplicationError(_("该申请不在公示期内，不能提出异议"))
    objection = Objection.objects.create(application=application, text=text, by=by)
    _step(application, action=ApplicationStep.Action.OBJECT, from_status=application.status, by=by, reason=text)
    _notify(
        _district_staff(),
        application,
        _("公示异议：%(org)s的提取申请收到异议") % {"org": application.organization.name},
    )
    return objection


@retry_on_conflict
def objection_resolve(*, objection: Objection, by: User, resolution: str, request=None) -> Objection:
    resolution = (resolution or "").strip()
    if not resolution:
        raise ApplicationError({"resolution": [_("请填写处理意见")]})
    _require_role(by, Role.DISTRICT)
    application = _lock(objection.application)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolved_at:
        raise ApplicationError(_("该异议已处理"))
    objection.resolution = resolution
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    _step(application, action=ApplicationStep.Action.RESOLVE, from_status=application.status, by=by, reason=resolution)
    return objection


@retry_on_conflict
def application_disburse(*, application: Application, by: User, on: date | None = None, request=None) -> Application:
    """After 公示 without open objections: the pool pays the reward or subsidy
    part into the account, then the account pays out the whole amount.

    The organization's own money is used first and the pool covers the
    rest, up to what the district approval allowed; the locks make fifty
    simultaneous disbursements against one balance queue, and each sees the
    balance the previous one left."""
    _require_role(by, Role.DISTRICT)
    application = _lock(application)
    on = on or today()
    if application.status in (Application.Status.DISBURSED, Application.Status.SETTLED):
        raise ApplicationError(_("该申请已拨付，不能重复拨付"))
    if application.status != Application.Status.PUBLICITY:
        raise ApplicationError(_("此申请当前不在拨付环节（当前状态：%(s)s）") % {"s": application.get_status_display()})
    if application.publicity_end and on <= application.publicity_end:
        raise ApplicationError(_("公示期未满（至 %(end)s），暂不能拨付") % {"end": application.publicity_end})
    if application.objections.filter(resolved_at__isnull=True).exists():
        raise ApplicationError(_("公示期间有未处理的异议，请先处理"))
    pool = pool_account()
    sink = external_account(FundAccount.Kind.EXTERNAL_SINK)
    accounts = {
        a.pk: a
        for a in FundAccount.objects.select_for_update().filter(pk__in=[application.account_id, pool.pk]).order_by("pk")
    }
    account, pool = accounts[application.account_id], accounts[pool.pk]
    values = RuleValues(
        stars=application.stars,
        match_rate=application.match_rate or Decimal("0"),
        subsidy_cap=application.subsidy_cap or ZERO,
    )
    line = credit_line(
        account=account, on=application.approved_on or on, values=values, exclude_application=application, pool=pool
    )
    own = min(application.amount, account.balance)
    from_pool = application.amount - own
    if from_pool > line.pool_available:
        raise ApplicationError(
            _("可提取额度不足：账户余额 %(balance)s 元，资金池可奖补 %(pool)s 元，本次需 %(amount)s 元")
            % {"balance": account.balance, "pool": line.pool_available, "amount": application.amount}
        )
    reward_txn = None
    if from_pool > ZERO:
        reward_txn = ledger_post(
            kind=TransactionKind.REWARD,
            occurred_on=on,
            memo=_("%(mode)s：申请 #%(pk)s") % {"mode": line.mode_label, "pk": application.pk},
            legs=[(pool, -from_pool), (account, from_pool)],
            by=by,
        )
    disbursement = ledger_post(
        kind=TransactionKind.DISBURSEMENT,
        occurred_on=on,
        memo=_("提取拨付：申请 #%(pk)s %(activity)s") % {"pk": application.pk, "activity": application.activity},
        legs=[(account, -application.amount), (sink, application.amount)],
        by=by,
    )
    application.own_amount = own
    application.pool_amount = from_pool
    application.reward_transaction = reward_txn
    application.disbursement = disbursement
    _move(
        application,
        to=Application.Status.DISBURSED,
        action=ApplicationStep.Action.DISBURSE,
        by=by,
        reason=_("本金 %(own)s 元，资金池 %(pool)s 元") % {"own": own, "pool": from_pool},
        request=request,
    )
    _notify(
        _secretaries(application),
        application,
        _("已拨付 %(amount)s 元，活动结束后请上传票据报账") % {"amount": application.amount},
    )
    return application


@retry_on_conflict
def application_settle(
    *,
    application: Application,
    by: User,
    spent: object,
    receipts: Sequence[UploadedFile] = (),
    note: str = "",
    on: date | None = None,
    request=None,
) -> Application:
    """报账: the secretary reports what was spent, with receipts; unspent money
    flows back, to the pool first as far as the pool paid, the rest to the
    organization's own account."""
    application = _lock(application)
    scope = scope_for(by, write=True)
    own_org = PartyOrganization.objects.filter(scope.organizations_q(), pk=application.organization_id).exists()
    if not (scope.has_role(Role.DISTRICT) or (scope.has_role(Role.SECRETARY) and own_org)):
        raise ApplicationError(_("只有本党组织书记或区两新工委工作人员可以报账"))
    if application.status == Application.Status.SETTLED:
        raise ApplicationError(_("该申请已报账，不能重复报账"))
    if application.status != Application.Status.DISBURSED:
        raise ApplicationError(_("该申请尚未拨付，不能报账"))
    try:
        spent_value = to_money(spent)
    except (ValueError, TypeError):
        raise ApplicationError({"spent": [_("实际支出金额格式不正确，最多保留两位小数")]}) from None
    if spent_value < ZERO:
        raise ApplicationError({"spent": [_("实际支出不能为负数")]})
    if spent_value > application.amount:
        raise ApplicationError(
            {
                "spent": [
                    _("实际支出 %(spent)s 元超过拨付金额 %(amount)s 元")
                    % {"spent": spent_value, "amount": application.amount}
                ]
            }
        )
    if spent_value > ZERO and not receipts and not application.receipts.exists():
        raise ApplicationError({"receipts": [_("请上传报账票据")]})
    for upload in receipts:
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in RECEIPT_EXTENSIONS:
            raise ApplicationError(
                {"receipts": [_("票据「%(name)s」格式不支持，请上传 PDF、OFD 或图片") % {"name": upload.name}]}
            )
        if upload.size > RECEIPT_MAX_BYTES:
            raise ApplicationError({"receipts": [_("票据「%(name)s」超过 10MB") % {"name": upload.name}]})
    for upload in receipts:
        Receipt.objects.create(application=application, file=upload, description=upload.name[:200], uploaded_by=by)
    unspent = application.amount - spent_value
    return_txn = None
    to_pool = min(unspent, application.pool_amount)
    if unspent > ZERO:
        sink = external_account(FundAccount.Kind.EXTERNAL_SINK)
        legs: list[tuple[FundAccount, Decimal]] = [(sink, -unspent)]
        if to_pool > ZERO:
            legs.append((pool_account(), to_pool))
        if unspent - to_pool > ZERO:
            legs.append((application.account, unspent - to_pool))
        return_txn = ledger_post(
            kind=TransactionKind.RETURN,
            occurred_on=on or today(),
            memo=_("结余退回：申请 #%(pk)s") % {"pk": application.pk},
            legs=legs,
            by=by,
        )
    application.spent_amount = spent_value
    application.pool_returned = to_pool
    application.return_transaction = return_txn
    application.settlement_note = note or ""
    _move(
        application,
        to=Application.Status.SETTLED,
        action=ApplicationStep.Action.SETTLE,
        by=by,
        reason=_("实际支出 %(spent)s 元，退回 %(back)s 元") % {"spent": spent_value, "back": unspent},
        request=request,
    )
    _notify(
        _street_staff(application),
        application,
        _("已报账：%(org)s 实际支出 %(spent)s 元")
        % {
            "org": application.organization.name,
            "spent": spent_value,
        },
    )
    return application


# --- settings ---------------------------------------------------------------------------------


@transaction.atomic
def star_rule_set(
    *, stars: int, effective_from: date, match_rate: object, subsidy_cap: object, by: User, note: str = ""
) -> StarRule:
    """A new row of the star table from a date on; earlier rows stay as history."""
    _require_role(by, Role.DISTRICT)
    if stars not in range(1, 6):
        raise ApplicationError({"stars": [_("星级应为1至5")]})
    try:
        rate = Decimal(str(match_rate))
    except Exception:
        raise ApplicationError({"match_rate": [_("奖励配比格式不正确")]}) from None
    if not rate.is_finite() or rate < 0 or rate > 10 or rate != rate.quantize(Decimal("0.0001")):
        raise ApplicationError({"match_rate": [_("奖励配比应为0至10之间、最多四位小数的数")]})
    try:
        cap = to_money(subsidy_cap)
    except (ValueError, TypeError):
        raise ApplicationError({"subsidy_cap": [_("补助上限格式不正确")]}) from None
    if cap < ZERO:
        raise ApplicationError({"subsidy_cap": [_("补助上限不能为负数")]})
    if StarRule.objects.filter(stars=stars, effective_from=effective_from).exists():
        raise ApplicationError(_("该星级在此日期已有标准，请选择其他生效日期"))
    rule = StarRule.objects.create(
        stars=stars, effective_from=effective_from, match_rate=rate, subsidy_cap=cap, note=note, created_by=by
    )
    audit_event(actor=by, instance=rule, event="fund.star_rule.set", detail={"rate": str(rate), "cap": str(cap)})
    return rule


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
