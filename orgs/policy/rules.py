"""Who may do what: rules per region (a section of orgs.policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import Region, Role
from ..scoping import AnyUser

if TYPE_CHECKING:
    pass

from .base import _reads, _writes

# --- rules per region (DESIGN.md §8) -----------------------------------------------------------
# The star table, the rating scheme and the compliance rules are set per
# region from a date on (orgs.rulebook resolves them).

RULE_REGION_KINDS = (Region.Kind.DISTRICT, Region.Kind.CITY, Region.Kind.PROVINCE)


def may_set_rules(user: AnyUser, region: Region | None) -> bool:
    """A district's own rules: its district staff. A city's (or province's)
    defaults: its city staff. The installation's defaults (no region): staff
    who reach the whole installation, that is city staff at the root or the
    district staff of a one-district installation. Nobody sets rules for a
    district they do not hold."""
    writes = _writes(user)
    if region is None:
        reads = _reads(user)
        whole_district = writes.everything and writes.has_role(Role.DISTRICT)
        return whole_district or (reads.everything and reads.has_role(Role.CITY))
    if region.kind == Region.Kind.DISTRICT:
        return writes.holds(Role.DISTRICT, region.pk)
    if region.kind in (Region.Kind.CITY, Region.Kind.PROVINCE):
        return writes.holds(Role.CITY, region.pk)
    return False


def may_set_any_rules(user: AnyUser) -> bool:
    """Whether the user sets some region's rules at all (the menu, the edit form)."""
    return _writes(user).has_role(Role.DISTRICT, Role.CITY)


def rule_regions_settable(user: AnyUser) -> list[Region | None]:
    """The regions whose rules the user may set, the installation's default
    (None) first, then cities, then districts by name."""
    if not may_set_any_rules(user):
        return []
    held = _writes(user).regions_held(Role.DISTRICT, Role.CITY)
    candidates = Region.objects.filter(kind__in=RULE_REGION_KINDS)
    if held is not None:
        candidates = candidates.filter(pk__in=held)
    regions = sorted(
        (r for r in candidates if may_set_rules(user, r)), key=lambda r: (r.kind == Region.Kind.DISTRICT, r.name)
    )
    return [None, *regions] if may_set_rules(user, None) else list(regions)


def may_post_to_pool(user: AnyUser, pool: Any) -> bool:
    """Money into a district's pool: that district's staff (an unassigned pool takes nothing)."""
    return pool.region_id is not None and _writes(user).holds(Role.DISTRICT, pool.region_id)
