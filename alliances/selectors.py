"""Reads of 产业链党建联盟, always scoped through `scope_for`: staff reach
the alliances of their regions (a street's or the district's), a
secretary the alliances their organization leads or belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from orgs.models import Enterprise, PartyOrganization, Region
from orgs.scoping import AnyUser, scope_for

from .models import Alliance, AllianceMember, AllianceProblem, JointActivity


def _alliances_q(user: AnyUser, *, path: str = "") -> Q:
    scope = scope_for(user)
    p = f"{path}__" if path else ""
    if scope.everything:
        return Q()
    q = scope.regions_q(f"{p}region")
    if scope.organization_ids:
        own = list(scope.organization_ids)
        q |= Q(**{f"{p}lead_organization_id__in": own}) | Q(
            **{f"{p}pk__in": AllianceMember.objects.filter(organization_id__in=own).values("alliance_id")}
        )
    return q


def alliance_list(*, user: AnyUser, status: str | None = None, chain: str | None = None) -> QuerySet[Alliance]:
    qs = Alliance.objects.filter(_alliances_q(user)).select_related("region", "lead_organization", "lead_enterprise")
    if status:
        qs = qs.filter(status=status)
    if chain:
        qs = qs.filter(chain=chain)
    on_day = Q(members__left_on__isnull=True)
    return qs.annotate(
        x_count=Count("members", filter=on_day & Q(members__organization__isnull=False), distinct=True),
        n_count=Count("members", filter=on_day & Q(members__enterprise__isnull=False), distinct=True),
        raised_count=Count("problems", distinct=True),
        resolved_count=Count("problems", filter=Q(problems__resolved_on__isnull=False), distinct=True),
    ).order_by("name", "pk")


def alliance_get(*, user: AnyUser, pk: int | str) -> Alliance:
    """One alliance in reach; 404 for any other id (writes check the policy in the service)."""
    try:
        return (
            Alliance.objects.filter(_alliances_q(user))
            .select_related("region", "lead_organization", "lead_enterprise", "lead_park", "industry")
            .get(pk=pk)
        )
    except (Alliance.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def problem_get(*, user: AnyUser, pk: int | str) -> AllianceProblem:
    try:
        return (
            AllianceProblem.objects.filter(_alliances_q(user, path="alliance"))
            .select_related("alliance", "enterprise")
            .get(pk=pk)
        )
    except (AllianceProblem.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def member_list(*, alliance: Alliance) -> QuerySet[AllianceMember]:
    return alliance.members.select_related("organization", "enterprise").order_by("left_on", "joined_on", "pk")


def problem_list(*, alliance: Alliance) -> QuerySet[AllianceProblem]:
    return alliance.problems.select_related("enterprise").order_by("resolved_on", "-raised_on", "-pk")


def joint_activity_list(*, alliance: Alliance) -> QuerySet[JointActivity]:
    return alliance.joint_activities.prefetch_related("organizations").order_by("-held_on", "-pk")


def joint_activities_of(*, organization: PartyOrganization) -> QuerySet[JointActivity]:
    """The joint activities an organization attended (its record page shows
    them; the caller has already fetched the organization through its scope)."""
    return organization.joint_activities.select_related("alliance").order_by("-held_on", "-pk")


def member_enterprise_choices(*, alliance: Alliance, on: date) -> QuerySet[Enterprise]:
    """Who may raise a problem on the day: N members and the enterprises of X member organizations."""
    on_day = Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))
    members = AllianceMember.objects.filter(on_day, alliance=alliance)
    return (
        Enterprise.objects.filter(
            Q(pk__in=members.values("enterprise_id"))
            | Q(organizations__in=members.filter(organization__isnull=False).values("organization_id"))
        )
        .distinct()
        .order_by("name")
    )


def member_organization_choices(*, alliance: Alliance, on: date | None) -> QuerySet[PartyOrganization]:
    """The lead organization and the X members on the day (at any date with `on` None)."""
    members = AllianceMember.objects.filter(alliance=alliance, organization__isnull=False)
    if on is not None:
        members = members.filter(Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on)))
    ids = members.values("organization_id")
    return PartyOrganization.objects.filter(Q(pk__in=ids) | Q(pk=alliance.lead_organization_id)).order_by("name")


def alliance_regions(*, user: AnyUser) -> QuerySet[Region]:
    """The streets and districts the user may set up an alliance in."""
    from orgs import policy

    qs = Region.objects.filter(
        scope_for(user, write=True).regions_q(), kind__in=[Region.Kind.STREET, Region.Kind.DISTRICT]
    )
    return qs.filter(pk__in=[r.pk for r in qs if policy.may_create_alliance_in(user, r)]).order_by("kind", "name")


# --- 问题化解率 ----------------------------------------------------------------------------


@dataclass
class Resolution:
    raised: int
    resolved: int

    @property
    def rate(self) -> float | None:
        return self.resolved / self.raised if self.raised else None

    @property
    def percent(self) -> str:
        """The rate as the article writes it (92.4%); a dash with nothing raised."""
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def resolution(*, problems: QuerySet[AllianceProblem], start: date | None, end: date | None) -> Resolution:
    """问题化解率 in a period: of the problems raised in it, those resolved by its end."""
    if start is not None:
        problems = problems.filter(raised_on__gte=start)
    if end is not None:
        problems = problems.filter(raised_on__lte=end)
    resolved = problems.filter(resolved_on__isnull=False)
    if end is not None:
        resolved = resolved.filter(resolved_on__lte=end)
    return Resolution(raised=problems.count(), resolved=resolved.count())


def alliance_resolution(*, alliance: Alliance, start: date | None = None, end: date | None = None) -> Resolution:
    return resolution(problems=AllianceProblem.objects.filter(alliance=alliance), start=start, end=end)


def region_alliances(*, user: AnyUser, region: Region | None) -> QuerySet[Alliance]:
    """The alliances in reach that belong to a region or lie below it (a
    district's own and its streets'); every one in reach without a region."""
    qs = Alliance.objects.filter(_alliances_q(user))
    if region is None:
        return qs
    below = (
        Q(region=region)
        | Q(region__parent=region)
        | Q(region__parent__parent=region)
        | Q(region__parent__parent__parent=region)
    )
    return qs.filter(below)


def region_resolution(
    *, user: AnyUser, region: Region | None, start: date | None = None, end: date | None = None
) -> Resolution:
    """问题化解率 per street or district (the region's alliances and those below it)."""
    problems = AllianceProblem.objects.filter(alliance__in=region_alliances(user=user, region=region).values("pk"))
    return resolution(problems=problems, start=start, end=end)


@dataclass
class AllianceFigures:
    alliances: int
    x_members: int
    n_members: int
    raised: int
    resolved: int
    start: date
    end: date

    @property
    def rate(self) -> float | None:
        return self.resolved / self.raised if self.raised else None

    @property
    def percent(self) -> str:
        """The rate as the article writes it (92.4%); a dash with nothing raised."""
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def alliance_figures(*, user: AnyUser, region: Region | None, start: date, end: date) -> AllianceFigures:
    """The dashboard's and the bulletin's figures: active alliances and their
    X and N members on `end`, problems raised in [start, end] and resolved by `end`."""
    alliances = region_alliances(user=user, region=region)
    active = alliances.filter(founded_on__lte=end).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=end))
    on_day = Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gt=end))
    members = AllianceMember.objects.filter(on_day, alliance__in=active.values("pk"))
    r = region_resolution(user=user, region=region, start=start, end=end)
    return AllianceFigures(
        alliances=active.count(),
        x_members=members.filter(organization__isnull=False).count(),
        n_members=members.filter(enterprise__isnull=False).count(),
        raised=r.raised,
        resolved=r.resolved,
        start=start,
        end=end,
    )


