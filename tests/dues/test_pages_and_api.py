"""The pages and the API: the right user gets them, the outsider a 404, bad
input a Chinese message with nothing written; every figure recomputed from
its source."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from dues import services
from dues.models import Payment
from dues.rules import format_period
from funds.models import FundAccount
from tests.factories import MemberFactory
from tests.helpers.hostile_files import far_cell_xlsx, row_xml, sheet_xml, write_workbook


def _xlsx(rows, headers=("姓名", "所属月份", "金额", "缴纳日期")) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("dues.xlsx", buffer.getvalue())


def test_the_secretary_records_a_whole_month_in_one_form(world, payer, login, months_ago):
    other = MemberFactory(organization=world.org_a, name="钱学生")
    services.basis_declare(by=world.secretary_a, member=other, category="student", due_from=months_ago(3))
    client = login(world.secretary_a)
    period = format_period(months_ago(1))
    url = reverse("dues:month", args=[world.org_a.pk])
    page = client.get(url, {"period": period})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="97.50"' in text and 'value="0.20"' in text
    today = timezone.localdate().isoformat()
    data = {"period": period, "paid_on": today, "pay": [payer.pk, other.pk]}
    bad = client.post(url, {**data, f"amount_{payer.pk}": "97.50", f"amount_{other.pk}": "2.00"})
    assert bad.status_code == 200 and "钱学生" in bad.content.decode() and not Payment.objects.exists()
    good = client.post(url, {**data, f"amount_{payer.pk}": "97.50", f"amount_{other.pk}": "0.20"}, follow=True)
    assert good.status_code == 200 and Payment.objects.count() == 2
    assert "已缴 97.50 元" in good.content.decode()


def test_the_outsider_gets_404(world, payer, login):
    client = login(world.secretary_b)
    assert client.get(reverse("dues:organization", args=[world.org_a.pk])).status_code == 404
    assert client.get(reverse("dues:member", args=[payer.pk])).status_code == 404
    assert client.post(reverse("dues:member_pay", args=[payer.pk]), {}).status_code == 404


def test_the_income_is_masked_for_street_staff_and_whole_for_the_secretary(world, payer, login):
    assert "6500.00" in login(world.secretary_a).get(reverse("dues:member", args=[payer.pk])).content.decode()
    page = login(world.street_a_staff).get(reverse("dues:member", args=[payer.pk])).content.decode()
    assert "6500.00" not in page and "*******" in page and "97.50" in page


def test_an_approver_records_a_reduction_on_the_page(world, payer, login, months_ago):
    url = reverse("dues:member_relief", args=[payer.pk])
    data = {
        "kind": "reduced",
        "monthly_amount": "10.00",
        "first_period": format_period(months_ago(2)),
        "last_period": format_period(months_ago(1)),
        "reason": "长期患病",
    }
    assert login(world.secretary_a).post(url, data).status_code == 403
    assert login(world.street_a_staff).post(url, data).status_code == 302
    assert payer.dues_reliefs.get().approved_by == world.street_a_staff


def test_the_summary_recomputes_from_the_payments(world, payer, login, months_ago):
    other = MemberFactory(organization=world.org_a, name="孙离退休")
    services.basis_declare(
        by=world.secretary_a, member=other, category="retired", monthly_income="5000.01", due_from=months_ago(3)
    )
    services.payment_record(
        by=world.secretary_a, member=payer, period=months_ago(1), amount="97.50", paid_on=timezone.localdate()
    )
    period = format_period(months_ago(1))
    body = login(world.district).get(reverse("api-dues-summary"), {"period": period, "organization": world.org_a.pk})
    data = body.json()
    # Due: 97.50 (6,500 × 1.5%) + 50.00 (5,000.01 × 1%); paid: the one payment.
    assert data["due"] == "147.50" and data["paid"] == "97.50"
    assert data["payment_rate"] == pytest.approx(97.50 / 147.50)
    # In arrears up to that month: the payer (12 months back, one paid) and the retiree.
    assert data["in_arrears"] == 2
    page = login(world.district).get(reverse("dues:summary"), {"period": period})
    assert page.status_code == 200 and "66.1%" in page.content.decode()
    export = login(world.district).get(reverse("dues:summary_export"), {"period": period})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(rows[("党组织", world.org_a.name)][3])) == Decimal("97.50")


def test_the_summary_is_scoped(world, api):
    assert api(world.secretary_b).get(reverse("api-dues-summary"), {"organization": world.org_a.pk}).status_code == 404
    assert api(world.secretary_b).get(reverse("api-dues-summary"), {"period": "2026-13"}).status_code == 400


def test_api_member_dues_and_payment(world, payer, api, months_ago):
    url = reverse("api-member-dues", args=[payer.pk])
    data = api(world.secretary_a).get(url).json()
    assert data["monthly_amount"] == "97.50" and data["bracket"] == "5,000至10,000元 1.5%"
    assert data["basis"]["monthly_income"] == "6500.00"
    assert api(world.street_a_staff).get(url).json()["basis"]["monthly_income"] == "*******"
    pay = reverse("api-member-dues-payments", args=[payer.pk])
    body = {"period": format_period(months_ago(1)), "amount": "97.50", "paid_on": timezone.localdate().isoformat()}
    assert api(world.secretary_b).post(pay, body, format="json").status_code == 404
    assert api(world.leader).post(pay, body, format="json").status_code == 403
    created = api(world.secretary_a).post(pay, body, format="json")
    assert created.status_code == 201 and created.json()["period"] == body["period"]
    again = api(world.secretary_a).post(pay, body, format="json")
    assert again.status_code == 400 and "重复" in str(again.json())
    future = {**body, "period": "2099-01"}
    assert "未来" in str(api(world.secretary_a).post(pay, future, format="json").json())
    assert Payment.objects.count() == 1


def test_import_writes_all_or_nothing(world, payer, login, months_ago):
    client = login(world.secretary_a)
    url = reverse("dues:import", args=[world.org_a.pk])
    today = timezone.localdate().isoformat()
    bad = _xlsx(
        [["王缴费", format_period(months_ago(2)), "97.50", today], ["王缴费", format_period(months_ago(1)), 1, today]]
    )
    page = client.post(url, {"file": bad}, follow=True).content.decode()
    assert "第 3 行（王缴费）" in page and "金额" in page and not Payment.objects.exists()
    good = _xlsx(
        [
            ["王缴费", format_period(months_ago(2)), "97.50", today],
            ["王缴费", format_period(months_ago(1)), 97.5, today],
        ]
    )
    client.post(url, {"file": good})
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("kind", ["formula", "huge", "columns", "not_xlsx"])
def test_hostile_files_are_refused_in_chinese(world, payer, login, tmp_path, months_ago, kind):
    period = format_period(months_ago(1))
    if kind == "formula":
        body = row_xml(1, ["姓名", "所属月份", "金额", "缴纳日期"]) + (
            f'<row r="2"><c r="A2" t="inlineStr"><is><t>王缴费</t></is></c>'
            f'<c r="B2" t="inlineStr"><is><t>{period}</t></is></c>'
            f'<c r="C2"><f>SUM(97.5,0)</f><v>97.5</v></c>'
            f'<c r="D2" t="inlineStr"><is><t>2026-01-01</t></is></c></row>'
        )
        upload = SimpleUploadedFile("f.xlsx", write_workbook(tmp_path / "f.xlsx", sheet_xml(body)).read_bytes())
        expected = "公式"
    elif kind == "huge":
        upload = SimpleUploadedFile("h.xlsx", far_cell_xlsx(tmp_path / "h.xlsx").read_bytes())
        expected = "表格范围超出上限"
    elif kind == "columns":
        upload = _xlsx([["王缴费", period, "97.50"]], headers=("姓名", "月份", "金额"))
        expected = "缺少列"
    else:
        upload = SimpleUploadedFile("x.xlsx", b"not a workbook at all")
        expected = "无法读取"
    page = login(world.secretary_a).post(reverse("dues:import", args=[world.org_a.pk]), {"file": upload}, follow=True)
    assert expected in page.content.decode()
    assert not Payment.objects.exists()


def test_a_posted_rebate_shows_on_the_fund_statement(world, payer, login, this_month):
    from dues.rules import add_months, quarter_of

    first = add_months(this_month, -3 - (this_month.month - 1) % 3)
    services.payment_record(
        by=world.secretary_a, member=payer, period=first, amount="97.50", paid_on=timezone.localdate()
    )
    services.rebates_post(quarter=quarter_of(first))
    account = FundAccount.objects.get(organization=world.org_a)
    page = login(world.secretary_a).get(reverse("funds:account_detail", args=[account.pk])).content.decode()
    assert "党费返还" in page and "97.50" in page
    assert (
        quarter_of(first)
        in login(world.secretary_a).get(reverse("dues:organization", args=[world.org_a.pk])).content.decode()
    )
