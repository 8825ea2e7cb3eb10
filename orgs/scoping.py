"""The one scoping rule: what a user reaches.

Regions form one tree (DESIGN.md §8) and a staff or leader grant at a region
reaches its whole subtree: city staff every district, district staff their
district, street staff their street. A grant at the root of the tree (or one
naming no region) reaches everything, so a one-district installation works
as it always has.

`scope_for(user)` returns a Scope. Every selector in every app narrows its
queryset with the Scope's Q builders, so a page, an API view, an export, an
admin list and a background report all see the same records. The rule is
expressed as query conditions rather than id lists, so it costs the same at a
hundred enterprises as at a hundred thousand.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from .models import Region, Role, RoleGrant, User
from .models.regions import subtree_ids

# Whoever asks: a signed-in user, an anonymous visitor (`request.user` before
# login), or nobody (schema generation, the command line). All reach nothing
# but the first.
AnyUser: TypeAlias = User | AnonymousUser | None

NOTHING = Q(pk__in=[])


# How deep a tree may be below a grant's region: province → city → district → street → community.
_DEPTH = 4


def _under(path: str, roots: frozenset[int]) -> Q:
    """Regions (at `path`) that are one of `roots` or lie anywhere below one:
    a condition of the query itself, so it costs no query of its own."""
    q = Q(**{f"{path}__in" if path else "pk__in": roots})
    for depth in range(1, _DEPTH + 1):
        hops = "__".join(["parent"] * depth)
        q |= Q(**{f"{path}__{hops}_id__in" if path else f"{hops}_id__in": roots})
    return q


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    street_ids: frozenset[int] = field(default_factory=frozenset)
    organization_ids: frozenset[int] = field(default_factory=frozenset)
    instructor_user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # The regions whose subtrees the user's staff and leader grants reach.
    region_roots: frozenset[int] = field(default_factory=frozenset)
    # Per region-held role, the regions of the user's grants of it; None when
    # a grant of that role names no region (the whole installation).
    held_roots: Mapping[str, frozenset[int] | None] = field(default_factory=lambda: MappingProxyType({}))
    # The 两新工委 the user works for: the name of the highest district, city
    # or province among their grants' regions (a street's district); "" if none.
    committee_name: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything or self.region_roots or self.street_ids or self.organization_ids or self.instructor_user_id
        )

    @cached_property
    def region_ids(self) -> frozenset[int]:
        """Every region the user's staff and leader grants reach (their subtrees)."""
        return frozenset(subtree_ids(self.region_roots)) if self.region_roots else frozenset()

    @cached_property
    def _held_subtrees(self) -> dict[str, frozenset[int] | None]:
        return {
            role: None if roots is None else frozenset(subtree_ids(roots)) for role, roots in self.held_roots.items()
        }

    def has_role(self, *roles: str) -> bool:
        return "superuser" in self.roles or bool(self.roles.intersection(roles))

    def holds(self, role: str, region_id: int | None) -> bool:
        """Whether the user holds `role` at this region or above it (a
        district's staff hold their role at every street of the district)."""
        if "superuser" in self.roles:
            return True
        if role not in self.held_roots:
            return False
        roots = self.held_roots[role]
        if roots is None or region_id in roots:
            return True
        subtree = self._held_subtrees[role]
        return region_id is not None and subtree is not None and region_id in subtree

    def regions_held(self, *roles: str) -> frozenset[int] | None:
        """The regions where the user holds one of `roles` (each grant's
        subtree); None for every region."""
        if "superuser" in self.roles:
            return None
        found: set[int] = set()
        for role in roles:
            if role in self.held_roots:
                regions = self._held_subtrees[role]
                if regions is None:
                    return None
                found |= regions
        return frozenset(found)

    # --- Q builders: `path` is the lookup from the queried model to the target.

    @staticmethod
    def _p(path: str, lookup: str) -> str:
        return f"{path}__{lookup}" if path else lookup

    def regions_q(self, path: str = "") -> Q:
        """Regions: the subtrees of the user's grants."""
        if self.everything:
            return Q()
        return _under(path, self.region_roots) if self.region_roots else NOTHING

    def streets_q(self, path: str = "street") -> Q:
        """Records filed under a street (warnings, import batches): by street only."""
        if self.everything:
            return Q()
        return Q(**{f"{path}_id__in": self.street_ids}) if self.street_ids else NOTHING

    def batches_q(self, path: str = "") -> Q:
        """Import batches: a street's, or a whole district's (no street) for
        whoever reaches that district."""
        if self.everything:
            return Q()
        if not self.region_roots:
            return NOTHING
        return Q(**{self._p(path, "street_id__in"): self.street_ids}) | (
            Q(**{self._p(path, "street__isnull"): True}) & _under(self._p(path, "district"), self.region_roots)
        )

    def organizations_q(self, path: str = "") -> Q:
        """Party organizations: by street, or the secretary's own org and its sub-orgs."""
        if self.everything:
            return Q()
        if not (self.street_ids or self.organization_ids):
            return NOTHING
        q = NOTHING
        if self.street_ids:
            q |= Q(street_id__in=self.street_ids)
        if self.organization_ids:
            q |= Q(pk__in=self.organization_ids) | Q(parent_id__in=self.organization_ids)
        if not path:
            return q
        # From another table (members, activities, accounts) the rule becomes
        # "organization id in (the reachable organizations)": an OR across a
        # join would make PostgreSQL scan every member or activity of the
        # district, while this subquery uses the foreign-key index.
        from .models import PartyOrganization

        return Q(**{f"{path}__in": PartyOrganization.objects.filter(q).values("pk")})

    def enterprises_q(self, path: str = "") -> Q:
        """Enterprises: by street, covered by the secretary's org, or assigned to the instructor."""
        if self.everything:
            return Q()
        q = NOTHING
        if self.street_ids:
            q |= Q(**{self._p(path, "street_id__in"): self.street_ids})
        if self.organization_ids:
            q |= Q(**{self._p(path, "organizations__pk__in"): self.organization_ids})
        if self.instructor_user_id:
            q |= Q(**{self._p(path, "instructor_assignments__instructor_id"): self.instructor_user_id})
        return q

    def alerts_q(self, path: str = "") -> Q:
        """Warnings: filed under the user's street, or about an organization or
        enterprise the user reaches (a secretary sees their own org's)."""
        if self.everything:
            return Q()
        return (
            self.streets_q(self._p(path, "street"))
            | self.organizations_q(self._p(path, "organization"))
            | self.enterprises_q(self._p(path, "enterprise"))
        )

    def proposals_q(self, path: str = "") -> Q:
        """Change proposals: about an organization the user reaches (a secretary
        their own), or about an enterprise of a street the user reaches."""
        if self.everything:
            return Q()
        return self.organizations_q(self._p(path, "organization")) | (
            Q(**{self._p(path, "enterprise__isnull"): False}) & self.regions_q(self._p(path, "enterprise__street"))
        )

    def enterprises_need_distinct(self) -> bool:
        # Joins through many-to-many paths can repeat a row.
        return not self.everything and bool(self.organization_ids or self.instructor_user_id)


