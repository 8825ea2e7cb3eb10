"""The policy's own helpers: the refusal, the read and write scopes, and
who holds a role (orgs.policy re-exports what callers use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from core.errors import ApplicationError

from ..models import PartyOrganization, User
from ..scoping import AnyUser, Scope, scope_for

if TYPE_CHECKING:
    from django.utils.functional import Promise


def require(allowed: bool, message: str | Promise, *, exc: type[Exception] = ApplicationError) -> None:
    """Raise the refusal when a predicate said no. Services refuse with an
    ApplicationError (a page shows it, the API answers 400) unless the
    caller asks for PermissionDenied (403), as the reveal of a whole ID
    number and the roster's writes always have."""
    if not allowed:
        raise exc(message)


def _writes(user: AnyUser) -> Scope:
    return scope_for(user, write=True)


def _reads(user: AnyUser) -> Scope:
    return scope_for(user)


def _reaches(q: Q, organization: PartyOrganization) -> bool:
    return PartyOrganization.objects.filter(q, pk=organization.pk).exists()


def _holders(role: str, **grant: Any) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, role_grants__role=role, **{f"role_grants__{k}": v for k, v in grant.items()}
    ).distinct()


def require_permission(allowed: bool, message: str | Promise) -> None:
    """`require` for the refusals that are a 403 on every door."""
    require(allowed, message, exc=PermissionDenied)
