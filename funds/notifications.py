"""Who is told what about an application: the notices of the workflow, read
on the workbench. Recipients are the holders of the grants that act at the
next step (orgs.policy decides who may act; this only addresses the news)."""

from collections.abc import Sequence

from django.utils import timezone

from orgs.models import Role, User

from .models import Application, Notification


def _users_with(role: str, **grant_filter) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=role, **{f"role_grants__{k}": v for k, v in grant_filter.items()}
        ).distinct()
    )


def secretaries(application: Application) -> list[User]:
    return _users_with(Role.SECRETARY, organization_id=application.organization_id)


def street_staff(application: Application) -> list[User]:
    return _users_with(Role.STREET, region_id=application.organization.street_id)


def district_staff() -> list[User]:
    return _users_with(Role.DISTRICT)


def notify(users: Sequence[User], application: Application, message: str) -> None:
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            rows.append(Notification(user=user, application=application, message=message[:255]))
    Notification.objects.bulk_create(rows)


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
