from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from funds.models import FundAccount, FundEntry, TransactionKind
from funds.services import GENESIS, account_open, entry_hash, external_account, ledger_post


@pytest.fixture
def accounts(world):
    return external_account(FundAccount.Kind.EXTERNAL_SOURCE), account_open(organization=world.org_a, by=world.district)


def test_posting_balances_and_chains(world, accounts):
    source, account = accounts
    ledger_post(
        kind=TransactionKind.ENTERPRISE_DEPOSIT,
        occurred_on=date(2026, 1, 5),
        memo="预存",
        legs=[(source, Decimal("-1000.00")), (account, Decimal("1000.00"))],
        by=world.district,
    )
    account.refresh_from_db()
    assert account.balance == Decimal("1000.00")
    entry = FundEntry.objects.get(account=account)
    assert entry.prev_hash == GENESIS
    assert entry.hash == entry_hash(
        prev_hash=GENESIS,
        account_id=account.pk,
        seq=1,
        transaction_id=entry.transaction_id,
        amount=entry.amount,
        balance_after=entry.balance_after,
    )


def test_unbalanced_or_overdrawn_postings_write_nothing(world, accounts):
    source, account = accounts
    with pytest.raises(ValidationError, match="借贷不平"):
        ledger_post(
            kind=TransactionKind.ENTERPRISE_DEPOSIT,
            occurred_on=date(2026, 1, 5),
            memo="x",
            legs=[(source, Decimal("-1.00")), (account, Decimal("2.00"))],
            by=world.district,
        )
    with pytest.raises(ValidationError, match="余额不足"):
        ledger_post(
            kind=TransactionKind.DISBURSEMENT,
            occurred_on=date(2026, 1, 5),
            memo="x",
            legs=[(account, Decimal("-1.00")), (source, Decimal("1.00"))],
            by=world.district,
        )
    assert FundEntry.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_journal_refuses_update_and_delete_in_the_database(world, accounts):
    from django.db.utils import InternalError

    source, account = accounts
    ledger_post(
        kind=TransactionKind.ENTERPRISE_DEPOSIT,
        occurred_on=date(2026, 1, 5),
        memo="预存",
        legs=[(source, Decimal("-5.00")), (account, Decimal("5.00"))],
        by=world.district,
    )
    for sql in ("UPDATE funds_fundentry SET amount = 500", "DELETE FROM funds_fundentry"):
        with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert FundEntry.objects.filter(amount=Decimal("5.00")).exists()


def _post(source, account, amount: str, on: date, by):
    """A deposit (positive) or a withdrawal (negative) of `account`, dated `on`."""
    value = Decimal(amount)
    kind = TransactionKind.ENTERPRISE_DEPOSIT if value > 0 else TransactionKind.DISBURSEMENT
    return ledger_post(kind=kind, occurred_on=on, memo="x", legs=[(source, -value), (account, value)], by=by)


def test_backdated_withdrawal_that_would_make_a_statement_line_negative_is_refused(world, accounts):
    from funds.selectors import account_statement

    D = Decimal

    source, account = accounts
    _post(source, account, "1000.00", date(2026, 3, 1), world.district)
    _post(source, account, "-600.00", date(2026, 3, 20), world.district)
    _post(source, account, "500.00", date(2026, 4, 10), world.district)
    entries_before = FundEntry.objects.count()

    # The balance (900) covers 100, but on Feb 1 the account held nothing yet.
    with pytest.raises(ValidationError, match="2026-02-01.*会使此后对账单余额为负"):
        _post(source, account, "-100.00", date(2026, 2, 1), world.district)
    # The balance covers 500 too, but dated before the 600 went out the line of Mar 20 would fall to -100.
    with pytest.raises(ValidationError, match="2026-03-20 的余额为 400.00 元，本次需 500.00 元"):
        _post(source, account, "-500.00", date(2026, 3, 10), world.district)
    assert FundEntry.objects.count() == entries_before
    account.refresh_from_db()
    assert account.balance == Decimal("900.00")

    # What every later line can bear is accepted, and no line goes below zero.
    _post(source, account, "-400.00", date(2026, 3, 10), world.district)
    statement = account_statement(account=account, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [e.running for e in statement.entries] == [D("1000.00"), D("600.00"), D("0.00"), D("500.00")]
    # A backdated deposit never lowers a line.
    _post(source, account, "50.00", date(2026, 1, 15), world.district)


def test_verify_ledger_names_a_statement_line_below_zero_in_older_books(world, accounts, monkeypatch):
    """Books written before the dated check (or around it) are caught by the nightly verification."""
    from funds import ledger
    from funds.verify import verify_ledger

    source, account = accounts
    _post(source, account, "1000.00", date(2026, 3, 1), world.district)
    assert verify_ledger().ok
    monkeypatch.setattr(ledger, "_check_dated_balances", lambda *a, **kw: None)
    _post(source, account, "-100.00", date(2026, 2, 1), world.district)
    report = verify_ledger()
    assert report.problems == [
        f"账户 {account.name}(#{account.pk}) 按业务日期 2026-02-01 第 2 笔分录后余额为 -100.00 元，对账单出现负数"
    ]
