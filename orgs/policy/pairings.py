"""Who may do what with 结对 (pairings): a section of the one policy.

Predicates take duck-typed objects (a pairing carries `street_id`,
`side_user_id`, `side_member` and `side_organization_id`), so the ground
floor never imports the pairings app.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ..models import Role, RoleGrant
from ..scoping import AnyUser
from .base import _reads, _writes


def may_browse_pairings(user: AnyUser) -> bool:
    """The pairing list (scoped): staff, leaders, secretaries, and whoever is
    the party side of a pairing (a leader or cadre by account)."""
    if user is None or not user.is_authenticated:
        return False
    return (
        _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)
        or user.pairings.exists()
    )


def may_manage_pairings(user: AnyUser) -> bool:
    """Set up, change and end pairings: district staff, and street staff for their street."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_manage_pairing_in(user: AnyUser, street_id: int | None) -> bool:
    scope = _writes(user)
    if street_id is None:
        return False
    return scope.holds(Role.DISTRICT, street_id) or (Role.STREET in scope.roles and street_id in scope.street_ids)


def may_log_pairing_visit(user: AnyUser, pairing: Any) -> bool:
    """A visit is logged by the party side's own person (the leader or cadre
    of the pairing, though a leader otherwise only reads), the secretary of the
    party side's organization, or staff who keep the pairing's street."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if pairing.side_user_id is not None and pairing.side_user_id == user.pk:
        return True
    scope = _writes(user)
    if Role.SECRETARY in scope.roles:
        side_orgs = {pairing.side_organization_id}
        if pairing.side_member_id is not None:
            side_orgs.add(pairing.side_member.organization_id)
        if side_orgs & set(scope.organization_ids):
            return True
    return may_manage_pairing_in(user, pairing.street_id)


def holds_leader_role(user: Any) -> bool:
    """A 领导包片 pairing's party side is an account holding the leader role."""
    return user is not None and RoleGrant.objects.filter(user=user, role=Role.LEADER).exists()


def holds_cadre_role(user: Any) -> bool:
    """A 干部包点 cadre is an account of district or street staff, or a leader."""
    return (
        user is not None
        and RoleGrant.objects.filter(
            Q(role=Role.DISTRICT) | Q(role=Role.STREET) | Q(role=Role.LEADER), user=user
        ).exists()
    )


SIDE_ROLES = (Role.LEADER, Role.DISTRICT, Role.STREET)


def pairing_side_users_q(streets: Any) -> Q:
    """Accounts that may be the leader or cadre of a pairing in these streets
    (Region records): a leader, district or street grant in their districts
    (at one of the districts' streets, a district, or above it) or naming no
    region. Another district's people are neither offered nor accepted."""
    near: set[int] = set()
    parents: set[int] = set()
    for street in streets:
        near.update(street.path_up_ids())
        if street.parent_id is not None:
            parents.add(street.parent_id)
    return Q(role_grants__role__in=SIDE_ROLES) & (
        Q(role_grants__region_id__in=near)
        | Q(role_grants__region__parent_id__in=parents)
        | Q(role_grants__region__isnull=True)
    )
