"""Venues, 共建共享 and bookings: the rules of venues.services."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from venues import services
from venues.models import Booking, Venue, VenueShare

from .conftest import MONDAY, SATURDAY, book


def _messages(exc) -> str:
    return "；".join(str(m) for m in exc.value.messages)


def test_a_clashing_booking_is_refused_in_chinese_with_nothing_written(world, site):
    book(world.secretary_a, site.room, world.org_a, start=(10, 0), end=(12, 0))
    for start, end in [((11, 0), (13, 0)), ((9, 0), (10, 30)), ((10, 0), (12, 0)), ((10, 30), (11, 0))]:
        with pytest.raises(ApplicationError) as exc:
            book(world.secretary_a, site.room, world.org_a, start=start, end=end)
        assert "冲突" in _messages(exc) and "中共甲企业支部委员会" in _messages(exc)
        assert "starts_at" in exc.value.error_dict
    assert Booking.objects.count() == 1
    # Touching ends are no clash; nor is the same slot on another venue or day.
    book(world.secretary_a, site.room, world.org_a, start=(12, 0), end=(13, 0))
    book(world.secretary_a, site.room, world.org_a, on=date(2026, 6, 2))
    assert Booking.objects.count() == 3


def test_a_cancelled_booking_frees_its_slot(world, site):
    first = book(world.secretary_a, site.room, world.org_a)
    services.booking_cancel(by=world.secretary_a, booking=first)
    book(world.secretary_a, site.room, world.org_a)
    assert Booking.objects.filter(status=Booking.Status.BOOKED).count() == 1
    with pytest.raises(ApplicationError):
        services.booking_cancel(by=world.secretary_a, booking=first)


def test_outside_opening_hours_is_refused(world, site):
    with pytest.raises(ApplicationError) as exc:
        book(world.secretary_a, site.room, world.org_a, start=(8, 0), end=(10, 0))
    assert "开放时间" in _messages(exc)
    with pytest.raises(ApplicationError) as exc:
        book(world.secretary_a, site.room, world.org_a, start=(17, 0), end=(18, 0))
    with pytest.raises(ApplicationError) as exc:
        book(world.secretary_a, site.room, world.org_a, on=SATURDAY)
    assert "booked_on" in exc.value.error_dict and "不开放" in _messages(exc)
    with pytest.raises(ApplicationError) as exc:
        book(world.secretary_a, site.room, world.org_a, start=(12, 0), end=(11, 0))
    assert "ends_at" in exc.value.error_dict
    assert Booking.objects.count() == 0


def test_only_an_organization_with_the_right_may_use_a_venue(world, site):
    # org_c has no share of org_a's room; its secretary may act for org_c only.
    with pytest.raises(ApplicationError) as exc:
        book(site.secretary_c, site.room, site.org_c)
    assert "organization" in exc.value.error_dict and "无权使用" in _messages(exc)
    # The street's centre is shared with org_c for 2026: inside, yes; after, no.
    book(site.secretary_c, site.center, site.org_c, on=SATURDAY)
    with pytest.raises(ApplicationError):
        book(site.secretary_c, site.center, site.org_c, on=date(2027, 1, 4))
    # org_a has no agreement for the centre.
    with pytest.raises(ApplicationError):
        book(world.secretary_a, site.center, world.org_a)
    assert Booking.objects.count() == 1


def test_an_agreement_from_the_owner_gives_the_right(world, site):
    services.share_add(by=world.secretary_a, venue=site.room, organization=site.org_c, starts_on=MONDAY, ends_on=MONDAY)
    book(site.secretary_c, site.room, site.org_c)
    assert Booking.objects.get().organization == site.org_c


def test_nobody_books_for_an_organization_they_do_not_act_for(world, site):
    with pytest.raises(PermissionDenied):
        book(world.secretary_b, site.room, world.org_a)
    with pytest.raises(PermissionDenied):
        book(world.leader, site.room, world.org_a)
    # Street staff act for the organizations of their street.
    book(world.street_a_staff, site.room, world.org_a)
    assert Booking.objects.count() == 1


def test_share_rules(world, site):
    with pytest.raises(PermissionDenied):
        services.share_add(
            by=world.secretary_b, venue=site.room, organization=world.org_b, starts_on=MONDAY, ends_on=MONDAY
        )
    with pytest.raises(ApplicationError) as exc:
        services.share_add(
            by=world.secretary_a, venue=site.room, organization=world.org_a, starts_on=MONDAY, ends_on=MONDAY
        )
    assert "organization" in exc.value.error_dict
    with pytest.raises(ApplicationError) as exc:
        services.share_add(
            by=world.secretary_a, venue=site.room, organization=site.org_c, starts_on=MONDAY, ends_on=date(2026, 5, 1)
        )
    assert "ends_on" in exc.value.error_dict
    with pytest.raises(ApplicationError) as exc:
        services.share_add(
            by=world.street_a_staff,
            venue=site.center,
            organization=site.org_c,
            starts_on=date(2026, 12, 1),
            ends_on=date(2027, 6, 30),
        )
    assert "重叠" in _messages(exc)
    assert VenueShare.objects.count() == 1


def test_a_venue_has_exactly_one_owner_and_sound_facts(world):
    facts = {
        "kind": Venue.Kind.WORK_STATION,
        "name": "甲街道党群工作站",
        "address": "甲街道一号楼",
        "area": Decimal("40"),
        "opens_at": time(9, 0),
        "closes_at": time(17, 0),
        "open_days": "12345",
    }
    with pytest.raises(ApplicationError) as exc:
        services.venue_create(by=world.street_a_staff, **facts)
    assert "owner" in exc.value.error_dict
    with pytest.raises(ApplicationError):
        services.venue_create(
            by=world.street_a_staff, owner_region=world.street_a, owner_organization=world.org_a, **facts
        )
    with pytest.raises(ApplicationError) as exc:
        services.venue_create(by=world.street_a_staff, owner_region=world.street_a, **{**facts, "area": Decimal("0")})
    assert "area" in exc.value.error_dict
    with pytest.raises(ApplicationError) as exc:
        services.venue_create(
            by=world.street_a_staff, owner_region=world.street_a, **{**facts, "closes_at": time(8, 0)}
        )
    assert "closes_at" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.venue_create(by=world.secretary_b, owner_organization=world.org_a, **facts)
    with pytest.raises(PermissionDenied):
        services.venue_create(by=world.street_a_staff, owner_region=world.street_b, **facts)
    assert Venue.objects.count() == 0
    venue = services.venue_create(by=world.street_a_staff, owner_enterprise=world.enterprise_a, **facts)
    # A venue belongs to its owner's street: that is who reaches it.
    assert venue.region == world.street_a


def test_closing_a_venue_stops_bookings(world, site):
    services.venue_update(by=world.secretary_a, venue=site.room, active=False)
    with pytest.raises(ApplicationError) as exc:
        book(world.secretary_a, site.room, world.org_a)
    assert "venue" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.venue_update(by=site.secretary_c, venue=site.room, active=True)
