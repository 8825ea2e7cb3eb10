"""Reads of user accounts, their roles and instructors' work, always within
the reader's reach: the users list is district staff's (and district
leaders', who read it); a district grant bound to one district reaches the
accounts whose roles all lie in that district."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import policy
from .models import InstructorAssignment, InstructorVisit, Region, Role, RoleGrant, User
from .scoping import AnyUser

USER_FILTERS = ("q", "role", "active")


def _reachable_users(user: AnyUser) -> QuerySet[User]:
    return User.objects.filter(policy.reachable_accounts_q(user))


def user_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[User]:
    """Accounts the user reaches, with their roles; `filters`: q (username
    or name), role (a role code), active ("1"/"0", or true/false)."""
    filters = filters or {}
    qs = _reachable_users(user)
    text = str(filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(display_name__icontains=text))
    role = filters.get("role")
    if role in Role.values:
        qs = qs.filter(role_grants__role=role)
    active = str(filters.get("active") or "").lower()
    if active in ("1", "true"):
        qs = qs.filter(is_active=True)
    elif active in ("0", "false"):
        qs = qs.filter(is_active=False)
    grants = RoleGrant.objects.select_related("region", "organization").order_by("role", "pk")
    return qs.distinct().prefetch_related(Prefetch("role_grants", queryset=grants)).order_by("username")


def user_get(*, user: AnyUser, pk: Any) -> User:
    """One account: 404 outside the reader's reach (writes ask the policy in the service)."""
    try:
        return _reachable_users(user).prefetch_related("role_grants__region", "role_grants__organization").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def grant_get(*, user: AnyUser, account: User, pk: Any) -> RoleGrant:
    try:
        return account.role_grants.select_related("region", "organization", "user").get(pk=pk)
    except (RoleGrant.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def grantable_regions(*, user: AnyUser) -> QuerySet[Region]:
    """Cities, districts and streets a grant may name, within the granter's regions."""
    qs = Region.objects.filter(kind__in=[Region.Kind.CITY, Region.Kind.DISTRICT, Region.Kind.STREET])
    regions = policy.account_regions(user)
    if regions is not None:
        qs = qs.filter(pk__in=regions)
    return qs.select_related("parent").order_by("kind", "name")


def instructor_candidates() -> QuerySet[User]:
    """Who may be assigned, by name."""
    return policy.instructors().order_by("display_name", "username")


def instructor_assignments(*, account: User) -> QuerySet[InstructorAssignment]:
    """An instructor's assignments, newest first (the caller reached the account)."""
    return account.instructor_assignments.select_related("enterprise", "enterprise__street").order_by(
        "-start_on", "-pk"
    )


def instructor_visits(*, account: User) -> QuerySet[InstructorVisit]:
    return (
        InstructorVisit.objects.filter(assignment__instructor=account)
        .select_related("assignment__enterprise")
        .order_by("-visited_on", "-pk")
    )
