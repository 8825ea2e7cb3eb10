"""Who may do what: users and roles (a section of orgs.policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import Enterprise, PartyOrganization, Region, Role, RoleGrant, User
from ..scoping import NOTHING, AnyUser

if TYPE_CHECKING:
    pass

from .base import _holders, _reads, _writes

# --- users and roles --------------------------------------------------------------------------


def may_browse_users(user: AnyUser) -> bool:
    """The users list: city and district staff, who manage it, and leaders of
    a district or above, who read it."""
    held = _reads(user).regions_held(Role.CITY, Role.DISTRICT, Role.LEADER)
    return held is None or bool(held)


def may_manage_users(user: AnyUser) -> bool:
    """Create accounts, grant and revoke roles, reset passwords, deactivate:
    city and district staff, within their own region."""
    return _writes(user).has_role(Role.CITY, Role.DISTRICT)


def account_regions(user: AnyUser) -> frozenset[int] | None:
    """The regions whose accounts a user manages (the subtrees where they
    hold city or district staff roles); None for every region (a superuser,
    or a staff grant that names no region)."""
    return _writes(user).regions_held(Role.CITY, Role.DISTRICT)


def may_grant(
    user: AnyUser, *, role: str, region: Region | None = None, organization: PartyOrganization | None = None
) -> bool:
    """Grant (or revoke) this role for this place. Only city and district
    staff grant, and never beyond their own reach or above their level: a
    grant bound to a region gives roles inside that region only, never a
    city role unless the granter holds one there, and never a role that
    names no place (which would reach every region). An instructor's grant
    names no place: it reaches only the enterprises the instructor is
    assigned to."""
    if not may_manage_users(user):
        return False
    scope = _writes(user)
    if role == Role.CITY:
        return region is not None and scope.holds(Role.CITY, region.pk)
    bound = account_regions(user)
    if bound is None:
        return True
    place = organization.street if organization is not None else region
    if place is None:
        return role == Role.INSTRUCTOR
    return place.pk in bound


def may_manage_account(user: AnyUser, account: User) -> bool:
    """Edit, reset the password of, deactivate or reactivate an account:
    city and district staff, for accounts whose every role is one they
    could grant. Only a superuser manages a superuser."""
    if not may_manage_users(user) or (account.is_superuser and not getattr(user, "is_superuser", False)):
        return False
    return all(
        may_grant(user, role=g.role, region=g.region, organization=g.organization)
        for g in account.role_grants.select_related("region", "organization__street")
    )


def reachable_accounts_q(user: AnyUser) -> Q:
    """The accounts a user reads on the users pages: every one for staff and
    leaders whose grants name no region; otherwise those whose every role
    lies in the user's regions (never a superuser)."""
    if not may_browse_users(user):
        return NOTHING
    bound = account_regions(user) if may_manage_users(user) else _reads(user).regions_held(Role.LEADER)
    if bound is None:
        return Q()
    ids = list(bound)
    inside = (
        Q(region_id__in=ids)
        | Q(organization__street_id__in=ids)
        | Q(role=Role.INSTRUCTOR, region__isnull=True, organization__isnull=True)
    )
    outside = RoleGrant.objects.filter(user=OuterRef("pk")).exclude(inside)
    return Q(is_superuser=False) & ~Q(Exists(outside))


def instructors() -> QuerySet[User]:
    """Who may be assigned to enterprises: active holders of the instructor role."""
    return _holders(Role.INSTRUCTOR)


def is_instructor(account: User) -> bool:
    """Whether an account holds the instructor role (active or not: its work stays listed)."""
    return account.role_grants.filter(role=Role.INSTRUCTOR).exists()


def may_assign_instructors(user: AnyUser) -> bool:
    """Assign party-building instructors to enterprises and end assignments:
    district staff, and street staff for their street's enterprises."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_assign_instructor_to(user: AnyUser, enterprise: Enterprise) -> bool:
    return (
        may_assign_instructors(user)
        and Enterprise.objects.filter(_writes(user).enterprises_q(), pk=enterprise.pk).exists()
    )
