"""Who may do what in the 党建需求库 (a section of orgs.policy).

A project is duck-typed: `level` ("A", "B", "C"), `district_id`,
`street_id` and `organization_id` (the owner: the district for A, the street
for B, the organization for C). Set-up, completion, sending back and exit
belong to whoever runs the project's level: district staff for A; street
staff of the street (or district staff) for B; the organization's secretary
(or staff above it) for C. Claims are recorded by those, or by a secretary
for their own organization and its members; checks (跟单) are district
staff's for A and B, and district or street staff's spot checks for C.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ..models import PartyOrganization, Region, Role
from ..scoping import NOTHING, AnyUser
from .base import _reads, _writes

LEVEL_A, LEVEL_B, LEVEL_C = "A", "B", "C"


def may_browse_demands(user: AnyUser) -> bool:
    """The demand library (each list scoped): staff and secretaries."""
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)


def may_write_demands(user: AnyUser) -> bool:
    """Whether the user sets up, claims or checks any project at all (the API's first question)."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY)


def _own_organization(user: AnyUser, organization_id: int | None) -> bool:
    scope = _writes(user)
    if Role.SECRETARY not in scope.roles or not scope.organization_ids or organization_id is None:
        return False
    return PartyOrganization.objects.filter(
        Q(pk__in=scope.organization_ids) | Q(parent_id__in=scope.organization_ids), pk=organization_id
    ).exists()


def may_set_up_demand(user: AnyUser, level: str, owner: Any) -> bool:
    """A project of `level` owned by `owner` (a district Region for A, a
    street Region for B, a PartyOrganization for C)."""
    scope = _writes(user)
    if owner is None:
        return False
    if level == LEVEL_A:
        return isinstance(owner, Region) and owner.kind == Region.Kind.DISTRICT and scope.holds(Role.DISTRICT, owner.pk)
    if level == LEVEL_B:
        return (
            isinstance(owner, Region)
            and owner.kind == Region.Kind.STREET
            and (scope.holds(Role.DISTRICT, owner.pk) or scope.holds(Role.STREET, owner.pk))
        )
    if level == LEVEL_C:
        street_id = getattr(owner, "street_id", None)
        return (
            scope.holds(Role.DISTRICT, street_id)
            or scope.holds(Role.STREET, street_id)
            or _own_organization(user, getattr(owner, "pk", None))
        )
    return False


def may_manage_demand(user: AnyUser, project: Any) -> bool:
    """Complete with the proposer's satisfaction, send back for 整改, mark
    rectified, exit: who may set up a project of its level for its owner."""
    scope = _writes(user)
    if project.level == LEVEL_A:
        return scope.holds(Role.DISTRICT, project.district_id)
    if project.level == LEVEL_B:
        return scope.holds(Role.DISTRICT, project.street_id) or scope.holds(Role.STREET, project.street_id)
    return (
        scope.holds(Role.DISTRICT, project.street_id)
        or scope.holds(Role.STREET, project.street_id)
        or _own_organization(user, project.organization_id)
    )


def demand_reach_organizations_q(project: Any) -> Q:
    """The organizations inside a project's reach, whose members or whole
    selves may claim it: the district's for A, the street's for B, the
    organization and its sub-organizations for C."""
    if project.level == LEVEL_A:
        return Q(street__parent_id=project.district_id)
    if project.level == LEVEL_B:
        return Q(street_id=project.street_id)
    return Q(pk=project.organization_id) | Q(parent_id=project.organization_id)


def demand_claim_organizations_q(user: AnyUser, project: Any) -> Q:
    """The organizations whose claims (their own, or their members') the
    user records on this project: any in its reach for who manages it; a
    secretary's own organizations (and sub-organizations) in its reach."""
    if may_manage_demand(user, project):
        return demand_reach_organizations_q(project)
    scope = _writes(user)
    if Role.SECRETARY in scope.roles and scope.organization_ids:
        own = Q(pk__in=scope.organization_ids) | Q(parent_id__in=scope.organization_ids)
        return demand_reach_organizations_q(project) & own
    return NOTHING


def may_claim_demand(user: AnyUser, project: Any) -> bool:
    """Record a claim (点单) on this project for an organization or its members."""
    q = demand_claim_organizations_q(user, project)
    return q != NOTHING and PartyOrganization.objects.filter(q, dissolved_on__isnull=True).exists()


def may_check_demand(user: AnyUser, project: Any) -> bool:
    """跟单: district staff check A and B projects every quarter; C projects
    are spot-checked by district staff or street staff of their street."""
    scope = _writes(user)
    if project.level in (LEVEL_A, LEVEL_B):
        return scope.holds(Role.DISTRICT, project.street_id or project.district_id)
    return scope.holds(Role.DISTRICT, project.street_id) or scope.holds(Role.STREET, project.street_id)