# --- what a form or an API call may name ---------------------------------------------------


def organizations_in_reach(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.filter(scope_for(user).organizations_q()).order_by("name")


def enterprises_in_reach(*, user: AnyUser) -> QuerySet[Enterprise]:
    scope = scope_for(user)
    qs = Enterprise.objects.filter(scope.enterprises_q())
    return (qs.distinct() if scope.enterprises_need_distinct() else qs).order_by("name")


def parks_in_reach(*, user: AnyUser) -> QuerySet[Region]:
    return Region.objects.filter(scope_for(user).regions_q(), kind=Region.Kind.PARK).order_by("name")


def reference_get(*, queryset: QuerySet, pk: int | None, field: str, label: str):  # type: ignore[no-untyped-def]
    """A record an input names, among those the caller reaches; otherwise a
    refusal naming the field (an API body's id is input, not a URL: 400)."""
    from core.errors import ApplicationError

    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ApplicationError({field: _("%(label)s：不存在或不在您的管辖范围内") % {"label": label}})
    return found


def alliance_with_figures(*, alliance: Alliance, start: date | None = None, end: date | None = None) -> Alliance:
    """The alliance with its 问题化解率 attached, for the detail page and the API."""
    r = alliance_resolution(alliance=alliance, start=start, end=end)
    alliance.problems_raised = r.raised  # type: ignore[attr-defined]
    alliance.problems_resolved = r.resolved  # type: ignore[attr-defined]
    alliance.resolution_rate = r.rate  # type: ignore[attr-defined]
    return alliance


def problem_enterprise_choices(*, user: AnyUser, alliance: Alliance) -> QuerySet[Enterprise]:
    """The enterprises a problem may name: the alliance's members at any date
    (N, and the enterprises of X organizations) and the enterprises in reach;
    whether one was a member on the day is the service's question."""
    members = AllianceMember.objects.filter(alliance=alliance)
    return Enterprise.objects.filter(
        Q(pk__in=members.values("enterprise_id"))
        | Q(pk__in=Enterprise.objects.filter(organizations__in=members.values("organization_id")).values("pk"))
        | Q(pk__in=enterprises_in_reach(user=user).values("pk"))
    ).order_by("name")


def problem_list_in_reach(*, user: AnyUser) -> QuerySet[AllianceProblem]:
    return AllianceProblem.objects.filter(_alliances_q(user, path="alliance")).select_related("enterprise")


def member_get(*, user: AnyUser, pk: int | str) -> AllianceMember:
    try:
        return (
            AllianceMember.objects.filter(_alliances_q(user, path="alliance"))
            .select_related("alliance", "organization", "enterprise")
            .get(pk=pk)
        )
    except (AllianceMember.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def n_candidates(*, user: AnyUser) -> QuerySet[Enterprise]:
    """Enterprises in reach without a party organization in being: who may join as N."""
    with_org = PartyOrganization.objects.filter(dissolved_on__isnull=True).values("enterprises")
    return enterprises_in_reach(user=user).exclude(pk__in=with_org)
