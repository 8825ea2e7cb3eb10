"""Writes of the fund ledger. `ledger_post` is the only way money moves."""

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.money import ZERO, to_money
from orgs.models import PartyOrganization, User

from .models import FundAccount, FundEntry, FundTransaction

GENESIS = "0" * 64


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
    return FundAccount.objects.create(
        kind=FundAccount.Kind.ORGANIZATION,
        organization=organization,
        name=_("%(org)s公积金账户") % {"org": organization.name},
        opened_on=opened_on or date.today(),
    )


@transaction.atomic
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
    return txn
