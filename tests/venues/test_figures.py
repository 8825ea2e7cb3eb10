"""Every figure recomputed from its source."""

from datetime import date

from orgs.models import PartyOrganization, VenueChecklist
from venues.models import Booking, Venue, VenueShare
from venues.selectors import venue_figures

from .conftest import MONDAY, book

ON = date(2026, 6, 1)


def _check(organization, *, all_six: bool):
    items = {item: True for item in VenueChecklist.ITEMS}
    if not all_six:
        items["has_reading"] = False
    VenueChecklist.objects.create(organization=organization, year=2026, checked_on=ON, **items)


def test_figures_recompute_from_their_sources(world, site):
    book(world.secretary_a, site.room, world.org_a)
    book(site.secretary_c, site.center, site.org_c, on=MONDAY)
    _check(world.org_a, all_six=True)
    _check(site.org_c, all_six=False)
    _check(world.org_b, all_six=True)

    for region in (None, world.street_a):
        f = venue_figures(user=world.district, region=region, on=ON, year=2026)
        venues = Venue.objects.filter(active=True)
        if region is not None:
            venues = venues.filter(region=region)
        assert f.venues == venues.count() == 2
        assert dict(f.kind_rows())["党员活动室"] == venues.filter(kind="activity_room").count()
        orgs = PartyOrganization.objects.filter(dissolved_on__isnull=True)
        if region is not None:
            orgs = orgs.filter(street=region)
        assert f.organizations == orgs.count()
        own = {v.owner_organization_id for v in venues if v.owner_organization_id}
        shared = {s.organization_id for s in VenueShare.objects.all() if s.in_force_on(ON)} - own
        assert (f.with_own, f.with_shared_only) == (len(own & {o.pk for o in orgs}), len(shared & {o.pk for o in orgs}))
        checks = VenueChecklist.objects.filter(year=2026, organization__in=orgs)
        assert f.checked == checks.count()
        assert f.compliant == sum(1 for c in checks if c.score == 6)
        assert f.bookings == Booking.objects.filter(venue__in=venues, status="booked").count() == 2

    street_b = venue_figures(user=world.district, region=world.street_b, on=ON, year=2026)
    assert (street_b.venues, street_b.with_venue, street_b.checked, street_b.compliant) == (0, 0, 1, 1)
    assert street_b.venue_rate == 0 and street_b.compliance_rate == 1


def test_figures_stay_in_scope(world, site):
    f = venue_figures(user=world.street_a_staff, region=None, on=ON, year=2026)
    assert f.organizations == PartyOrganization.objects.filter(street=world.street_a).count()
