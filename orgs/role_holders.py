"""Who an assignment form offers: the people whose grants place them near a
record. Each one chosen still passes the policy's predicate in the service
(orgs.policy re-exports this, so "who" is still asked of the policy)."""

from typing import Any

from django.db.models import Q, QuerySet

from .models import Role, User


def alert_assignable_users(alert: Any) -> QuerySet[User]:
    """Who the assign form offers (each still passes `may_be_assigned_alert` in the service)."""
    if alert.street_id:
        # District staff of the warning's district (a grant there or above it).
        above = alert.street.path_up_ids()
        grants = Q(role_grants__role=Role.DISTRICT, role_grants__region_id__in=above)
    else:
        grants = Q(role_grants__role=Role.DISTRICT)
    grants |= Q(role_grants__role=Role.DISTRICT, role_grants__region__isnull=True)
    if alert.street_id:
        grants |= Q(role_grants__role=Role.STREET, role_grants__region_id=alert.street_id)
    org_ids: set[int] = set()
    if alert.organization_id:
        org_ids.add(alert.organization_id)
        if alert.organization.parent_id:
            org_ids.add(alert.organization.parent_id)
    if alert.enterprise_id:
        org_ids.update(alert.enterprise.organizations.values_list("pk", flat=True))
    if org_ids:
        grants |= Q(role_grants__role=Role.SECRETARY, role_grants__organization_id__in=org_ids)
    return User.objects.filter(grants, is_active=True).distinct().order_by("display_name", "username")
