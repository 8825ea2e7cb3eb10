"""Reads of 党建阵地, always scoped through `scope_for`: staff reach the
venues of their street or district (a venue belongs to its owner's street),
a secretary the venues their organization owns, those shared with it, and
those of the enterprises it covers. Bookings are read through their venue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from activities.models import Activity
from core.errors import ApplicationError
from orgs import policy
from orgs.models import Enterprise, PartyOrganization, Region, Role, VenueChecklist
from orgs.models.regions import subtree_ids
from orgs.scoping import AnyUser, scope_for

from .models import Booking, Venue, VenueShare

NOT_FOUND = "记录不存在或不在您的管辖范围内"


def _venues_q(user: AnyUser, *, path: str = "") -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    p = f"{path}__" if path else ""
    q = scope.regions_q(f"{p}region")
    if scope.organization_ids:
        orgs = PartyOrganization.objects.filter(scope.organizations_q()).values("pk")
        shared = VenueShare.objects.filter(organization__in=orgs).values("venue_id")
        covered = Enterprise.objects.filter(organizations__in=list(scope.organization_ids)).values("pk")
        q |= (
            Q(**{f"{p}owner_organization__in": orgs})
            | Q(**{f"{p}pk__in" if not path else f"{path}_id__in": shared})
            | Q(**{f"{p}owner_enterprise__in": covered})
        )
    return q


def venue_list(
    *, user: AnyUser, kind: str | None = None, active: bool | None = None, q: str | None = None
) -> QuerySet[Venue]:
    qs = Venue.objects.filter(_venues_q(user)).select_related(
        "region", "owner_region", "owner_organization", "owner_enterprise"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs.annotate(
        booking_count=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED), distinct=True),
        share_count=Count("shares", distinct=True),
    ).order_by("region__name", "kind", "name", "pk")


def venue_get(*, user: AnyUser, pk: int | str) -> Venue:
    """One venue in reach; 404 for any other id (writes check the policy in the service)."""
    try:
        return (
            Venue.objects.filter(_venues_q(user))
            .select_related("region", "owner_region", "owner_organization", "owner_enterprise")
            .get(pk=pk)
        )
    except (Venue.DoesNotExist, ValueError, TypeError):
        raise Http404(_(NOT_FOUND)) from None


def share_list(*, venue: Venue) -> QuerySet[VenueShare]:
    return venue.shares.select_related("organization").order_by("-ends_on", "-starts_on", "-pk")


def booking_list(
    *,
    user: AnyUser,
    venue: Venue | None = None,
    start: date | None = None,
    end: date | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Booking]:
    qs = Booking.objects.filter(_venues_q(user, path="venue")).select_related("venue", "organization", "activity")
    if venue is not None:
        qs = qs.filter(venue=venue)
    if start is not None:
        qs = qs.filter(booked_on__gte=start)
    if end is not None:
        qs = qs.filter(booked_on__lte=end)
    if not include_cancelled:
        qs = qs.filter(status=Booking.Status.BOOKED)
    return qs.order_by("booked_on", "starts_at", "pk")


def booking_get(*, user: AnyUser, pk: int | str) -> Booking:
    try:
        return (
            Booking.objects.filter(_venues_q(user, path="venue"))
            .select_related("venue", "organization", "activity")
            .get(pk=pk)
        )
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404(_(NOT_FOUND)) from None


def venue_checklists(*, venue: Venue) -> QuerySet[VenueChecklist]:
    """The 六有 checks of the organization owning the venue (the checklist is
    kept per organization and year; a venue of a region or an enterprise has none)."""
    if venue.owner_organization_id is None:
        return VenueChecklist.objects.none()
    return VenueChecklist.objects.filter(organization_id=venue.owner_organization_id).order_by("-year")


# --- what a form or an API call may name ---------------------------------------------------


def organizations_acting_for(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    """The organizations the user books for (or registers a venue of)."""
    if not policy.may_keep_venues(user):
        return PartyOrganization.objects.none()
    return PartyOrganization.objects.filter(
        scope_for(user, write=True).organizations_q(), dissolved_on__isnull=True
    ).order_by("name")


def owner_regions(*, user: AnyUser) -> QuerySet[Region]:
    """Districts, streets, communities and parks whose staff the user is."""
    held = scope_for(user, write=True).regions_held(Role.DISTRICT, Role.STREET)
    qs = Region.objects.exclude(kind__in=[Region.Kind.PROVINCE, Region.Kind.CITY])
    if held is not None:
        qs = qs.filter(pk__in=held)
    return qs.order_by("kind", "name")


def owner_enterprises(*, user: AnyUser) -> QuerySet[Enterprise]:
    scope = scope_for(user, write=True)
    if not policy.may_keep_venues(user):
        return Enterprise.objects.none()
    qs = Enterprise.objects.filter(scope.enterprises_q())
    return (qs.distinct() if scope.enterprises_need_distinct() else qs).order_by("name")


def share_organization_choices(*, user: AnyUser, venue: Venue) -> QuerySet[PartyOrganization]:
    """Organizations a venue may be shared with: the active ones of the
    venue's street (or district), where 共建共享 happens (a secretary owning
    the venue names their neighbours here and nowhere else), and those the
    user reaches."""
    near = Q(street_id__in=subtree_ids([venue.region_id]))
    return PartyOrganization.objects.filter(
        scope_for(user).organizations_q() | near, dissolved_on__isnull=True
    ).order_by("name")


def bookable_venues(*, user: AnyUser) -> QuerySet[Venue]:
    """Venues any organization the user acts for may use (on some date)."""
    orgs = organizations_acting_for(user=user).values("pk")
    shared = VenueShare.objects.filter(organization__in=orgs).values("venue_id")
    return (
        Venue.objects.filter(active=True)
        .filter(Q(owner_organization__in=orgs) | Q(pk__in=shared))
        .select_related("region")
        .order_by("name")
    )


def activity_choices(*, user: AnyUser) -> QuerySet[Activity]:
    """Activity records a booking may name: those of the organizations the user acts for."""
    return Activity.objects.filter(organization__in=organizations_acting_for(user=user).values("pk")).order_by(
        "-held_on"
    )


def reference_get(*, queryset: QuerySet, pk: int | None, field: str, label: str):  # type: ignore[no-untyped-def]
    """A record an input names, among those the caller reaches; otherwise a
    refusal naming the field (an API body's id is input, not a URL: 400)."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ApplicationError({field: _("%(label)s：不存在或不在您的管辖范围内") % {"label": label}})
    return found


# --- figures -------------------------------------------------------------------------------


@dataclass
class VenueFigures:
    """One region's (or the whole reach's) venue figures on a date and year."""

    region: Region | None
    by_kind: dict[str, int] = field(default_factory=dict)
    venues: int = 0
    organizations: int = 0
    with_own: int = 0
    with_shared_only: int = 0
    checked: int = 0
    compliant: int = 0
    bookings: int = 0

    @property
    def with_venue(self) -> int:
        return self.with_own + self.with_shared_only

    @property
    def venue_rate(self) -> float | None:
        return self.with_venue / self.organizations if self.organizations else None

    @property
    def compliance_rate(self) -> float | None:
        """六有 达标率: organizations whose checklist of the year has all six
        items, of those checked that year."""
        return self.compliant / self.checked if self.checked else None

    @property
    def venue_percent(self) -> str:
        return "—" if self.venue_rate is None else f"{self.venue_rate * 100:.1f}%"

    @property
    def compliance_percent(self) -> str:
        return "—" if self.compliance_rate is None else f"{self.compliance_rate * 100:.1f}%"

    def kind_rows(self) -> list[tuple[str, int]]:
        return [(str(label), self.by_kind.get(value, 0)) for value, label in Venue.Kind.choices]


def _in_region(region: Region | None, path: str) -> Q:
    if region is None:
        return Q()
    return Q(**{f"{path}__in": subtree_ids([region.pk])})


def venue_figures(*, user: AnyUser, region: Region | None, on: date, year: int) -> VenueFigures:
    """The figures of §9 for the venues and organizations in reach under
    `region`: venues by kind (active), organizations (active on `on`) with a
    venue of their own or a share in force on `on`, the 六有 checks of
    `year` with all six items, and the bookings made for days of `year`."""
    venues = Venue.objects.filter(_venues_q(user), _in_region(region, "region"), active=True)
    by_kind = dict(venues.values_list("kind").annotate(n=Count("pk")).order_by())
    orgs = PartyOrganization.objects.filter(
        scope_for(user).organizations_q(), _in_region(region, "street"), dissolved_on__isnull=True
    ).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on))
    own = Venue.objects.filter(active=True, owner_organization=OuterRef("pk"))
    shared = VenueShare.objects.filter(
        organization=OuterRef("pk"), venue__active=True, starts_on__lte=on, ends_on__gte=on
    )
    marked = orgs.annotate(has_own=Exists(own), has_shared=Exists(shared))
    checks = VenueChecklist.objects.filter(organization__in=orgs.values("pk"), year=year)
    all_six = Q(**{item: True for item in VenueChecklist.ITEMS})
    bookings = Booking.objects.filter(venue__in=venues.values("pk"), status=Booking.Status.BOOKED, booked_on__year=year)
    return VenueFigures(
        region=region,
        by_kind=by_kind,
        venues=sum(by_kind.values()),
        organizations=orgs.count(),
        with_own=marked.filter(has_own=True).count(),
        with_shared_only=marked.filter(has_own=False, has_shared=True).count(),
        checked=checks.count(),
        compliant=checks.filter(all_six).count(),
        bookings=bookings.count(),
    )


def figure_regions(*, user: AnyUser) -> list[Region]:
    """The districts and streets in reach, each with its own row of figures."""
    return list(
        Region.objects.filter(
            scope_for(user).regions_q(), kind__in=[Region.Kind.DISTRICT, Region.Kind.STREET]
        ).order_by("kind", "name")
    )


def bookings_per_venue(*, user: AnyUser, region: Region | None, year: int) -> QuerySet[Venue]:
    return (
        Venue.objects.filter(_venues_q(user), _in_region(region, "region"))
        .annotate(
            year_bookings=Count(
                "bookings",
                filter=Q(bookings__status=Booking.Status.BOOKED, bookings__booked_on__year=year),
            )
        )
        .select_related("region")
        .order_by("-year_bookings", "name", "pk")
    )
