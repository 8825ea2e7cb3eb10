"""Demo venues for seed_demo: each street's 党群服务中心, a 党群工作站 in
each park, 党员活动室 of the larger organizations, a few enterprises'
共享阵地; 共建共享 agreements with organizations that have no room of their
own; bookings over the last three months and the next two weeks; and
activity records that name the venue they were held in. Written through the
services, as staff would, from its own random stream so the rest of the demo
keeps its data."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.db.models import Count

from activities.models import Activity, ActivityType
from core.errors import ApplicationError
from orgs.models import Enterprise, PartyOrganization, Region, User

from . import services
from .models import Venue

SLOTS = [
    (time(9, 0), time(10, 30)),
    (time(14, 0), time(16, 0)),
    (time(10, 30), time(12, 0)),
    (time(16, 0), time(17, 0)),
]
PURPOSES = {
    ActivityType.THEME_DAY: "主题党日",
    ActivityType.GENERAL_MEETING: "支部党员大会",
    ActivityType.PARTY_LECTURE: "党课",
    ActivityType.COMMITTEE_MEETING: "支部委员会会议",
}


def _street_of(region: Region) -> str:
    return region.name.replace("街道", "").replace("镇", "")


def seed(*, district: Region, secretary_organizations: list[PartyOrganization], as_of: date, seed: int) -> int:
    """The demo's venues in `district`; the first demo secretary's
    organization has its own activity room, the second shares its street's
    centre. Returns how many venues were made."""
    rng = random.Random(seed + 19)
    staff = User.objects.filter(username="district").first()
    if staff is None:
        return 0
    year_start, year_end = date(as_of.year, 1, 1), date(as_of.year, 12, 31)
    streets = list(Region.objects.filter(parent=district, kind=Region.Kind.STREET).order_by("name"))
    venues: list[Venue] = []
    for street in streets:
        orgs = list(
            PartyOrganization.objects.filter(street=street, dissolved_on__isnull=True)
            .annotate(n=Count("members"))
            .order_by("-n", "name")
        )
        center = services.venue_create(
            by=staff,
            kind=Venue.Kind.SERVICE_CENTER,
            name=f"{street.name}党群服务中心",
            owner_region=street,
            address=f"{street.name}{_street_of(street)}路{rng.randrange(1, 300)}号",
            area=Decimal(rng.choice([600, 800, 1200, 1500])),
            opens_at=time(8, 30),
            closes_at=time(21, 0),
            open_days="1234567",
        )
        venues.append(center)
        for park in Region.objects.filter(parent=street, kind=Region.Kind.PARK).order_by("name")[:2]:
            venues.append(
                services.venue_create(
                    by=staff,
                    kind=Venue.Kind.WORK_STATION,
                    name=f"{park.name}党群工作站",
                    owner_region=park,
                    address=f"{park.name}管委会一楼",
                    area=Decimal(rng.choice([80, 120, 150])),
                    opens_at=time(9, 0),
                    closes_at=time(17, 30),
                    open_days="12345",
                )
            )
        # The larger organizations keep a room of their own.
        own = [o for o in orgs[: max(1, len(orgs) // 3)] if o.n >= 3]
        for org in secretary_organizations:
            if org.street_id == street.pk and org not in own and org is secretary_organizations[0]:
                own.append(org)
        for org in own:
            venues.append(
                services.venue_create(
                    by=staff,
                    kind=Venue.Kind.ACTIVITY_ROOM,
                    name=f"{org.name.removeprefix('中共').removesuffix('委员会')}党员活动室",
                    owner_organization=org,
                    address=f"{street.name}{_street_of(street)}工业园{rng.randrange(1, 90)}号",
                    area=Decimal(rng.choice([30, 45, 60, 80])),
                    opens_at=time(9, 0),
                    closes_at=time(17, 30),
                    open_days="12345",
                )
            )
        # A few enterprises lend a meeting room to their neighbours.
        lenders = list(Enterprise.objects.filter(street=street, employees__gte=100).order_by("-employees", "pk")[:1])
        shared_rooms = [
            services.venue_create(
                by=staff,
                kind=Venue.Kind.SHARED,
                name=f"{e.name}共享会议室",
                owner_enterprise=e,
                address=f"{street.name}{_street_of(street)}大道{rng.randrange(1, 500)}号",
                area=Decimal(rng.choice([60, 90, 120])),
                opens_at=time(8, 30),
                closes_at=time(18, 0),
                open_days="123456",
            )
            for e in lenders
        ]
        venues.extend(shared_rooms)
        # 共建共享: organizations without a room share the centre (and a lent room).
        owners = {o.pk for o in own}
        without = [o for o in orgs if o.pk not in owners]
        sharing = without[: max(2, len(without) // 2)]
        for org in secretary_organizations[1:]:
            if org.street_id == street.pk and org.pk not in owners and org not in sharing:
                sharing.append(org)
        for index, org in enumerate(sharing):
            services.share_add(
                by=staff, venue=center, organization=org, starts_on=year_start, ends_on=year_end, note="共建共享协议"
            )
            for room in shared_rooms:
                if index % 3 == 0:
                    services.share_add(by=staff, venue=room, organization=org, starts_on=year_start, ends_on=year_end)
    _bookings(rng, staff, venues, as_of)
    return len(venues)


def _bookings(rng: random.Random, staff: User, venues: list[Venue], as_of: date) -> None:
    """Past bookings for the activity records held in a venue (the records
    name it), and upcoming ones for the next two weeks."""
    for venue in venues:
        if venue.owner_organization_id:
            users = [venue.owner_organization_id]
        else:
            users = list(venue.shares.values_list("organization_id", flat=True)[:6])
        for org_id in users:
            records = (
                Activity.objects.filter(
                    organization_id=org_id,
                    activity_type__in=list(PURPOSES),
                    held_on__gte=max(as_of - timedelta(days=90), date(as_of.year, 1, 1)),
                    held_on__lte=as_of,
                    venue__isnull=True,
                )
                # Django's week_day: 1 is Sunday; Monday to Friday suit every venue.
                .filter(held_on__week_day__in=[2, 3, 4, 5, 6])
                .order_by("held_on")[:3]
            )
            for record in records:
                if _book(rng, staff, venue, org_id, record.held_on, PURPOSES[record.activity_type], record):
                    # A demo shortcut: the record is already filed (often
                    # approved and locked), so it is told its venue directly.
                    Activity.objects.filter(pk=record.pk).update(venue=venue)
            for _ in range(2):
                day = as_of + timedelta(days=rng.randrange(1, 15))
                _book(rng, staff, venue, org_id, day, rng.choice(list(PURPOSES.values())), None)


def _book(
    rng: random.Random, staff: User, venue: Venue, org_id: int, day: date, purpose: str, record: Activity | None
) -> bool:
    if not venue.open_on(day):
        return False
    organization = PartyOrganization.objects.get(pk=org_id)
    for start, end in rng.sample(SLOTS, len(SLOTS)):
        try:
            services.booking_create(
                by=staff,
                venue=venue,
                organization=organization,
                booked_on=day,
                starts_at=start,
                ends_at=end,
                purpose=purpose,
                activity=record,
            )
        except ApplicationError:
            continue  # that slot is taken (or the day outside a share): the next
        return True
    return False
