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
