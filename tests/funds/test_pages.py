"""Fund pages: the right people get them, the outsider gets 404, bad input
gets a Chinese message and writes nothing."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funds import services
from funds.models import Application, ApplicationStep, FundTransaction
from orgs.models import Role
from tests.helpers.funds import file_project, open_accounts, through_publicity

from ..factories import UserFactory, grant


@pytest.fixture
def setup(world):
    account = open_accounts(world, deposit="1000.00", pool="5000.00")
    app = file_project(world, "300.00")
    return account, app


def project_post(amount="200.00", lines=(("场地费", "120.00"), ("资料费", "80.00"))):
    data = {
        "activity": "主题党日",
        "activity_date": "2026-06-01",
        "participants": "10",
        "description": "",
        "amount": amount,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
    }
    for i, (item, value) in enumerate(lines):
        data[f"lines-{i}-item"] = item
        data[f"lines-{i}-amount"] = value
    return data


def test_secretary_sees_own_account_statement_and_credit(world, setup, login):
    account, _app = setup
    client = login(world.secretary_a)
    page = client.get(reverse("funds:account_detail", args=[account.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "可提取额度" in text and "企业预存" in text
    # A secretary with one account lands on it.
    assert client.get(reverse("funds:account_list")).url == reverse("funds:account_detail", args=[account.pk])


def test_statement_xlsx_reconciles(world, setup, login):
    account, _app = setup
    response = login(world.secretary_a).get(
        reverse("funds:account_statement_xlsx", args=[account.pk]) + "?start=2026-01-01&end=2026-12-31"
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "期末余额" and float(rows[-1][1]) == 1000.0


def test_outsider_gets_404_on_every_account_and_application_page(world, setup, login):
    account, app = setup
    client = login(world.secretary_b)
    gets = [
        reverse("funds:account_detail", args=[account.pk]),
        reverse("funds:account_statement_xlsx", args=[account.pk]),
        reverse("funds:application_create", args=[account.pk]),
        reverse("funds:application_detail", args=[app.pk]),
        reverse("funds:application_resubmit", args=[app.pk]),
        reverse("funds:receipt_download", args=[app.pk, 1]),
    ]
    posts = [
        reverse("funds:account_income", args=[account.pk]),
        reverse("funds:application_approve", args=[app.pk, "street"]),
        reverse("funds:application_return", args=[app.pk, "street"]),
        reverse("funds:application_object", args=[app.pk]),
        reverse("funds:application_disburse", args=[app.pk]),
        reverse("funds:application_settle", args=[app.pk]),
        reverse("funds:application_withdraw", args=[app.pk]),
        reverse("funds:transaction_reverse", args=[FundTransaction.objects.first().pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"reason": "x", "text": "x", "spent": "1"}).status_code == 404, url
    listing = client.get(reverse("funds:application_list")).content.decode()
    assert app.activity not in listing


def test_street_staff_of_another_street_gets_404(world, setup, login):
    _account, app = setup
    other = grant(UserFactory(), Role.STREET, region=world.street_b)
    client = login(other)
    assert client.get(reverse("funds:application_detail", args=[app.pk])).status_code == 404
    assert client.post(reverse("funds:application_approve", args=[app.pk, "street"])).status_code == 404
    assert app.activity not in client.get(reverse("funds:approval_queue")).content.decode()


def test_filing_through_the_page(world, setup, login):
    account, _app = setup
    client = login(world.secretary_a)
    form = client.get(reverse("funds:application_create", args=[account.pk]))
    assert "现可申请提取" in form.content.decode()
    response = client.post(reverse("funds:application_create", args=[account.pk]), project_post())
    assert response.status_code == 302
    assert Application.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (project_post(amount="250.00"), "不一致"),
        (project_post(amount="-200.00", lines=(("场地费", "-200.00"),)), "必须大于零"),
        (project_post(amount="99999.00", lines=(("场地费", "99999.00"),)), "超出可提取额度"),
        (project_post(lines=()), "至少填写一项"),
    ],
)
def test_bad_project_on_the_page_shows_chinese_and_writes_nothing(world, setup, login, data, message):
    account, _app = setup
    response = login(world.secretary_a).post(reverse("funds:application_create", args=[account.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Application.objects.count() == 1


def test_approval_out_of_turn_on_the_page_writes_nothing(world, setup, login):
    _account, app = setup
    steps = ApplicationStep.objects.count()
    response = login(world.district).post(reverse("funds:application_approve", args=[app.pk, "district"]), follow=True)
    assert "不在您的审批环节" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Application.Status.STREET_REVIEW
    assert ApplicationStep.objects.count() == steps


def test_second_street_approval_on_the_page_is_refused(world, setup, login):
    _account, app = setup
    client = login(world.street_a_staff)
    url = reverse("funds:application_approve", args=[app.pk, "street"])
    assert client.post(url).status_code == 302
    response = client.post(url, follow=True)
    assert "不能重复审批" in response.content.decode()
    assert ApplicationStep.objects.filter(application=app, action="street_approve").count() == 1


def test_leader_reads_but_cannot_act(world, setup, login):
    _account, app = setup
    client = login(world.leader)
    assert client.get(reverse("funds:application_detail", args=[app.pk])).status_code == 200
    assert client.post(reverse("funds:application_approve", args=[app.pk, "street"])).status_code == 403


def test_publicity_notice_and_objection_through_pages(world, setup, login):
    _account, app = setup
    services.application_approve(application=app, by=world.street_a_staff, level="street")
    services.application_approve(application=app, by=world.district, level="district", publicity_days=5)
    client = login(world.street_a_staff)
    assert app.activity in client.get(reverse("funds:publicity")).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert "公示" in home and app.activity in home
    response = client.post(reverse("funds:application_object", args=[app.pk]), {"text": ""}, follow=True)
    assert "请填写异议内容" in response.content.decode()
    client.post(reverse("funds:application_object", args=[app.pk]), {"text": "预算偏高"})
    assert app.objections.count() == 1


def test_settlement_with_receipt_upload(world, setup, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _account, app = setup
    through_publicity(world, app, on=date(2026, 5, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    client = login(world.secretary_a)
    bad = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("funds:application_settle", args=[app.pk]), {"spent": "250", "receipts": bad}, follow=True
    )
    assert "格式不支持" in response.content.decode()
    good = SimpleUploadedFile("发票.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(reverse("funds:application_settle", args=[app.pk]), {"spent": "250", "receipts": good})
    app.refresh_from_db()
    assert app.status == Application.Status.SETTLEMENT_REVIEW
    receipt = app.receipts.get()
    assert client.get(reverse("funds:receipt_download", args=[app.pk, receipt.pk])).status_code == 200


def test_supervision_report_and_export(world, setup, login):
    _account, app = setup
    through_publicity(world, app, on=date(2026, 5, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    client = login(world.district)
    query = f"?street={world.street_a.pk}&year=2026&half=1"
    page = client.get(reverse("funds:supervision") + query)
    assert page.status_code == 200
    report = page.context["report"]
    assert report.reconciles
    assert report.totals["disbursed"] == 300 and report.totals["closing"] == 700
    xlsx = client.get(reverse("funds:supervision_xlsx") + query)
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[-1][3] == "一致"
    # Street staff of street A asking for street B's report: 404.
    assert (
        login(world.street_a_staff).get(reverse("funds:supervision") + f"?street={world.street_b.pk}").status_code
        == 404
    )


def test_overview_partial_renders_for_district(world, setup, rf):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = world.district
    html = Template("{% load funds_tags %}{% fund_overview %}").render(Context({"request": request}))
    assert "区级资金池余额" in html and "5,000.00" in html
