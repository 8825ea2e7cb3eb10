"""The withdrawal workflow: filing, two approvals, 公示, disbursement, settlement."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from funds import services
from funds.models import Application, ApplicationStep, FundEntry, FundTransaction, Notification, StarRule
from funds.rules import credit_line
from funds.selectors import applications_waiting, items_waiting_for
from funds.verify import verify_ledger
from orgs.audit import LogEntry
from tests.helpers.funds import D, file_project, lines, open_accounts, pool, rate, through_publicity


def counts():
    return (
        Application.objects.count(),
        ApplicationStep.objects.count(),
        FundTransaction.objects.count(),
        FundEntry.objects.count(),
    )


def test_full_cycle_reward_from_pool_and_unspent_flows_back(world):
    account = open_accounts(world, deposit="1000.00", pool="10000.00")
    rate(world.org_a, 3)  # ★3: 50% of this year's deposits as reward
    line = credit_line(account=account, on=date(2026, 5, 1))
    assert (line.mode, line.pool_cap, line.drawable) == ("reward", D("500.00"), D("1500.00"))

    app = file_project(world, "1400.00")
    assert Notification.objects.filter(user=world.street_a_staff, application=app).exists()
    through_publicity(world, app, on=date(2026, 5, 1), days=5)
    app.refresh_from_db()
    assert (app.status, app.stars, app.publicity_end) == (Application.Status.PUBLICITY, 3, date(2026, 5, 5))

    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    app.refresh_from_db()
    account.refresh_from_db()
    assert (app.own_amount, app.pool_amount, account.balance) == (D("1000.00"), D("400.00"), D("0.00"))
    assert pool().balance == D("9600.00")

    receipt = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    services.application_settle(application=app, by=world.secretary_a, spent="1300.00", receipts=[receipt])
    app.refresh_from_db()
    assert (app.status, app.spent_amount, pool().balance) == (Application.Status.SETTLEMENT_REVIEW, None, D("9600.00"))
    services.settlement_approve(application=app, by=world.street_a_staff)
    app.refresh_from_db()
    account.refresh_from_db()
    # 100 unspent goes back to the pool, which paid 400 of it.
    assert (app.status, app.pool_returned, account.balance) == (Application.Status.SETTLED, D("100.00"), D("0.00"))
    assert pool().balance == D("9700.00")
    assert app.receipts.count() == 1
    assert verify_ledger().ok
    assert [s.action for s in app.steps.all()] == [
        "submit",
        "street_approve",
        "district_approve",
        "disburse",
        "settle_submit",
        "settle",
    ]
    assert LogEntry.objects.filter(additional_data__event="fund.application.disburse").exists()


def test_no_deposits_gets_subsidy_up_to_yearly_cap_by_star(world):
    account = open_accounts(world, deposit="0", pool="10000.00")
    rate(world.org_a, 2)  # ★2: subsidy cap 1,000
    assert credit_line(account=account, on=date(2026, 5, 1)).drawable == D("1000.00")
    with pytest.raises(ValidationError, match="超出可提取额度"):
        file_project(world, "1000.01")
    app = file_project(world, "600.00")
    through_publicity(world, app)
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    account.refresh_from_db()
    line = credit_line(account=account, on=date(2026, 5, 7))
    assert (line.pool_used, line.drawable) == (D("600.00"), D("400.00"))


def test_approval_uses_star_and_rule_in_force_on_its_date(world):
    open_accounts(world, deposit="1000.00", pool="10000.00")
    rate(world.org_a, 5, published_on=date(2026, 1, 10))
    app = file_project(world, "1800.00")  # own 1000 + ★5 100% = 2000
    # Before the approval date the star drops and the district cuts ★2's rate.
    rate(world.org_a, 2, published_on=date(2026, 4, 1))
    StarRule.objects.create(stars=2, effective_from=date(2026, 4, 1), match_rate=D("0.1"), subsidy_cap=D("0"))
    services.application_approve(application=app, by=world.street_a_staff, level="street")
    with pytest.raises(ValidationError, match="按审批日"):
        services.application_approve(application=app, by=world.district, level="district", on=date(2026, 5, 1))
    app.refresh_from_db()
    assert app.status == Application.Status.DISTRICT_REVIEW
    # Approved on a date when ★5 was still in force, it passes with ★5's values.
    services.application_approve(application=app, by=world.district, level="district", on=date(2026, 3, 1))
    app.refresh_from_db()
    assert (app.stars, app.match_rate) == (5, D("1.0000"))


@pytest.mark.parametrize(
    ("amount", "budget", "message"),
    [
        ("-5.00", lines("-5.00"), "必须大于零"),
        ("0", lines("0"), "必须大于零"),
        ("abc", lines("1.00"), "格式不正确"),
        ("1.001", lines("1.001"), "格式不正确"),
        ("300.00", lines("100.00", "150.00"), "不一致"),
        ("300.00", [], "至少填写一项"),
        ("5000.00", lines("5000.00"), "超出可提取额度"),
    ],
)
def test_bad_project_gets_chinese_message_and_writes_nothing(world, amount, budget, message):
    open_accounts(world, deposit="1000.00")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        file_project(world, amount, budget=budget)
    assert any(message in m for m in exc.value.messages)
    assert counts() == before


def test_outsider_secretary_cannot_file_for_another_org(world):
    open_accounts(world)
    with pytest.raises(ValidationError, match="只有本党组织书记"):
        file_project(world, "10.00", by=world.secretary_b)
    assert Application.objects.count() == 0


def test_approval_out_of_turn_or_twice_is_refused_and_writes_nothing(world):
    open_accounts(world)
    app = file_project(world, "100.00")
    with pytest.raises(ValidationError, match="不在您的审批环节"):
        services.application_approve(application=app, by=world.district, level="district")
    with pytest.raises(ValidationError, match="只有本街道"):
        services.application_approve(application=app, by=world.district, level="street")
    services.application_approve(application=app, by=world.street_a_staff, level="street")
    steps = ApplicationStep.objects.count()
    with pytest.raises(ValidationError, match="街道审批已完成，不能重复审批"):
        services.application_approve(application=app, by=world.street_a_staff, level="street")
    services.application_approve(application=app, by=world.district, level="district")
    with pytest.raises(ValidationError, match="区级审批已完成，不能重复审批"):
        services.application_approve(application=app, by=world.district, level="district")
    assert ApplicationStep.objects.count() == steps + 1


def test_return_needs_a_reason_and_resubmission_goes_back_to_the_street(world):
    open_accounts(world)
    app = file_project(world, "100.00")
    with pytest.raises(ValidationError, match="退回必须填写理由"):
        services.application_return(application=app, by=world.street_a_staff, level="street", reason="  ")
    services.application_return(application=app, by=world.street_a_staff, level="street", reason="预算过粗")
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED
    assert Notification.objects.filter(user=world.secretary_a, message__contains="预算过粗").exists()
    services.application_resubmit(
        application=app,
        by=world.secretary_a,
        activity="主题党日",
        activity_date=date(2026, 6, 1),
        participants=10,
        budget_lines=lines("60.00", "40.00"),
        amount="100.00",
    )
    app.refresh_from_db()
    assert (app.status, app.budget_lines.count()) == (Application.Status.STREET_REVIEW, 2)


def test_publicity_objection_holds_disbursement_until_resolved(world):
    open_accounts(world)
    app = file_project(world, "100.00")
    through_publicity(world, app, on=date(2026, 5, 1), days=3)
    with pytest.raises(ValidationError, match="公示期未满"):
        services.application_disburse(application=app, by=world.district, on=date(2026, 5, 3))
    objection = services.objection_raise(
        application=app, by=world.street_a_staff, text="活动与往年重复", on=date(2026, 5, 2)
    )
    with pytest.raises(ValidationError, match="未处理的异议"):
        services.application_disburse(application=app, by=world.district, on=date(2026, 5, 4))
    services.objection_resolve(objection=objection, by=world.district, resolution="经核实活动内容不同")
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 4))
    with pytest.raises(ValidationError, match="已拨付，不能重复拨付"):
        services.application_disburse(application=app, by=world.district, on=date(2026, 5, 4))


def test_settlement_checks_amount_and_receipts(world):
    open_accounts(world)
    app = file_project(world, "100.00")
    through_publicity(world, app)
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    for spent, message in (("-1", "不能为负数"), ("100.01", "超过拨付金额"), ("50", "请上传报账票据")):
        with pytest.raises(ValidationError, match=message):
            services.application_settle(application=app, by=world.secretary_a, spent=spent)
    app.refresh_from_db()
    assert app.status == Application.Status.DISBURSED
    services.application_settle(application=app, by=world.secretary_a, spent="0")
    services.settlement_approve(application=app, by=world.street_a_staff)
    app.account.refresh_from_db()
    assert app.account.balance == D("1000.00")


def test_applications_waiting_more_than_ten_days(world):
    from django.utils import timezone

    open_accounts(world)
    app = file_project(world, "100.00")
    Application.objects.filter(pk=app.pk).update(waiting_since=timezone.now() - timezone.timedelta(days=11))
    today = timezone.localdate()
    assert list(applications_waiting(on=today)) == [app]
    assert list(applications_waiting(on=today, days=12)) == []
    assert app in items_waiting_for(user=world.street_a_staff)["queue"]
    assert items_waiting_for(user=world.secretary_b)["queue"] == []


def test_publicity_over_and_not_disbursed_counts_as_waiting(world):
    from django.utils import timezone

    open_accounts(world)
    app = file_project(world, "100.00")
    through_publicity(world, app, on=date(2026, 5, 1), days=5)
    approved_at = timezone.make_aware(timezone.datetime(2026, 5, 1, 10, 0))
    Application.objects.filter(pk=app.pk).update(waiting_since=approved_at)
    # 公示 ended on 5 May: on 12 May the district has had a week, on 16 May more than ten days.
    assert list(applications_waiting(on=date(2026, 5, 12))) == []
    assert list(applications_waiting(on=date(2026, 5, 16))) == [app]


def test_secretary_may_withdraw_before_publicity_only(world):
    open_accounts(world)
    app = file_project(world, "100.00")
    services.application_withdraw(application=app, by=world.secretary_a)
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN
    other = file_project(world, "100.00")
    through_publicity(world, other)
    with pytest.raises(ValidationError, match="不能撤回"):
        services.application_withdraw(application=other, by=world.secretary_a)
