"""The one scoping rule: what a user reaches.

`scope_for(user)` returns a Scope. Every selector in every app narrows its
queryset with the Scope's Q builders, so a page, an API view, an export, an
admin list and a background report all see the same records. The rule is
expressed as query conditions rather than id lists, so it costs the same at a
hundred enterprises as at a hundred thousand.
"""

from dataclasses import dataclass, field
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from .models import Role, RoleGrant, User

# Whoever asks: a signed-in user, an anonymous visitor (`request.user` before
# login), or nobody (schema generation, the command line). All reach nothing
# but the first.
AnyUser: TypeAlias = User | AnonymousUser | None

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    street_ids: frozenset[int] = field(default_factory=frozenset)
    organization_ids: frozenset[int] = field(default_factory=frozenset)
    instructor_user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # The districts a district grant is bound to; None when one of the
    # user's district grants names no district (the whole installation).
    district_ids: frozenset[int] | None = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.street_ids or self.organization_ids or self.instructor_user_id)

    def has_role(self, *roles: str) -> bool:
        return "superuser" in self.roles or bool(self.roles.intersection(roles))

    # --- Q builders: `path` is the lookup from the queried model to the target.

    @staticmethod
    def _p(path: str, lookup: str) -> str:
        return f"{path}__{lookup}" if path else lookup

    def regions_q(self, path: str = "") -> Q:
        """Regions: a street and everything under it."""
        if self.everything:
            return Q()
        q = NOTHING
        if self.street_ids:
            q |= Q(**{self._p(path, "pk__in"): self.street_ids}) | Q(
                **{self._p(path, "parent_id__in"): self.street_ids}
            )
        return q

    def streets_q(self, path: str = "street") -> Q:
        """Records filed under a street (warnings, import batches): by street only."""
        if self.everything:
            return Q()
        return Q(**{f"{path}_id__in": self.street_ids}) if self.street_ids else NOTHING

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


WRITER_ROLES = {Role.DISTRICT, Role.STREET, Role.SECRETARY, Role.INSTRUCTOR}


def scope_for(user: AnyUser, *, write: bool = False) -> Scope:
    """What `user` reaches; with write=True, what they may change.

    Leaders read but never write, so their grants drop out of the write
    scope. A selector fetching a record for a write first looks in the read
    scope (outside it: 404) and then in the write scope (outside it: 403).
    Cached on the user object for the request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cache_attr = "_write_scope_cache" if write else "_scope_cache"
    cached = getattr(user, cache_attr, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True, roles=frozenset({"superuser", *Role.values}), district_ids=None)
    else:
        everything = False
        streets: set[int] = set()
        orgs: set[int] = set()
        roles: set[str] = set()
        instructor = None
        districts: set[int] = set()
        unbounded = False
        for grant in RoleGrant.objects.filter(user=user).select_related("region"):
            if write and grant.role not in WRITER_ROLES:
                continue
            roles.add(grant.role)
            if grant.role == Role.DISTRICT:
                everything = True
                if grant.region is not None and grant.region.kind == grant.region.Kind.DISTRICT:
                    districts.add(grant.region.pk)
                else:
                    unbounded = True
            elif grant.role == Role.LEADER:
                if grant.region is None or grant.region.kind == grant.region.Kind.DISTRICT:
                    everything = True
                else:
                    streets.add(grant.region.pk)
            elif grant.role == Role.STREET and grant.region_id is not None:
                streets.add(grant.region_id)
            elif grant.role == Role.SECRETARY and grant.organization_id is not None:
                orgs.add(grant.organization_id)
            elif grant.role == Role.INSTRUCTOR:
                instructor = user.pk
        scope = Scope(
            everything=everything,
            street_ids=frozenset(streets),
            organization_ids=frozenset(orgs),
            instructor_user_id=instructor,
            roles=frozenset(roles),
            district_ids=None if unbounded else frozenset(districts),
        )
    setattr(user, cache_attr, scope)
    return scope
