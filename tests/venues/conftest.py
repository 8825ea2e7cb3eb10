"""Street 甲's venues: org_a's own 党员活动室 (Monday to Friday, 9:00–17:30)
and the street's 党群服务中心 (every day, 8:30–21:00) shared with org_c, a
neighbour of org_a in street 甲. The world's street 乙 and secretary_b are
the outsiders."""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

import pytest

from orgs.models import Role
from tests.factories import OrganizationFactory, UserFactory, grant
from venues import services
from venues.models import Booking, Venue

MONDAY = date(2026, 6, 1)
SATURDAY = date(2026, 6, 6)


@dataclass
class Site:
    room: Venue
    center: Venue
    org_c: object
    secretary_c: object


@pytest.fixture
def site(world) -> Site:
    room = services.venue_create(
        by=world.secretary_a,
        kind=Venue.Kind.ACTIVITY_ROOM,
        name="甲企业党员活动室",
        address="甲街道工业路1号",
        area=Decimal("60.0"),
        opens_at=time(9, 0),
        closes_at=time(17, 30),
        open_days="12345",
        owner_organization=world.org_a,
    )
    center = services.venue_create(
        by=world.street_a_staff,
        kind=Venue.Kind.SERVICE_CENTER,
        name="甲街道党群服务中心",
        address="甲街道人民路8号",
        area=Decimal("800.0"),
        opens_at=time(8, 30),
        closes_at=time(21, 0),
        open_days="1234567",
        owner_region=world.street_a,
    )
    org_c = OrganizationFactory(street=world.street_a, name="中共甲街道丙公司支部委员会")
    secretary_c = grant(UserFactory(username="secretary_c"), Role.SECRETARY, organization=org_c)
    services.share_add(
        by=world.street_a_staff,
        venue=center,
        organization=org_c,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    return Site(room=room, center=center, org_c=org_c, secretary_c=secretary_c)


def book(by, venue, organization, *, on=MONDAY, start=(10, 0), end=(12, 0), purpose="主题党日") -> Booking:
    return services.booking_create(
        by=by,
        venue=venue,
        organization=organization,
        booked_on=on,
        starts_at=time(*start),
        ends_at=time(*end),
        purpose=purpose,
    )
