"""Reads of the demand library, always scoped through orgs.scoping.scope_for.

A project is seen by whoever reaches its owner: an A project by the staff,
leaders and secretaries of its district (who may claim it), a B project by
those of its street, a C project by its organization's secretaries and the
staff of its street and district. Another street's staff and the
secretaries of other streets' organizations never see a B or C project (404).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from members.models import Member
from orgs import policy
from orgs.models import PartyOrganization, Region
from orgs.scoping import NOTHING, AnyUser, Scope, scope_for

from .models import DemandCheck, DemandClaim, DemandProject, DemandStep

LEVELS = DemandProject.Level


def demands_q(scope: Scope) -> Q:
    """The projects a scope reaches (see the module's note)."""
    if scope.everything:
        return Q()
    own_orgs = PartyOrganization.objects.filter(pk__in=scope.organization_ids)
    street_ids = Q(street_id__in=scope.street_ids) if scope.street_ids else NOTHING
    district_of_streets = (
        Q(district_id__in=Region.objects.filter(pk__in=scope.street_ids).values("parent_id"))
        if scope.street_ids
        else NOTHING
    )
    if scope.organization_ids:
        street_ids |= Q(street_id__in=own_orgs.values("street_id"))
        district_of_streets |= Q(district_id__in=own_orgs.values("street__parent_id"))
    a = Q(level=LEVELS.A) & (scope.regions_q("district") | district_of_streets)
    b = Q(level=LEVELS.B) & street_ids
    c = Q(level=LEVELS.C) & scope.organizations_q("organization")
    return a | b | c


def demand_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[DemandProject]:
    filters = filters or {}
    qs = DemandProject.objects.filter(demands_q(scope_for(user)))
    if filters.get("level") in LEVELS.values:
        qs = qs.filter(level=filters["level"])
    if filters.get("state") in DemandProject.State.values:
        qs = qs.filter(state=filters["state"])
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    if str(filters.get("street") or "").isdigit():
        qs = qs.filter(street_id=int(filters["street"]))
    if filters.get("overdue"):
        qs = qs.filter(overdue_q(on=filters.get("on") or _today()))
    return qs.select_related("district", "street", "organization", "enterprise")


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def overdue_q(*, on: date) -> Q:
    """Past the target date and neither completed nor exited."""
    return Q(target_date__lt=on) & ~Q(state__in=[DemandProject.State.COMPLETED, DemandProject.State.EXITED])


def demand_get(*, user: AnyUser, pk: int | str | None) -> DemandProject:
    """One project: 404 outside the user's reach. What the user may do with
    it is the policy's (orgs.policy.demands)."""
    try:
        return (
            DemandProject.objects.select_related("district", "street", "organization", "enterprise", "created_by")
            .filter(demands_q(scope_for(user)))
            .get(pk=pk)  # type: ignore[misc]  # a bad id is the 404 below
        )
    except (DemandProject.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def demand_claims(*, project: DemandProject) -> QuerySet[DemandClaim]:
    return project.claims.select_related("member", "organization", "recorded_by")


def demand_checks(*, project: DemandProject) -> QuerySet[DemandCheck]:
    return project.checks.select_related("by")


def demand_history(*, project: DemandProject) -> QuerySet[DemandStep]:
    return project.steps.select_related("by").order_by("at", "pk")


def claim_organizations(*, user: AnyUser, project: DemandProject) -> QuerySet[PartyOrganization]:
    """The organizations whose claims the user may record on this project."""
    return PartyOrganization.objects.filter(
        policy.demand_claim_organizations_q(user, project), dissolved_on__isnull=True
    ).order_by("name")


def claim_members(*, user: AnyUser, project: DemandProject) -> QuerySet[Member]:
    """The members (active, of those organizations) whose claims the user may record."""
    return Member.objects.filter(
        organization__in=claim_organizations(user=user, project=project), status=Member.Status.ACTIVE
    ).order_by("organization__name", "name")


def set_up_owners(*, user: AnyUser) -> dict[str, list]:
    """What the user may set projects up for, per level: districts, streets, organizations."""
    scope = scope_for(user, write=True)
    districts = [
        r
        for r in Region.objects.filter(scope.regions_q(), kind=Region.Kind.DISTRICT)
        if policy.may_set_up_demand(user, "A", r)
    ]
    if scope.everything and not districts:
        districts = list(Region.objects.filter(kind=Region.Kind.DISTRICT))
    streets = [
        r
        for r in Region.objects.filter(scope.regions_q(), kind=Region.Kind.STREET).order_by("name")
        if policy.may_set_up_demand(user, "B", r)
    ]
    organizations = list(
        PartyOrganization.objects.filter(scope.organizations_q(), dissolved_on__isnull=True)
        .select_related("street")
        .order_by("name")[:500]
    )
    return {"A": districts, "B": streets, "C": [o for o in organizations if policy.may_set_up_demand(user, "C", o)]}
