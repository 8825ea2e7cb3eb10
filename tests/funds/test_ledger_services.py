"""Income, reversal and the ledger's self-check."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from funds import services
from funds.models import FundAccount, FundEntry, FundTransaction, TransactionKind
from funds.verify import verify_ledger
from tests.helpers.funds import D, open_accounts


@pytest.mark.parametrize(
    "receive",
    [
        services.income_enterprise_deposit,
        services.income_dues_rebate,
        services.income_joint_funding,
        services.income_sponsorship,
    ],
)
def test_four_income_types_reach_the_org_account(world, receive):
    account = open_accounts(world, deposit="0")
    receive(account=account, amount="123.45", by=world.district)
    account.refresh_from_db()
    assert account.balance == D("123.45")


def test_fiscal_subsidy_goes_to_the_pool_only(world):
    account = open_accounts(world, deposit="0")
    services.income_fiscal_subsidy(amount="5000", by=world.district)
    assert services.pool_account().balance == D("5000.00")
    with pytest.raises(ValidationError, match="只能拨入区级资金池"):
        services.income_receive(kind=TransactionKind.FISCAL_SUBSIDY, account=account, amount="1", by=world.district)
    with pytest.raises(ValidationError, match="只能存入党组织"):
        services.income_receive(
            kind=TransactionKind.SPONSORSHIP, account=services.pool_account(), amount="1", by=world.district
        )


@pytest.mark.parametrize("amount", ["-1", "0", "1.005", "一百"])
def test_bad_income_amount_writes_nothing(world, amount):
    account = open_accounts(world, deposit="0")
    with pytest.raises(ValidationError):
        services.income_enterprise_deposit(account=account, amount=amount, by=world.district)
    assert FundTransaction.objects.count() == 0


def test_reversal_once_only_and_never_of_a_reversal(world):
    account = open_accounts(world, deposit="1000.00")
    deposit = FundTransaction.objects.get(kind=TransactionKind.ENTERPRISE_DEPOSIT)
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.transaction_reverse(transaction_=deposit, by=world.district, reason="")
    reversal = services.transaction_reverse(transaction_=deposit, by=world.district, reason="重复录入")
    account.refresh_from_db()
    assert (account.balance, reversal.reverses_id) == (D("0.00"), deposit.pk)
    with pytest.raises(ValidationError, match="已冲正"):
        services.transaction_reverse(transaction_=deposit, by=world.district, reason="again")
    with pytest.raises(ValidationError, match="不能再次冲正"):
        services.transaction_reverse(transaction_=reversal, by=world.district, reason="again")
    assert verify_ledger().ok


def test_reversing_money_already_spent_is_refused(world):
    account = open_accounts(world, deposit="100.00")
    sink = services.external_account(FundAccount.Kind.EXTERNAL_SINK)
    services.ledger_post(
        kind=TransactionKind.DISBURSEMENT,
        occurred_on=date(2026, 3, 1),
        memo="x",
        legs=[(account, D("-80")), (sink, D("80"))],
        by=world.district,
    )
    deposit = FundTransaction.objects.get(kind=TransactionKind.ENTERPRISE_DEPOSIT)
    with pytest.raises(ValidationError, match="余额不足"):
        services.transaction_reverse(transaction_=deposit, by=world.district, reason="错账")
    assert not FundTransaction.objects.filter(kind=TransactionKind.REVERSAL).exists()


def test_verify_ledger_command_passes_on_clean_books(world, capsys):
    open_accounts(world, deposit="10.00", pool="20.00")
    call_command("verify_ledger")
    assert "问题 0 处" in capsys.readouterr().out


def _tamper(sql: str, params) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks would otherwise block the ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE funds_fundentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE funds_fundentry ENABLE TRIGGER USER")


def test_verify_ledger_detects_a_tampered_entry(world):
    account = open_accounts(world, deposit="10.00")
    entry = FundEntry.objects.get(account=account)
    _tamper("UPDATE funds_fundentry SET amount = %s WHERE id = %s", [D("1000.00"), entry.pk])
    report = verify_ledger()
    assert not report.ok
    assert any("哈希不符" in p for p in report.problems)
    assert any("借贷不平" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify_ledger")


def test_verify_ledger_detects_a_stored_balance_that_drifted(world):
    account = open_accounts(world, deposit="10.00")
    FundAccount.objects.filter(pk=account.pk).update(balance=D("11.00"))
    assert any("存储余额" in p for p in verify_ledger().problems)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_ledger_detects_tampering_on_postgres_with_trigger_disabled(world):
    test_verify_ledger_detects_a_tampered_entry(world)


def test_verify_ledger_detects_a_reversal_that_does_not_mirror_its_original(world):
    account = open_accounts(world, deposit="10.00")
    deposit = FundTransaction.objects.get(kind=TransactionKind.ENTERPRISE_DEPOSIT)
    source = services.external_account(FundAccount.Kind.EXTERNAL_SOURCE)
    # A "reversal" of the wrong amount, booked straight through the ledger.
    services.ledger_post(
        kind=TransactionKind.REVERSAL,
        occurred_on=date(2026, 3, 1),
        memo="错误冲正",
        legs=[(account, D("-4.00")), (source, D("4.00"))],
        by=world.district,
        reverses=deposit,
    )
    assert any("不对应" in p for p in verify_ledger().problems)
