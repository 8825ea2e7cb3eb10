"""/api/v1/venues/ per CONTRACT.md."""

from venues.models import Booking, Venue

from .conftest import book


def _venue_body(world, **over):
    body = {
        "kind": "shared",
        "name": "甲企业共享会议室",
        "owner_enterprise": world.enterprise_a.pk,
        "address": "甲街道工业路1号三楼",
        "area": "45.5",
        "opens_at": "08:30",
        "closes_at": "18:00",
        "open_days": "123456",
    }
    body.update(over)
    return body


def test_create_list_detail_with_bookings(api, world, site):
    client = api(world.street_a_staff)
    response = client.post("/api/v1/venues/", _venue_body(world), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["kind_display"] == "共享阵地" and created["owner_name"] == "甲企业有限公司"
    assert created["region"] == world.street_a.pk and created["bookings"] == []
    listed = client.get("/api/v1/venues/").json()
    assert listed["count"] == 3
    assert client.get("/api/v1/venues/?kind=service_center").json()["count"] == 1
    book(world.secretary_a, site.room, world.org_a, on=__import__("datetime").date(2099, 6, 1))
    detail = client.get(f"/api/v1/venues/{site.room.pk}/").json()
    assert [b["organization_name"] for b in detail["bookings"]] == ["中共甲企业支部委员会"]
    assert {"shares", "bookings", "hours_display", "area"} <= set(detail)
    assert (detail["opens_at"], detail["closes_at"]) == ("09:00", "17:30")
    assert detail["bookings"][0]["starts_at"] == "10:00"


def test_booking_and_its_clash(api, world, site):
    client = api(world.secretary_a)
    url = f"/api/v1/venues/{site.room.pk}/bookings/"
    body = {
        "organization": world.org_a.pk,
        "booked_on": "2026-06-01",
        "starts_at": "14:00",
        "ends_at": "16:00",
        "purpose": "支部党员大会",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "booked"
    response = client.post(url, {**body, "starts_at": "15:00", "ends_at": "17:00"}, format="json")
    assert response.status_code == 400
    assert "冲突" in str(response.json())
    assert Booking.objects.count() == 1
    response = client.post(url, {**body, "starts_at": "18:00", "ends_at": "19:00"}, format="json")
    assert response.status_code == 400 and "开放时间" in str(response.json())
    response = client.post(url, {**body, "starts_at": "9:00", "ends_at": "25:00"}, format="json")
    assert response.status_code == 400 and {"starts_at", "ends_at"} <= set(response.json())
    assert Booking.objects.count() == 1


def test_outsider_gets_404(api, world, site):
    client = api(world.secretary_b)
    assert client.get(f"/api/v1/venues/{site.room.pk}/").status_code == 404
    body = {"organization": world.org_b.pk, "booked_on": "2026-06-01", "starts_at": "10:00", "ends_at": "11:00"}
    response = client.post(f"/api/v1/venues/{site.room.pk}/bookings/", {**body, "purpose": "x"}, format="json")
    assert response.status_code == 404
    assert client.get("/api/v1/venues/").json()["count"] == 0
    assert Booking.objects.count() == 0


def test_sharing_through_the_api(api, world, site):
    body = {"organization": site.org_c.pk, "starts_on": "2026-06-01", "ends_on": "2026-06-30"}
    # The shared-with secretary reaches the centre but does not manage it.
    assert (
        api(site.secretary_c).post(f"/api/v1/venues/{site.center.pk}/shares/", body, format="json").status_code == 403
    )
    response = api(world.secretary_a).post(f"/api/v1/venues/{site.room.pk}/shares/", body, format="json")
    assert response.status_code == 201, response.content
    # Now org_c's secretary reaches org_a's room and books it.
    booking = {"organization": site.org_c.pk, "booked_on": "2026-06-02", "starts_at": "10:00", "ends_at": "11:00"}
    response = api(site.secretary_c).post(
        f"/api/v1/venues/{site.room.pk}/bookings/", {**booking, "purpose": "党课"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_bad_input_names_the_field(api, world, site):
    client = api(world.street_a_staff)
    response = client.post("/api/v1/venues/", _venue_body(world, owner_region=world.street_a.pk), format="json")
    assert response.status_code == 400 and "owner" in response.json()
    response = client.post("/api/v1/venues/", _venue_body(world, owner_enterprise=world.enterprise_b.pk), format="json")
    assert response.status_code == 400 and "owner_enterprise" in response.json()
    assert Venue.objects.count() == 2
    assert api(world.leader).post("/api/v1/venues/", _venue_body(world), format="json").status_code == 403
