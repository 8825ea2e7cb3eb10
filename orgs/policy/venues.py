"""Who may do what: 党建阵地, 共建共享 and bookings (a section of
orgs.policy). The predicates take venues and bookings duck-typed
(`region_id`, `owner_organization_id`, `venue`, `organization`): the ground
floor does not import the venues app.

Whether an organization has the right to use a venue on a day (its own, or
shared with it by an agreement in force) is a fact about the venue, which the
booking service checks; these predicates say who may act for whom."""

from __future__ import annotations

from typing import Any

from ..models import Enterprise, PartyOrganization, Region, Role
from ..scoping import AnyUser
from .base import _reaches, _reads, _writes


def may_browse_venues(user: AnyUser) -> bool:
    """The venue list and booking calendar (scoped): staff and secretaries."""
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)


def may_keep_venues(user: AnyUser) -> bool:
    """Whether the user registers or books venues at all (the API's first
    question): district and street staff, secretaries."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY)


def _staff_at(user: AnyUser, region_id: int | None) -> bool:
    scope = _writes(user)
    return scope.holds(Role.DISTRICT, region_id) or scope.holds(Role.STREET, region_id)


def may_act_for_organization(user: AnyUser, organization: PartyOrganization) -> bool:
    """Book a venue for an organization (or register its own venue): its
    secretary (or a parent organization's), staff of its street or district."""
    scope = _writes(user)
    if not scope.has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY):
        return False
    return _reaches(scope.organizations_q(), organization)


def may_register_venue_for(
    user: AnyUser,
    *,
    region: Region | None = None,
    organization: PartyOrganization | None = None,
    enterprise: Enterprise | None = None,
) -> bool:
    """A venue of a region: staff of that region (a street, its community or
    park, or the district); of an organization: whoever acts for it; of an
    enterprise: staff of its street, or the secretary of an organization
    covering it."""
    if region is not None:
        return _staff_at(user, region.pk)
    if organization is not None:
        return may_act_for_organization(user, organization)
    if enterprise is not None:
        if _staff_at(user, enterprise.street_id):
            return True
        scope = _writes(user)
        return Role.SECRETARY in scope.roles and enterprise.organizations.filter(pk__in=scope.organization_ids).exists()
    return False


def may_manage_venue(user: AnyUser, venue: Any) -> bool:
    """Edit, close, agree and end shared use, cancel any booking: staff of
    the venue's street or district, and the secretary of the organization
    owning it."""
    if _staff_at(user, venue.region_id):
        return True
    scope = _writes(user)
    return Role.SECRETARY in scope.roles and venue.owner_organization_id in scope.organization_ids


def may_cancel_booking(user: AnyUser, booking: Any) -> bool:
    """Who booked it (acts for its organization) or who manages the venue."""
    return may_act_for_organization(user, booking.organization) or may_manage_venue(user, booking.venue)


def may_read_venue_figures(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER)
