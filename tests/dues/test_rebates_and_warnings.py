"""党费返还: a quarter posts once however often the job runs, late payments
become a top-up, the journal balances; and the arrears warnings appear
after `compute_stats`."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.errors import ApplicationError
from dues import services
from dues.models import Payment, Rebate, RebateRatio
from dues.rules import add_months, quarter_of
from dues.tasks import post_dues_rebates_task
from funds.models import FundAccount, FundTransaction, TransactionKind
from funds.verify import verify_ledger
from orgs.models import Alert
from stats.run import compute_stats
from tests.factories import MemberFactory


def _quarter_before(this_month):
    """The last full quarter and its months."""
    first = add_months(this_month, -3 - (this_month.month - 1) % 3)
    return quarter_of(first), [first, add_months(first, 1), add_months(first, 2)]


def _pay(world, member, period, amount="97.50"):
    return services.payment_record(
        by=world.secretary_a, member=member, period=period, amount=amount, paid_on=timezone.localdate()
    )


def test_a_quarter_posts_once_and_balances(world, payer, this_month):
    quarter, months = _quarter_before(this_month)
    for month in months[:2]:
        _pay(world, payer, month)
    call_command("post_dues_rebates", quarter=quarter)
    call_command("post_dues_rebates", quarter=quarter)
    post_dues_rebates_task(quarter)
    rebate = Rebate.objects.get()
    assert rebate.amount == Decimal("195.00") and rebate.seq == 0
    account = FundAccount.objects.get(organization=world.org_a)
    assert account.balance == Decimal("195.00")
    assert FundTransaction.objects.filter(kind=TransactionKind.DUES_REBATE).count() == 1
    # A payment for the quarter recorded after its rebate: a top-up in the next run.
    _pay(world, payer, months[2])
    services.rebates_post(quarter=quarter)
    services.rebates_post(quarter=quarter)
    top_up = Rebate.objects.get(seq=1)
    assert top_up.amount == Decimal("97.50")
    account.refresh_from_db()
    assert (
        account.balance
        == Decimal("292.50")
        == Payment.objects.aggregate(s=__import__("django").db.models.Sum("amount"))["s"]
    )
    assert verify_ledger().ok


def test_the_ratio_is_a_district_setting(world, payer, this_month):
    quarter, months = _quarter_before(this_month)
    _pay(world, payer, months[0])
    RebateRatio.objects.create(district=world.street_a.parent, ratio=Decimal("0.5"))
    services.rebates_post(quarter=quarter)
    assert Rebate.objects.get().amount == Decimal("48.75")  # 97.50 × 50%
    assert verify_ledger().ok


def test_a_quarter_not_yet_over_is_refused(world, this_month):
    with pytest.raises(ApplicationError) as exc:
        services.rebates_post(quarter=quarter_of(this_month))
    assert "尚未结束" in exc.value.messages[0]
    assert not Rebate.objects.exists()


def test_only_district_staff_post_by_hand(world, this_month):
    from django.core.exceptions import PermissionDenied

    quarter, _months = _quarter_before(this_month)
    with pytest.raises(PermissionDenied):
        services.rebates_post(quarter=quarter, by=world.secretary_a)


def test_arrears_warnings_after_compute_stats(world, months_ago):
    yellow = MemberFactory(organization=world.org_a, name="黄欠三")
    red = MemberFactory(organization=world.org_a, name="红欠六")
    excused = MemberFactory(organization=world.org_a, name="有理由")
    fine = MemberFactory(organization=world.org_a, name="按时交")
    for member in (yellow, red, excused, fine):
        services.basis_declare(by=world.secretary_a, member=member, category="student", due_from=months_ago(8))
    services.basis_declare(
        by=world.secretary_a, member=excused, category="student", due_from=months_ago(8), arrears_reason="重病住院"
    )
    for n in range(1, 9):
        _pay(world, fine, months_ago(n), "0.20")
        if n > 3:
            _pay(world, yellow, months_ago(n), "0.20")
        if n > 7:
            _pay(world, red, months_ago(n), "0.20")
    compute_stats(on=timezone.localdate())

    def alert(member):
        return Alert.objects.filter(
            kind=Alert.Kind.DUES_ARREARS, subject_key=f"dues:{member.pk}", closed_on__isnull=True
        ).first()

    assert alert(yellow).level == Alert.Level.YELLOW and "3个月" in alert(yellow).message
    assert alert(red).level == Alert.Level.RED and "党章" in alert(red).message
    assert alert(red).organization_id == world.org_a.pk
    assert alert(excused).level == Alert.Level.YELLOW
    assert alert(fine) is None
