"""Who may do what: party workers, the talent pool, training and
交叉任职 (a section of orgs.policy). Records are taken duck-typed
(`region_id`, `organization_id`, `street_id`): the ground floor does not
import the people app."""

from __future__ import annotations

from typing import Any

from ..models import Region, Role
from ..scoping import AnyUser
from .base import _reads, _writes


def _staff_at(user: AnyUser, region_id: int | None) -> bool:
    scope = _writes(user)
    return scope.holds(Role.DISTRICT, region_id) or scope.holds(Role.STREET, region_id)


def _secretary_of(user: AnyUser, organization_id: int | None) -> bool:
    scope = _writes(user)
    return organization_id is not None and Role.SECRETARY in scope.roles and organization_id in scope.organization_ids


def may_browse_party_workers(user: AnyUser) -> bool:
    """The register, the pool and the training list (scoped): staff, leaders and secretaries."""
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)


def may_register_party_workers(user: AnyUser) -> bool:
    """Whether the user registers party workers at all: district and street
    staff (their region's), secretaries (their own organization's)."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY)


def may_keep_party_worker_in(user: AnyUser, *, region_id: int | None, organization_id: int | None) -> bool:
    """Register or edit a worker filed under this region (and organization)."""
    return _staff_at(user, region_id) or _secretary_of(user, organization_id)


def may_keep_party_worker(user: AnyUser, worker: Any) -> bool:
    return may_keep_party_worker_in(user, region_id=worker.region_id, organization_id=worker.organization_id)


def may_recommend_workers(user: AnyUser) -> bool:
    """Whether the user recommends from the talent pool at all: district and street staff."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_recommend_to(user: AnyUser, organization: Any) -> bool:
    """Recommend a pool worker to an organization, and record the outcome:
    staff of the organization's street (or its district)."""
    return _staff_at(user, organization.street_id)


def may_create_trainings(user: AnyUser) -> bool:
    """Whether the user records training courses at all: district and street staff."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_create_training_in(user: AnyUser, region: Region) -> bool:
    """A course is filed under a street (its staff, the district's) or a district (its staff)."""
    if region.kind not in (Region.Kind.STREET, Region.Kind.DISTRICT):
        return False
    scope = _writes(user)
    return scope.holds(Role.DISTRICT, region.pk) or (
        region.kind == Region.Kind.STREET and scope.holds(Role.STREET, region.pk)
    )


def may_manage_training(user: AnyUser, training: Any) -> bool:
    """Add attendees to a course: staff of the region it is filed under."""
    return _staff_at(user, training.region_id)


def may_keep_any_cross_appointments(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY)


def may_keep_cross_appointments(user: AnyUser, organization: Any) -> bool:
    """Record 交叉任职 and the manager counts: the organization's secretary,
    or staff of its street."""
    return _secretary_of(user, organization.pk) or _staff_at(user, organization.street_id)


def may_read_people_figures(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)
