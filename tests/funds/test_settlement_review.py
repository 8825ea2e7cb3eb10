"""报账 is reviewed: the secretary submits the actual cost line by line with
a receipt each, the street of the organization approves or returns it, and
only the approval makes it final and moves money. Settling before the
activity date is refused; whoever submitted may not approve."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funds import services
from funds.models import (
    Application,
    ApplicationStep,
    FundTransaction,
    Notification,
    Receipt,
    Settlement,
    SettlementLine,
    TransactionKind,
)
from funds.selectors import approval_queue, items_waiting_for
from funds.verify import verify_ledger
from orgs.models import Role
from tests.factories import UserFactory, grant
from tests.helpers import hostile_uploads as hostile
from tests.helpers.funds import D, file_project, open_accounts, pool, rate, through_publicity

URL = "/api/v1/fund-applications/"


def pdf(name="发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, hostile.clean_pdf(), content_type="application/pdf")


@pytest.fixture
def disbursed(world):
    """1,000 deposited, ★3 (reward 50%): 1,400 approved, 1,000 own money and 400 from the pool."""
    open_accounts(world, deposit="1000.00", pool="10000.00")
    rate(world.org_a, 3)
    app = file_project(world, "1400.00")
    through_publicity(world, app, on=date(2026, 5, 1))
    return services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))


def lines_of(*pairs):
    return [{"item": item, "amount": amount, "receipt": pdf(f"{item}.pdf")} for item, amount in pairs]


def written(settings) -> tuple:
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    return (
        Settlement.objects.count(),
        SettlementLine.objects.count(),
        Receipt.objects.count(),
        ApplicationStep.objects.count(),
        FundTransaction.objects.count(),
        len(files),
    )


def test_secretary_submits_lines_and_nothing_is_final(world, disbursed):
    account = disbursed.account
    account.refresh_from_db()
    balances = (account.balance, pool().balance)
    services.application_settle(
        application=disbursed,
        by=world.secretary_a,
        lines=lines_of(("场地费", "800.00"), ("资料印制", "500.00")),
        note="两项支出",
        on=date(2026, 6, 2),
    )
    disbursed.refresh_from_db()
    account.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLEMENT_REVIEW
    assert disbursed.get_status_display() == "报账待街道审核"
    assert disbursed.spent_amount is None and disbursed.return_transaction is None
    assert (account.balance, pool().balance) == balances
    assert not FundTransaction.objects.filter(kind=TransactionKind.RETURN).exists()
    settlement = disbursed.settlements.get()
    assert (settlement.status, settlement.spent, settlement.settled_on) == ("pending", D("1300.00"), date(2026, 6, 2))
    assert [(line.item, line.amount, line.receipt.description) for line in settlement.lines.all()] == [
        ("场地费", D("800.00"), "场地费.pdf"),
        ("资料印制", D("500.00"), "资料印制.pdf"),
    ]
    # The street hears of it and finds it in its queue and on its workbench; another street does not.
    assert Notification.objects.filter(user=world.street_a_staff, application=disbursed).exists()
    assert list(approval_queue(user=world.street_a_staff)) == [disbursed]
    assert disbursed in items_waiting_for(user=world.street_a_staff)["queue"]
    street_b_staff = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    assert list(approval_queue(user=street_b_staff)) == []
    with pytest.raises(ValidationError, match="正在等待街道审核"):
        services.application_settle(
            application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "1.00")), on=date(2026, 6, 3)
        )


def test_street_approval_makes_it_final_and_the_remainder_flows_back(world, disbursed):
    services.application_settle(
        application=disbursed,
        by=world.secretary_a,
        lines=lines_of(("场地费", "800.00"), ("资料印制", "500.00")),
        on=date(2026, 6, 2),
    )
    services.settlement_approve(application=disbursed, by=world.street_a_staff, opinion="票据齐全", on=date(2026, 6, 5))
    disbursed.refresh_from_db()
    account = disbursed.account
    account.refresh_from_db()
    # 1,400 approved, 1,300 spent by the lines: the 100 left goes back to the pool, which paid 400 of it.
    assert disbursed.status == Application.Status.SETTLED
    assert (disbursed.spent_amount, disbursed.pool_returned) == (D("1300.00"), D("100.00"))
    assert (account.balance, pool().balance) == (D("0.00"), D("9700.00"))
    back = disbursed.return_transaction
    assert (back.kind, back.occurred_on) == (TransactionKind.RETURN, date(2026, 6, 5))
    assert sorted(e.amount for e in back.entries.all()) == [D("-100.00"), D("100.00")]
    settlement = disbursed.settlements.get()
    assert (settlement.status, settlement.decided_by, settlement.opinion) == (
        "approved",
        world.street_a_staff,
        "票据齐全",
    )
    assert [s.action for s in disbursed.steps.all()][-2:] == ["settle_submit", "settle"]
    assert verify_ledger().ok
    assert Notification.objects.filter(user=world.secretary_a, message__contains="报账已审核通过").exists()
    with pytest.raises(ValidationError, match="已报账完毕"):
        services.settlement_approve(application=disbursed, by=world.street_a_staff)


def test_remainder_beyond_the_pool_share_goes_to_the_own_account(world, disbursed):
    services.application_settle(
        application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "900.00")), on=date(2026, 6, 2)
    )
    services.settlement_approve(application=disbursed, by=world.street_a_staff, on=date(2026, 6, 5))
    disbursed.account.refresh_from_db()
    # 500 unspent: 400 back to the pool (what it paid), 100 to the organization's own account.
    assert (disbursed.account.balance, pool().balance) == (D("100.00"), D("10000.00"))
    assert verify_ledger().ok


def test_street_returns_with_a_reason_and_the_secretary_submits_again(world, disbursed):
    services.application_settle(
        application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")), on=date(2026, 6, 2)
    )
    with pytest.raises(ValidationError, match="退回必须填写理由"):
        services.settlement_return(application=disbursed, by=world.street_a_staff, reason=" ")
    services.settlement_return(application=disbursed, by=world.street_a_staff, reason="票据抬头与党组织名称不符")
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.DISBURSED
    assert not FundTransaction.objects.filter(kind=TransactionKind.RETURN).exists()
    assert disbursed.settlements.get().status == "returned"
    assert disbursed in items_waiting_for(user=world.secretary_a)["to_settle"]
    services.application_settle(
        application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")), on=date(2026, 6, 3)
    )
    services.settlement_approve(application=disbursed, by=world.street_a_staff)
    assert [s.status for s in disbursed.settlements.all()] == ["approved", "returned"]


def test_whoever_submitted_may_not_approve(world, disbursed):
    both = grant(world.street_a_staff, Role.SECRETARY, organization=world.org_a)
    services.application_settle(application=disbursed, by=both, lines=lines_of(("场地费", "800.00")))
    with pytest.raises(ValidationError, match="不能审核本人提交的报账"):
        services.settlement_approve(application=disbursed, by=both)
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLEMENT_REVIEW
    assert not FundTransaction.objects.filter(kind=TransactionKind.RETURN).exists()


@pytest.mark.parametrize("who", ["secretary_a", "district", "leader", "secretary_b", "street_b"])
def test_only_the_streets_staff_review(world, disbursed, who):
    user = (
        grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
        if who == "street_b"
        else getattr(world, who)
    )
    services.application_settle(application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")))
    with pytest.raises(ValidationError, match="只有本街道非公党委工作人员可以审核报账"):
        services.settlement_approve(application=disbursed, by=user)
    with pytest.raises(ValidationError, match="只有本街道非公党委工作人员可以审核报账"):
        services.settlement_return(application=disbursed, by=user, reason="不符")
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLEMENT_REVIEW


def test_settling_before_the_activity_date_is_refused_and_nothing_written(world, settings):
    open_accounts(world, deposit="1000.00")
    app = services.application_create(
        organization=world.org_a,
        by=world.secretary_a,
        activity="主题党日",
        activity_date=date(2026, 12, 20),
        participants=10,
        budget_lines=[{"item": "场地费", "amount": "300.00"}],
        amount="300.00",
    )
    through_publicity(world, app, on=date(2026, 11, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 11, 10))
    before = written(settings)
    with pytest.raises(ValidationError) as refused:
        services.application_settle(
            application=app, by=world.secretary_a, lines=lines_of(("场地费", "300.00")), on=date(2026, 12, 1)
        )
    (message,) = refused.value.message_dict["settled_on"]
    assert "活动日期" in message and "2026-12-20" in message and "2026-12-01" in message
    assert written(settings) == before
    app.refresh_from_db()
    assert app.status == Application.Status.DISBURSED
    # On the day of the activity it may be settled.
    services.application_settle(
        application=app, by=world.secretary_a, lines=lines_of(("场地费", "300.00")), on=date(2026, 12, 20)
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [("5,0", "逗号只能用作千位分隔符"), ("abc", "格式不正确"), ("0", "必须大于零"), ("1e3", "格式不正确")],
)
def test_a_bad_line_amount_is_refused_and_nothing_written(world, disbursed, settings, amount, message):
    before = written(settings)
    with pytest.raises(ValidationError) as refused:
        services.application_settle(
            application=disbursed,
            by=world.secretary_a,
            lines=lines_of(("场地费", "100.00"), ("资料费", amount)),
            on=date(2026, 6, 2),
        )
    said = refused.value.message_dict["lines"]
    assert any(m.startswith("第2项实际金额") and message in m for m in said), said
    assert written(settings) == before


def test_lines_need_an_item_and_a_receipt_and_may_not_exceed_the_amount(world, disbursed, settings):
    before = written(settings)
    cases = [
        ([{"item": "", "amount": "10.00", "receipt": pdf()}], "缺少支出项目名称"),
        ([{"item": "场地费", "amount": "10.00", "receipt": None}], "第1项报账明细缺少票据"),
        (lines_of(("场地费", "1000.00"), ("资料费", "400.01")), "超过拨付金额"),
    ]
    for lines, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.application_settle(application=disbursed, by=world.secretary_a, lines=lines, on=date(2026, 6, 2))
    with pytest.raises(ValidationError, match="格式不支持"):
        services.application_settle(
            application=disbursed,
            by=world.secretary_a,
            lines=[{"item": "场地费", "amount": "10.00", "receipt": SimpleUploadedFile("a.exe", b"MZ")}],
            on=date(2026, 6, 2),
        )
    assert written(settings) == before


# --- pages ------------------------------------------------------------------------------------


def form_post(*rows, note=""):
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0", "note": note}
    for i, (item, amount, receipt) in enumerate(rows):
        data[f"lines-{i}-item"] = item
        data[f"lines-{i}-amount"] = amount
        if receipt is not None:
            data[f"lines-{i}-receipt"] = receipt
    return data


def test_settlement_pages_from_submission_to_approval(world, disbursed, login):
    client = login(world.secretary_a)
    url = reverse("funds:application_settle", args=[disbursed.pk])
    page = client.get(url).content.decode()
    # Usable on a phone: the lines' table scrolls inside its wrapper, amounts are text boxes, never textareas.
    assert '<div class="table-wrap">' in page
    assert 'name="lines-0-amount"' in page and 'inputmode="decimal"' in page
    assert 'textarea name="lines-0-amount"' not in page
    response = client.post(url, form_post(("场地费", "800.00", pdf()), ("", "", None), note="按实报账"), follow=True)
    assert "报账已提交，等待街道审核" in response.content.decode()
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLEMENT_REVIEW
    assert disbursed.settlements.get().lines.count() == 1

    staff = login(world.street_a_staff)
    assert disbursed.activity in staff.get(reverse("funds:approval_queue")).content.decode()
    detail = staff.get(reverse("funds:application_detail", args=[disbursed.pk])).content.decode()
    assert reverse("funds:settlement_approve", args=[disbursed.pk]) in detail and "场地费" in detail
    response = staff.post(reverse("funds:settlement_approve", args=[disbursed.pk]), {"opinion": "同意"}, follow=True)
    assert "报账已审核通过" in response.content.decode()
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLED and disbursed.spent_amount == D("800.00")


def test_settlement_page_refuses_a_bad_amount_naming_it_and_writes_nothing(world, disbursed, login, settings):
    before = written(settings)
    response = login(world.secretary_a).post(
        reverse("funds:application_settle", args=[disbursed.pk]), form_post(("场地费", "5,0", pdf()))
    )
    body = response.content.decode()
    assert response.status_code == 200 and "实际金额" in body and "逗号只能用作千位分隔符" in body
    assert written(settings) == before


def test_submitter_sees_no_approve_button_and_a_post_is_refused(world, disbursed, login):
    both = grant(world.street_a_staff, Role.SECRETARY, organization=world.org_a)
    services.application_settle(application=disbursed, by=both, lines=lines_of(("场地费", "800.00")))
    client = login(both)
    detail = client.get(reverse("funds:application_detail", args=[disbursed.pk])).content.decode()
    assert reverse("funds:settlement_approve", args=[disbursed.pk]) not in detail
    response = client.post(reverse("funds:settlement_approve", args=[disbursed.pk]), follow=True)
    assert "不能审核本人提交的报账" in response.content.decode()
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLEMENT_REVIEW


def test_outsider_gets_404_on_every_settlement_page(world, disbursed, login, settings):
    services.application_settle(application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")))
    before = written(settings)
    client = login(world.secretary_b)
    assert client.get(reverse("funds:application_settle", args=[disbursed.pk])).status_code == 404
    for name in ("application_settle", "settlement_approve", "settlement_return"):
        assert client.post(reverse(f"funds:{name}", args=[disbursed.pk]), {"reason": "x"}).status_code == 404
    assert written(settings) == before


# --- API --------------------------------------------------------------------------------------


def test_api_settles_line_by_line_with_receipts_and_the_street_approves(world, disbursed, api):
    import json

    response = api(world.secretary_a).post(
        f"{URL}{disbursed.pk}/settle/",
        {
            "lines": json.dumps([{"item": "场地费", "amount": "800.00"}, {"item": "资料费", "amount": "200.00"}]),
            "note": "两项",
            "receipt_1": pdf("场地.pdf"),
            "receipt_2": pdf("资料.pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "settlement_review" and body["spent_amount"] is None
    (settlement,) = body["settlements"]
    assert settlement["spent"] == "1000.00"
    assert [(line["item"], line["receipt_name"]) for line in settlement["lines"]] == [
        ("场地费", "场地.pdf"),
        ("资料费", "资料.pdf"),
    ]
    assert api(world.secretary_b).post(f"{URL}{disbursed.pk}/settlement-approve/").status_code == 404
    refused = api(world.secretary_a).post(f"{URL}{disbursed.pk}/settlement-approve/", {}, format="json")
    assert refused.status_code == 400 and "只有本街道非公党委工作人员可以审核报账" in str(refused.json())
    response = api(world.street_a_staff).post(f"{URL}{disbursed.pk}/settlement-approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "settled"
    assert response.json()["spent_amount"] == "1000.00"


def test_api_line_without_receipt_and_bad_amount_are_400s_with_nothing_written(world, disbursed, api, settings):
    before = written(settings)
    client = api(world.secretary_a)
    url = f"{URL}{disbursed.pk}/settle/"
    response = client.post(url, {"lines": [{"item": "场地费", "amount": "80"}]}, format="json")
    assert response.status_code == 400 and "第1项报账明细缺少票据" in str(response.json())
    response = client.post(url, {"lines": [{"item": "场地费", "amount": "5,0"}]}, format="json")
    assert response.status_code == 400
    (said,) = response.json()["lines"]["0"]["amount"]
    assert said.startswith("实际金额") and "逗号只能用作千位分隔符" in said
    response = client.post(url, {"note": "x"}, format="json")
    assert response.status_code == 400 and "请填写报账明细" in str(response.json())
    assert written(settings) == before


def test_api_return_needs_a_reason_and_goes_back_to_the_secretary(world, disbursed, api):
    services.application_settle(application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")))
    client = api(world.street_a_staff)
    response = client.post(f"{URL}{disbursed.pk}/settlement-return/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "退回必须填写理由" in str(response.json())
    response = client.post(f"{URL}{disbursed.pk}/settlement-return/", {"reason": "缺少签到表"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "disbursed"
    assert response.json()["settlements"][0]["opinion"] == "缺少签到表"


def test_admin_shows_the_settlements_read_only(world, disbursed, login):
    services.application_settle(application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")))
    services.settlement_return(application=disbursed, by=world.street_a_staff, reason="票据抬头不符")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    page = login(root).get(reverse("admin:funds_application_change", args=[disbursed.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "票据抬头不符" in body and "800.00" in body
    assert 'name="settlements-0-opinion"' not in body  # shown, not editable


def test_the_streets_workbench_lists_it_and_a_long_wait_is_a_warning(world, disbursed, login):
    from django.utils import timezone

    from funds.selectors import applications_waiting, waiting_label

    services.application_settle(application=disbursed, by=world.secretary_a, lines=lines_of(("场地费", "800.00")))
    home = login(world.street_a_staff).get(reverse("home")).content.decode()
    assert f"报账待街道审核：{world.org_a.name}" in home
    assert "报账待街道审核" not in login(world.secretary_b).get(reverse("home")).content.decode()
    Application.objects.filter(pk=disbursed.pk).update(waiting_since=timezone.now() - timezone.timedelta(days=11))
    (waiting,) = applications_waiting(on=timezone.localdate())
    assert waiting == disbursed and waiting_label(waiting) == "报账待街道审核"


def test_page_and_api_refuse_settling_before_the_activity_date(world, login, api, settings):
    from datetime import timedelta

    from django.utils import timezone

    open_accounts(world, deposit="1000.00")
    planned = timezone.localdate() + timedelta(days=18)
    app = services.application_create(
        organization=world.org_a,
        by=world.secretary_a,
        activity="年终主题党日",
        activity_date=planned,
        participants=10,
        budget_lines=[{"item": "场地费", "amount": "300.00"}],
        amount="300.00",
    )
    through_publicity(world, app, on=date(2026, 5, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    before = written(settings)
    response = login(world.secretary_a).post(
        reverse("funds:application_settle", args=[app.pk]), form_post(("场地费", "300.00", pdf()))
    )
    body = response.content.decode()
    assert "早于活动日期" in body and str(planned) in body
    response = api(world.secretary_a).post(
        f"{URL}{app.pk}/settle/",
        {"lines": '[{"item": "场地费", "amount": "300"}]', "receipt_1": pdf()},
        format="multipart",
    )
    assert response.status_code == 400
    (said,) = response.json()["settled_on"]
    assert "活动日期" in said and str(planned) in said
    assert written(settings) == before
    app.refresh_from_db()
    assert app.status == Application.Status.DISBURSED
