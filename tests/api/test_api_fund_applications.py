"""/api/v1/fund-applications/: the secretary files a project, the street and
then the district approve, 公示 takes objections, the district disburses, the
secretary settles. The outsider gets 404, bad input a Chinese message with
nothing written, and a step out of turn is refused."""

from datetime import date

import pytest
from django.utils import timezone

from funds import services
from funds.models import Application, ApplicationStep, BudgetLine, Objection
from tests.helpers.funds import file_project, open_accounts, through_publicity

URL = "/api/v1/fund-applications/"


@pytest.fixture
def account(world):
    return open_accounts(world, deposit="1000.00", pool="5000.00")


def project(world, **over):
    data = {
        "organization": world.org_a.pk,
        "activity": "主题党日",
        "activity_date": "2026-06-01",
        "participants": 10,
        "amount": "200.00",
        "budget_lines": [{"item": "场地费", "amount": "120.00"}, {"item": "资料费", "amount": "80.00", "note": "20份"}],
    }
    data.update(over)
    return data


def text(response) -> str:
    return str(response.json())


def test_secretary_files_a_project(world, api, account):
    response = api(world.secretary_a).post(URL, project(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "street_review" and body["status_display"] == "待街道审批"
    assert body["organization_name"] == world.org_a.name
    assert [line["item"] for line in body["budget_lines"]] == ["场地费", "资料费"]
    assert [step["action"] for step in body["steps"]] == ["submit"]
    assert body["steps"][0]["by_name"]
    assert Application.objects.get(pk=body["id"]).created_by == world.secretary_a


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"amount": "250.00"}, "不一致"),
        ({"budget_lines": []}, "请至少填写一项预算明细"),
        ({"amount": "99999.00", "budget_lines": [{"item": "场地费", "amount": "99999.00"}]}, "超出可提取额度"),
        ({"activity": "  "}, "activity"),
        ({"status": "settled"}, "未知或不可写入的字段"),
        ({"amount": "abc"}, "amount"),
    ],
)
def test_bad_project_is_refused_in_chinese_and_writes_nothing(world, api, account, over, message):
    response = api(world.secretary_a).post(URL, project(world, **over), format="json")
    assert response.status_code == 400
    assert message in text(response)
    assert not Application.objects.exists() and not BudgetLine.objects.exists()


def test_only_the_organizations_secretary_files(world, api, account):
    response = api(world.secretary_b).post(URL, project(world), format="json")
    assert response.status_code == 400 and "organization" in response.json()
    response = api(world.street_a_staff).post(URL, project(world), format="json")
    assert response.status_code == 400 and "只有本党组织书记" in text(response)
    assert not Application.objects.exists()


def test_list_and_detail_are_scoped(world, api, account):
    app = file_project(world, "300.00")
    assert [row["id"] for row in api(world.street_a_staff).get(URL).json()["results"]] == [app.pk]
    assert api(world.secretary_b).get(URL).json()["results"] == []
    assert api(world.secretary_b).get(f"{URL}{app.pk}/").status_code == 404
    body = api(world.leader).get(f"{URL}{app.pk}/").json()
    assert body["amount"] == "300.00" and len(body["budget_lines"]) == 1 and body["objections"] == []


