"""The journal: the only way money moves (`ledger_post`), accounts, reversal.

Every service that moves money locks rows in one order: the application
first, then accounts by primary key, so two requests touching the same
money queue instead of deadlocking; and every such service is wrapped in
`retry_on_conflict`, so if PostgreSQL still reports a serialization failure
or a deadlock, the whole transaction runs again from the start rather than
failing the user.
"""

import hashlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.money import ZERO, parse_money, to_money
from orgs import policy
from orgs.audit import audit_event
from orgs.models import PartyOrganization, Region, User
from orgs.policy import require
from orgs.rulebook import district_of

from .models import Application, FundAccount, FundEntry, FundTransaction, TransactionKind

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# serialization_failure, deadlock_detected
RETRYABLE_SQLSTATES = {"40001", "40P01"}
RETRY_ATTEMPTS = 6

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


AMOUNT = gettext_lazy("金额")


def today() -> date:
    return timezone.localdate()


def amount_parse(value: object, *, field: str | None = None) -> Decimal:
    """A positive amount of money (`core.money.parse_money`'s rules), or the refusal naming the field."""
    field = field or str(AMOUNT)
    amount = parse_money(value, field_label=field)
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


def sole_district() -> Region:
    """The district of a one-district installation; elsewhere the caller must
    say which district's pool it means."""
    districts = list(Region.objects.filter(kind=Region.Kind.DISTRICT)[:2])
    if len(districts) != 1:
        raise ApplicationError(_("资金池按区设立：请指明所属的区"))
    return districts[0]


def pool_account(*, district: Region | None = None) -> FundAccount:
    """The district's pool (DESIGN.md §5), opened on first use. Without a
    district: the one district's pool of a one-district installation."""
    district = district or sole_district()
    account, _created = FundAccount.objects.get_or_create(
        kind=FundAccount.Kind.POOL,
        region=district,
        defaults={"name": _("%(district)s财政补助资金池") % {"district": district.name}, "opened_on": today()},
    )
    return account


def organization_pool(organization: PartyOrganization) -> FundAccount:
    """The pool an organization's reward or subsidy comes from: its own district's."""
    district = district_of(organization)
    if district is None:
        raise ApplicationError(_("党组织「%(org)s」不属于任何区，无法使用资金池") % {"org": organization.name})
    return pool_account(district=district)


@transaction.atomic
def account_open(*, organization: PartyOrganization, by: User | None, opened_on: date | None = None) -> FundAccount:
    if FundAccount.objects.filter(organization=organization).exists():
        raise ApplicationError(_("该党组织已开设公积金账户"))
    account = FundAccount.objects.create(
        kind=FundAccount.Kind.ORGANIZATION,
        organization=organization,
        name=_("%(org)s公积金账户") % {"org": organization.name},
        opened_on=opened_on or today(),
    )
    audit_event(actor=by, instance=account, event="fund.account.open")
    return account


# Applications still under way: money may yet move for them.
OPEN_APPLICATION_STATES = (
    Application.Status.STREET_REVIEW,
    Application.Status.DISTRICT_REVIEW,
    Application.Status.PUBLICITY,
    Application.Status.DISBURSED,
    Application.Status.SETTLEMENT_REVIEW,
    Application.Status.RETURNED,
)


def account_close_on_merge(*, source: PartyOrganization, target: PartyOrganization) -> int:
    """An organization merged into another: its fund account is closed on the
    day, when nothing is left in it. Money and open applications are not
    carried across silently (the reward cap follows each organization's own
    deposits, DESIGN.md §5): the merge is refused until the applications are
    settled or withdrawn and the balance is spent or reversed. Returns 1 when
    an account was closed."""
    account = FundAccount.objects.select_for_update().filter(organization=source).first()
    if account is None or account.closed_on is not None:
        return 0
    open_count = Application.objects.filter(organization=source, status__in=OPEN_APPLICATION_STATES).count()
    if account.balance != ZERO or open_count:
        raise ApplicationError(
            {
                "target": _(
                    "本组织的公积金账户尚有余额%(balance)s元、%(n)d笔未办结的提取申请，"
                    "请先办结申请、用完或冲正余额后再合并"
                )
                % {"balance": account.balance, "n": open_count}
            }
        )
    account.closed_on = today()
    account.save(update_fields=["closed_on"])
    audit_event(actor=None, instance=account, event="fund.account.close", detail={"merged_into": target.pk})
    return 1


# --- the journal ------------------------------------------------------------------------------


def _check_dated_balances(account: FundAccount, *, occurred_on: date, delta: Decimal) -> None:
    """Refuse a backdated outflow that would take any statement line below zero.

    DESIGN terms: a statement lists an account's entries by business date
    (`occurred_on`), then by posting order; its running balance is what the
    account held on that date. A posting may be dated before entries already
    in the account (a deposit booked late is normal), but an outflow dated
    `occurred_on` lowers every line from that date on, so it is refused
    unless the lowest of those lines still covers it. Inflows cannot lower
    a line, and an outflow dated on or after the account's last business
    date only meets the balance check above. Called with the account row
    locked, so the answer holds until the transaction commits.
    """
    later = list(
        FundEntry.objects.filter(account_id=account.pk, transaction__occurred_on__gt=occurred_on)
        .order_by("transaction__occurred_on", "seq")
        .values_list("transaction__occurred_on", "amount")
    )
    if not later:
        return
    held = (
        FundEntry.objects.filter(account_id=account.pk, transaction__occurred_on__lte=occurred_on).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    lowest, lowest_on = held, occurred_on
    running = held
    for day, amount in later:
        running += amount
        if running < lowest:
            lowest, lowest_on = running, day
    if lowest + delta < ZERO:
        raise ApplicationError(
            _(
                "账户「%(name)s」%(day)s 的余额为 %(balance)s 元，本次需 %(need)s 元：业务日期记为 %(on)s "
                "会使此后对账单余额为负，请按实际日期记账"
            )
            % {"name": account.name, "day": lowest_on, "balance": lowest, "need": -delta, "on": occurred_on}
        )


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
        if account.kind == FundAccount.Kind.POOL and account.region_id is None:
            raise ApplicationError(_("资金池「%(name)s」尚未指定所属的区，指定前不能收支") % {"name": account.name})
        if not account.is_external and account.balance + delta < ZERO:
            raise ApplicationError(
                _("账户「%(name)s」余额不足：余额 %(balance)s 元，本次需 %(need)s 元")
                % {"name": account.name, "balance": account.balance, "need": -delta}
            )
        if delta < ZERO and not account.is_external:
            _check_dated_balances(account, occurred_on=occurred_on, delta=delta)

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
    if by is not None:  # None: a system correction (data repair), not a user's
        require(policy.may_reverse_transaction(by), _("只有区两新工委工作人员可以冲正"))
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