WRITER_ROLES = {Role.CITY, Role.DISTRICT, Role.STREET, Role.SECRETARY, Role.INSTRUCTOR}
# Roles held at a region, reaching its subtree.
REGION_ROLES = {Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER}


def scope_for(user: AnyUser, *, write: bool = False) -> Scope:
    """What `user` reaches; with write=True, what they may change.

    Leaders read but never write, so their grants drop out of the write
    scope; city staff read their city and write only its defaults (the
    policy's predicates say which), so their grants reach no records in the
    write scope. A selector fetching a record for a write first looks in the
    read scope (outside it: 404) and then in the write scope (outside it: 403).
    Cached on the user object for the request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cache_attr = "_write_scope_cache" if write else "_scope_cache"
    cached = getattr(user, cache_attr, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True, roles=frozenset({"superuser", *Role.values}))
    else:
        grants = list(RoleGrant.objects.filter(user=user).select_related("region__parent"))
        read = _scope_of_grants(user, grants, write=write)
        assert read is not None  # may_query: always a scope
        scope = read
        # Most pages ask for both scopes: the other one from the same grants,
        # when it needs no query of its own.
        other_attr = "_scope_cache" if write else "_write_scope_cache"
        if getattr(user, other_attr, None) is None:
            other = _scope_of_grants(user, grants, write=not write, may_query=False)
            if other is not None:
                setattr(user, other_attr, other)
    setattr(user, cache_attr, scope)
    return scope


_COMMITTEE_LEVEL: dict[str, int] = {Region.Kind.PROVINCE: 0, Region.Kind.CITY: 1, Region.Kind.DISTRICT: 2}


def _committee_of(region: Region) -> tuple[int, str]:
    """(level, name) of the committee a grant at `region` works for: the
    region itself from a district up, else the district above it."""
    if region.kind in _COMMITTEE_LEVEL:
        return _COMMITTEE_LEVEL[region.kind], region.name
    parent = region.parent
    if parent is not None and parent.kind in _COMMITTEE_LEVEL:
        return _COMMITTEE_LEVEL[parent.kind], parent.name
    return 99, ""


def _scope_of_grants(user: User, grants: list[RoleGrant], *, write: bool, may_query: bool = True) -> Scope | None:
    """The scope the grants give; None if it needs a query and `may_query` is off."""
    everything = False
    roots: set[int] = set()  # regions whose subtrees the user reaches
    streets: set[int] = set()
    orgs: set[int] = set()
    roles: set[str] = set()
    instructor = None
    held: dict[str, set[int] | None] = {}
    committee: tuple[int, str] = (99, "")
    for grant in grants:
        if write and grant.role not in WRITER_ROLES:
            continue
        roles.add(grant.role)
        if grant.role in REGION_ROLES:
            # A grant naming no region holds the role everywhere; one at the
            # root of the tree reaches every record but still holds the role
            # at its region only (it grants nothing that names no region).
            if grant.region is None:
                held[grant.role] = None
            elif held.get(grant.role, set()) is not None:
                held.setdefault(grant.role, set()).add(grant.region.pk)  # type: ignore[union-attr]
            if write and grant.role == Role.CITY:
                continue  # city staff set defaults; they change no district's records
            if grant.region is None or grant.region.parent_id is None:
                everything = True
            if grant.region is not None:
                committee = min(committee, _committee_of(grant.region))
                roots.add(grant.region.pk)
                if grant.region.kind == Region.Kind.STREET:
                    streets.add(grant.region.pk)
        elif grant.role == Role.SECRETARY and grant.organization_id is not None:
            orgs.add(grant.organization_id)
        elif grant.role == Role.INSTRUCTOR:
            instructor = user.pk
    if roots - streets and not everything:
        if not may_query:
            return None
        # Grants above a street (a district, a city): the streets below them,
        # one query, asked only where the tree has more than one district.
        streets |= set(
            Region.objects.filter(_under("", frozenset(roots - streets)), kind=Region.Kind.STREET).values_list(
                "pk", flat=True
            )
        )
    return Scope(
        everything=everything,
        street_ids=frozenset(streets),
        organization_ids=frozenset(orgs),
        instructor_user_id=instructor,
        roles=frozenset(roles),
        region_roots=frozenset(roots),
        committee_name=committee[1],
        held_roots=MappingProxyType({role: None if r is None else frozenset(r) for role, r in held.items()}),
    )
