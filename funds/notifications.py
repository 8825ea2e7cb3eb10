"""Who is told what about an application: the notices of the workflow, read
on the workbench. Recipients are the people orgs.policy names for the next
step; this module only addresses the news."""

from collections.abc import Sequence

from django.utils import timezone

from core.i18n import in_chinese
from orgs import policy
from orgs.models import User

from .models import Application, Notification


def secretaries(application: Application) -> list[User]:
    return list(policy.secretaries_of(application.organization))


def street_staff(application: Application) -> list[User]:
    return list(policy.street_approvers(application.organization))


def district_staff(application: Application) -> list[User]:
    return list(policy.district_approvers(application.organization))


def notify(users: Sequence[User], application: Application, message: str | dict) -> None:
    """Tell each of `users` once. `message` is best a stored message
    (core.i18n.said), so each reads it in their own language."""
    meant = message if isinstance(message, dict) else {}
    text = in_chinese(message)[:255] if meant else str(message)[:255]
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            rows.append(Notification(user=user, application=application, message=text, said=meant))
    Notification.objects.bulk_create(rows)


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
