"""On a phone: the secretary settles (报账) line by line with a receipt, and
the street's staff approve it; the form fits a 390-px screen."""

from datetime import date

import pytest

from funds import services
from funds.models import Application
from tests.helpers import hostile_uploads as hostile
from tests.helpers.funds import D, file_project, open_accounts, through_publicity

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_settles_on_a_phone_and_the_street_approves(world, phone_as, live_server, tmp_path):
    open_accounts(world, deposit="1000.00")
    app = file_project(world, "300.00")
    through_publicity(world, app, on=date(2026, 5, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))
    receipt = tmp_path / "场地费发票.pdf"
    receipt.write_bytes(hostile.clean_pdf())

    page = phone_as(world.secretary_a)
    page.goto(f"{live_server.url}/funds/applications/{app.pk}/")
    shot(page, "settlement-00-detail")
    page.get_by_role("link", name="填写报账").click()
    page.fill("input[name=lines-0-item]", "场地费")
    page.fill("input[name=lines-0-amount]", "250.00")
    page.set_input_files("input[name=lines-0-receipt]", str(receipt))
    shot(page, "settlement-01-form")
    # No horizontal scrolling on a 390-px screen, and the amount is a one-line box with the decimal keypad.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_attribute("input[name=lines-0-amount]", "inputmode") == "decimal"
    page.get_by_role("button", name="提交报账，等待街道审核").click()
    page.wait_for_selector("text=报账已提交，等待街道审核")
    app.refresh_from_db()
    assert app.status == Application.Status.SETTLEMENT_REVIEW

    staff = phone_as(world.street_a_staff)
    staff.goto(f"{live_server.url}/funds/applications/{app.pk}/")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    shot(staff, "settlement-02-review")
    staff.get_by_role("button", name="审核通过").click()
    staff.wait_for_selector("text=报账已审核通过")
    app.refresh_from_db()
    assert (app.status, app.spent_amount) == (Application.Status.SETTLED, D("250.00"))
