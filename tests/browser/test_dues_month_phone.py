"""A secretary records a month's dues for the branch on a 390-px phone: the
rows come prefilled with what each member owes, one is left unticked, one
submit; the branch's page then shows who paid and who still owes."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dues import services
from dues.models import Payment
from dues.reference import ensure_brackets
from dues.rules import add_months, format_period, month_start
from orgs.reference import ensure_reference_data
from tests.factories import MemberFactory

from .conftest import shot
from .test_phone_layouts import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_month_of_dues_on_a_phone(world, phone_as, live_server):
    ensure_reference_data()
    ensure_brackets()
    period = add_months(month_start(timezone.localdate()), -1)
    names = {"周在职": ("employed", "6500.00"), "吴离退休": ("retired", "5000.00"), "郑学生": ("student", None)}
    members = {}
    for name, (category, income) in names.items():
        members[name] = MemberFactory(organization=world.org_a, name=name)
        services.basis_declare(
            by=world.secretary_a, member=members[name], category=category, monthly_income=income, due_from=period
        )
    page = phone_as(world.secretary_a)
    page.goto(live_server.url + reverse("dues:home"))
    page.goto(
        live_server.url + reverse("dues:organization", args=[world.org_a.pk]) + f"?period={format_period(period)}"
    )
    page.get_by_test_id("record-month").click()
    form = page.get_by_test_id("month-form")
    assert form.get_by_label("周在职的金额").input_value() == "97.50"
    assert form.get_by_label("吴离退休的金额").input_value() == "25.00"
    assert form.get_by_label("郑学生的金额").input_value() == "0.20"
    form.get_by_label("郑学生", exact=True).uncheck()
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["width"] + 1, overflow
    shot(page, "dues-month-390")
    page.get_by_test_id("month-submit").click()
    page.get_by_test_id("dues-members").wait_for()
    text = page.get_by_test_id("dues-members").inner_text()
    assert "已缴 97.50 元" in text and "已缴 25.00 元" in text and "应缴 0.20 元" in text
    assert "已登记" in page.content()
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["width"] + 1, overflow
    shot(page, "dues-organization-390")
    assert {p.member.name: p.amount for p in Payment.objects.select_related("member")} == {
        "周在职": Decimal("97.50"),
        "吴离退休": Decimal("25.00"),
    }
