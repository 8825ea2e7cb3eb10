"""Who may do what: 产业链党建联盟 (a section of orgs.policy). The predicates
take the alliance duck-typed (`region_id`, `lead_organization_id`): the
ground floor does not import the alliances app."""

from __future__ import annotations

from typing import Any

from ..models import Region, Role
from ..scoping import AnyUser
from .base import _reads, _writes


def may_browse_alliances(user: AnyUser) -> bool:
    """The alliance list (scoped): staff and secretaries."""
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)


def may_create_alliances(user: AnyUser) -> bool:
    """Whether the user sets up alliances at all: district and street staff."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_create_alliance_in(user: AnyUser, region: Region) -> bool:
    """An alliance belongs to a street (its street staff, the district's staff)
    or to a district (its district staff)."""
    if region.kind not in (Region.Kind.STREET, Region.Kind.DISTRICT):
        return False
    scope = _writes(user)
    return scope.holds(Role.DISTRICT, region.pk) or (
        region.kind == Region.Kind.STREET and scope.holds(Role.STREET, region.pk)
    )


def may_keep_any_alliance_records(user: AnyUser) -> bool:
    """Whether the user keeps any alliance's problems or activities at all
    (the API's first question): district and street staff, secretaries."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY)


def may_manage_alliance(user: AnyUser, alliance: Any) -> bool:
    """Edit, add and remove members, dissolve: staff of the alliance's region."""
    scope = _writes(user)
    return scope.holds(Role.DISTRICT, alliance.region_id) or scope.holds(Role.STREET, alliance.region_id)


def may_keep_alliance_records(user: AnyUser, alliance: Any) -> bool:
    """Enter and resolve problems, record joint activities: the lead
    organization's secretary, or staff of the alliance's region."""
    scope = _writes(user)
    own = Role.SECRETARY in scope.roles and alliance.lead_organization_id in scope.organization_ids
    return own or may_manage_alliance(user, alliance)


def may_read_alliance_figures(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER)
