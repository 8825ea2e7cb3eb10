"""Real concurrent connections on PostgreSQL: many clerks pressing the button
at the same moment never overdraw an account and never lose a fen."""

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from funds import services
from funds.models import Application, FundAccount, FundTransaction, TransactionKind
from funds.rules import rule_values
from funds.verify import verify_ledger
from orgs.models import Role
from tests.helpers.funds import D, rate

from ..factories import OrganizationFactory, UserFactory, grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APPROVED_ON = date(2026, 3, 1)


def approved_application(organization, account, amount, by, *, stars=None) -> Application:
    """An application that has passed both approvals and a finished 公示."""
    rule = rule_values(stars=stars, on=APPROVED_ON)
    return Application.objects.create(
        organization=organization,
        account=account,
        activity="主题党日",
        activity_date=APPROVED_ON,
        participants=5,
        amount=amount,
        status=Application.Status.PUBLICITY,
        waiting_since=timezone.now(),
        approved_on=APPROVED_ON,
        stars=rule.stars,
        match_rate=rule.match_rate,
        subsidy_cap=rule.subsidy_cap,
        publicity_start=APPROVED_ON,
        publicity_end=APPROVED_ON + timedelta(days=4),
        created_by=by,
    )


def run_together(calls) -> Counter:
    """Start every call at the same instant, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    outcome: Counter = Counter()
    lock = threading.Lock()

    def worker(call):
        try:
            barrier.wait()
            call()
            result = "ok"
        except ValidationError as exc:
            result = exc.messages[0]
        except Exception as exc:  # noqa: BLE001 - a crash is an outcome the test reports
            result = f"crash: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcome[result] += 1

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcome


def test_fifty_simultaneous_disbursements_never_overdraw_one_balance(world):
    account = services.account_open(organization=world.org_a, by=world.district, opened_on=date(2026, 1, 1))
    services.income_enterprise_deposit(account=account, amount="1000.00", by=world.district, occurred_on=APPROVED_ON)
    apps = [approved_application(world.org_a, account, D("100.00"), world.secretary_a) for _ in range(50)]

    outcome = run_together(
        [
            (lambda app=app: services.application_disburse(application=app, by=world.district, on=date(2026, 3, 10)))
            for app in apps
        ]
    )

    account.refresh_from_db()
    sink = services.external_account(FundAccount.Kind.EXTERNAL_SINK)
    assert outcome["ok"] == 10, outcome
    assert sum(outcome.values()) == 50 and not [k for k in outcome if k.startswith("crash")], outcome
    assert account.balance == D("0.00")
    assert sink.balance == D("1000.00")
    assert Application.objects.filter(status=Application.Status.DISBURSED).count() == 10
    assert FundTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count() == 10
    report = verify_ledger()
    assert report.ok, report.problems


def test_fifty_organizations_racing_for_the_pool_never_overdraw_it(world):
    services.income_fiscal_subsidy(amount="60000.00", by=world.district, occurred_on=date(2026, 1, 2))
    calls = []
    for _i in range(50):
        org = OrganizationFactory(street=world.street_a)
        grant(UserFactory(), Role.SECRETARY, organization=org)
        rate(org, 5)  # no deposits: a subsidy of up to 5,000 from the pool
        account = services.account_open(organization=org, by=world.district, opened_on=date(2026, 1, 1))
        app = approved_application(org, account, D("3000.00"), world.district, stars=5)
        calls.append(
            lambda app=app: services.application_disburse(application=app, by=world.district, on=date(2026, 3, 10))
        )

    outcome = run_together(calls)

    pool = services.pool_account()
    assert outcome["ok"] == 20, outcome
    assert not [k for k in outcome if k.startswith("crash")], outcome
    assert pool.balance == D("0.00")
    paid = sum(a.balance for a in FundAccount.objects.filter(kind=FundAccount.Kind.EXTERNAL_SINK))
    assert paid == D("60000.00")
    assert verify_ledger().ok


def test_ten_clerks_reversing_the_same_deposit_reverse_it_once(world):
    account = services.account_open(organization=world.org_a, by=world.district, opened_on=date(2026, 1, 1))
    deposit = services.income_enterprise_deposit(account=account, amount="500.00", by=world.district)

    outcome = run_together(
        [lambda: services.transaction_reverse(transaction_=deposit, by=world.district, reason="重复录入")] * 10
    )

    account.refresh_from_db()
    assert outcome["ok"] == 1, outcome
    assert outcome["该交易已冲正，不能重复冲正"] == 9, outcome
    assert account.balance == D("0.00")
    assert verify_ledger().ok
