"""A secretary books their organization's activity room on a phone; a
second booking that clashes is refused in Chinese on the form, nothing
written; the calendar shows the one booking."""

from datetime import time
from decimal import Decimal

import pytest

from venues.models import Booking, Venue
from venues.services import venue_create

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_on_a_phone_and_a_clash_is_refused(world, phone_as, live_server):
    room = venue_create(
        by=world.secretary_a,
        kind=Venue.Kind.ACTIVITY_ROOM,
        name="甲企业党员活动室",
        address="甲街道工业路1号",
        area=Decimal("60"),
        opens_at=time(9, 0),
        closes_at=time(17, 30),
        open_days="1234567",
        owner_organization=world.org_a,
    )
    page = phone_as(world.secretary_a)
    page.goto(f"{live_server.url}/venues/{room.pk}/")
    page.get_by_role("link", name="预约此阵地").click()
    page.fill("#booking_booked_on", "2026-06-01")
    page.fill("#booking_starts_at", "10:00")
    page.fill("#booking_ends_at", "11:30")
    page.fill("#booking_purpose", "主题党日")
    shot(page, "venue-01-book")
    page.get_by_role("button", name="提交预约").click()
    page.wait_for_selector("text=预约成功")
    assert Booking.objects.get().starts_at == time(10, 0)

    page.goto(f"{live_server.url}/venues/{room.pk}/book/")
    page.fill("#booking_booked_on", "2026-06-01")
    page.fill("#booking_starts_at", "11:00")
    page.fill("#booking_ends_at", "12:00")
    page.fill("#booking_purpose", "党课")
    page.get_by_role("button", name="提交预约").click()
    page.wait_for_selector(".field-error")
    assert "冲突" in page.inner_text(".field-error")
    shot(page, "venue-02-clash")
    assert Booking.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