def test_street_then_district_approval(world, api, account):
    app = file_project(world, "300.00")
    assert api(world.secretary_b).post(f"{URL}{app.pk}/street-approve/").status_code == 404
    response = api(world.street_a_staff).post(f"{URL}{app.pk}/street-approve/", {"opinion": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "district_review"
    bad = api(world.district).post(f"{URL}{app.pk}/district-approve/", {"publicity_days": 0}, format="json")
    assert bad.status_code == 400
    response = api(world.district).post(f"{URL}{app.pk}/district-approve/", {"publicity_days": 7}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "publicity" and body["publicity_days"] == 7
    assert [s["action"] for s in body["steps"]] == ["submit", "street_approve", "district_approve"]


def test_approval_out_of_turn_is_refused_and_writes_nothing(world, api, account):
    app = file_project(world, "300.00")
    response = api(world.district).post(f"{URL}{app.pk}/district-approve/")
    assert response.status_code == 400 and "不在您的审批环节" in text(response)
    response = api(world.secretary_a).post(f"{URL}{app.pk}/street-approve/")
    assert response.status_code == 400 and "只有本街道非公党委工作人员" in text(response)
    api(world.street_a_staff).post(f"{URL}{app.pk}/street-approve/")
    again = api(world.street_a_staff).post(f"{URL}{app.pk}/street-approve/")
    assert again.status_code == 400 and "不能重复审批" in text(again)
    early = api(world.district).post(f"{URL}{app.pk}/disburse/")
    assert early.status_code == 400 and "不在拨付环节" in text(early)
    app.refresh_from_db()
    assert app.status == "district_review"
    assert app.steps.count() == 2


def test_return_needs_a_reason_and_follows_the_step(world, api, account):
    app = file_project(world, "300.00")
    response = api(world.street_a_staff).post(f"{URL}{app.pk}/return/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "退回必须填写理由" in text(response)
    assert api(world.secretary_b).post(f"{URL}{app.pk}/return/", {"reason": "x"}).status_code == 404
    # At street review, the district is not the one to return it.
    response = api(world.district).post(f"{URL}{app.pk}/return/", {"reason": "预算不清"}, format="json")
    assert response.status_code == 400
    app.refresh_from_db()
    assert app.status == "street_review"
    response = api(world.street_a_staff).post(f"{URL}{app.pk}/return/", {"reason": "预算不清"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert response.json()["steps"][-1]["reason"] == "预算不清"


def test_objection_during_publicity(world, api, account):
    app = through_publicity(world, file_project(world, "300.00"), on=timezone.localdate())
    client = api(world.street_a_staff)
    response = client.post(f"{URL}{app.pk}/object/", {"text": ""}, format="json")
    assert response.status_code == 400 and "请填写异议内容" in text(response)
    assert api(world.secretary_b).post(f"{URL}{app.pk}/object/", {"text": "x"}).status_code == 404
    response = client.post(f"{URL}{app.pk}/object/", {"text": "预算偏高"}, format="json")
    assert response.status_code == 200
    assert [o["text"] for o in response.json()["objections"]] == ["预算偏高"]
    assert Objection.objects.count() == 1


def test_disburse_after_publicity_then_settle(world, api, account):
    app = through_publicity(world, file_project(world, "300.00"), on=date(2026, 5, 1))
    assert api(world.street_a_staff).post(f"{URL}{app.pk}/disburse/").status_code == 400
    assert api(world.secretary_b).post(f"{URL}{app.pk}/disburse/").status_code == 404
    response = api(world.district).post(f"{URL}{app.pk}/disburse/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "disbursed"
    again = api(world.district).post(f"{URL}{app.pk}/disburse/")
    assert again.status_code == 400 and "不能重复拨付" in text(again)

    client = api(world.secretary_a)
    response = client.post(f"{URL}{app.pk}/settle/", {"spent": "250.00"}, format="json")
    assert response.status_code == 400 and "请上传报账票据" in text(response)
    response = client.post(f"{URL}{app.pk}/settle/", {"spent": "400.00"}, format="json")
    assert response.status_code == 400 and "超过拨付金额" in text(response)
    app.refresh_from_db()
    assert app.status == "disbursed" and app.spent_amount is None
    assert api(world.secretary_b).post(f"{URL}{app.pk}/settle/", {"spent": "0"}).status_code == 404
    response = client.post(f"{URL}{app.pk}/settle/", {"spent": "0.00", "note": "活动取消"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "settlement_review" and body["spent_amount"] is None
    assert [(s["status"], s["spent"], s["note"]) for s in body["settlements"]] == [("pending", "0.00", "活动取消")]
    assert not ApplicationStep.objects.filter(application=app, action="settle").exists()
    response = api(world.street_a_staff).post(f"{URL}{app.pk}/settlement-approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "settled" and response.json()["spent_amount"] == "0.00"
    assert ApplicationStep.objects.filter(application=app, action="settle").exists()


def test_disburse_refused_while_publicity_runs(world, api, account):
    app = file_project(world, "300.00")
    services.application_approve(application=app, by=world.street_a_staff, level="street")
    api(world.district).post(f"{URL}{app.pk}/district-approve/")
    response = api(world.district).post(f"{URL}{app.pk}/disburse/")
    assert response.status_code == 400 and "公示期未满" in text(response)
    app.refresh_from_db()
    assert app.status == "publicity" and app.disbursement is None


# Amounts: the API reads them with the pages' parser (core.money.parse_money),
# so an absurd or ambiguous figure is a 400 naming the field, never a 500.
BAD_AMOUNTS = [
    ("1e30", "格式不正确"),
    ("9999999999999", "不能超过 100,000,000.00 元"),
    ("5,0", "逗号只能用作千位分隔符"),
    ("1_000", "格式不正确"),
    ("NaN", "格式不正确"),
    ("-0.001", "最多保留2位小数"),
    ("１２３", "请使用半角数字"),
]


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS)
def test_bad_application_amount_is_a_400_naming_the_field(world, api, account, value, message):
    response = api(world.secretary_a).post(URL, project(world, amount=value), format="json")
    assert response.status_code == 400
    (said,) = response.json()["amount"]
    assert said.startswith("申请金额") and message in said
    assert not Application.objects.exists() and not BudgetLine.objects.exists()


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS)
def test_bad_budget_line_amount_is_a_400_naming_the_field(world, api, account, value, message):
    lines = [{"item": "场地费", "amount": "120.00"}, {"item": "资料费", "amount": value}]
    response = api(world.secretary_a).post(URL, project(world, budget_lines=lines), format="json")
    assert response.status_code == 400
    # DRF keys a list's errors by the index of each refused item.
    (said,) = response.json()["budget_lines"]["1"]["amount"]
    assert said.startswith("金额") and message in said
    assert not Application.objects.exists() and not BudgetLine.objects.exists()


@pytest.mark.parametrize(("value", "message"), [*BAD_AMOUNTS, (1e30, "不接受浮点数"), (200.5, "不接受浮点数")])
def test_bad_settlement_amount_is_a_400_naming_the_field(world, api, account, value, message):
    app = through_publicity(world, file_project(world, "300.00"), on=date(2026, 5, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    response = api(world.secretary_a).post(f"{URL}{app.pk}/settle/", {"spent": value}, format="json")
    assert response.status_code == 400
    (said,) = response.json()["spent"]
    assert said.startswith("实际支出") and message in said
    app.refresh_from_db()
    assert app.status == "disbursed" and app.spent_amount is None
    assert not ApplicationStep.objects.filter(application=app, action="settle").exists()


def test_application_amounts_may_be_grouped_or_whole_numbers(world, api, account):
    lines = [{"item": "场地费", "amount": 600}, {"item": "资料费", "amount": " 400.00 "}]
    response = api(world.secretary_a).post(URL, project(world, amount="1,000.00", budget_lines=lines), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "1000.00"
    assert [line["amount"] for line in body["budget_lines"]] == ["600.00", "400.00"]


def test_schema_says_amounts_are_strings_with_the_parsers_pattern(world, client):
    from core.money import MONEY_PATTERN

    client.force_login(world.district)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    for component, field in (
        ("ApplicationWriteRequest", "amount"),
        ("BudgetLineWriteRequest", "amount"),
        ("SettleRequest", "spent"),
    ):
        described = components[component]["properties"][field]
        assert described["type"] == "string" and described["pattern"] == MONEY_PATTERN, (component, described)
