"""The venue pages: the right user gets them, the outsider a 404, and a
clashing booking on the phone form is refused with nothing written."""

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from venues.models import Booking, VenueShare

from .conftest import book


def test_list_detail_and_calendar(login, world, site):
    client = login(world.secretary_a)
    page = client.get(reverse("venues:list")).content.decode()
    assert "甲企业党员活动室" in page and "甲街道党群服务中心" not in page
    book(world.secretary_a, site.room, world.org_a)
    detail = client.get(reverse("venues:detail", args=[site.room.pk])).content.decode()
    assert "周一至周五 09:00–17:30" in detail and "六有检查" in detail
    calendar = client.get(reverse("venues:bookings") + "?start=2026-06-01&end=2026-06-07").content.decode()
    assert "10:00–12:00" in calendar and "主题党日" in calendar
    for text in ("None", "True", "[]"):
        assert text not in detail and text not in calendar


def test_outsider_gets_404(login, world, site):
    client = login(world.secretary_b)
    assert client.get(reverse("venues:detail", args=[site.room.pk])).status_code == 404
    assert client.get(reverse("venues:edit", args=[site.room.pk])).status_code == 404
    assert client.post(reverse("venues:share_add", args=[site.room.pk]), {}).status_code == 404
    assert client.get(reverse("venues:booking_create") + f"?venue={site.room.pk}").status_code == 404


def test_phone_booking_form_refuses_a_clash(login, world, site):
    client = login(world.secretary_a)
    url = reverse("venues:booking_create")
    assert client.get(url + f"?venue={site.room.pk}").status_code == 200
    data = {
        "venue": site.room.pk,
        "organization": world.org_a.pk,
        "booked_on": "2026-06-01",
        "starts_at": "10:00",
        "ends_at": "11:00",
        "purpose": "主题党日",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "starts_at": "10:30", "ends_at": "11:30"})
    assert response.status_code == 400
    assert "冲突" in response.content.decode()
    assert Booking.objects.count() == 1


def test_venue_form_and_sharing_page(login, world, site):
    client = login(world.street_a_staff)
    response = client.post(
        reverse("venues:create"),
        {
            "kind": "work_station",
            "name": "甲街道楼宇党群工作站",
            "owner_region": world.street_a.pk,
            "address": "甲街道商务楼1楼",
            "area": "30",
            "opens_at": "09:00",
            "closes_at": "17:00",
            "open_days": ["1", "2", "3", "4", "5"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("venues:share_add", args=[site.center.pk]),
        {"organization": world.org_a.pk, "starts_on": "2026-07-01", "ends_on": "2026-06-01"},
    )
    assert response.status_code == 400 and "截止日期" in response.content.decode()
    assert VenueShare.objects.count() == 1
    # The shared-with organization's secretary reaches the centre, and may not share it on.
    assert login(site.secretary_c).post(reverse("venues:share_add", args=[site.center.pk]), {}).status_code == 403


def test_figures_page_and_export(login, world, site):
    client = login(world.district)
    assert client.get(reverse("venues:figures")).status_code == 200
    response = client.get(reverse("venues:figures_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A2"].value == "管辖范围合计"
    assert login(world.secretary_a).get(reverse("venues:figures")).status_code == 404


def test_the_calendar_does_not_grow_with_its_bookings(login, world, site):
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.secretary_a)
    url = reverse("venues:bookings") + "?start=2026-06-01&end=2026-06-14"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    book(world.secretary_a, site.room, world.org_a)
    queries()  # the first request of the session reads the session and the user
    few = queries()
    for day in range(2, 13):
        if date(2026, 6, day).isoweekday() <= 5:
            book(world.secretary_a, site.room, world.org_a, on=date(2026, 6, day))
    assert Booking.objects.count() > 5
    assert queries() == few
