"""Reads of activity records, always scoped through orgs.selectors.scope_for."""

from django.db.models import QuerySet

from orgs.selectors import scope_for, scoped_get

from .models import Activity


def activity_list(*, user) -> QuerySet[Activity]:
    return Activity.objects.filter(scope_for(user).organizations_q("organization")).select_related(
        "organization", "created_by", "reviewed_by"
    )


def activity_get(*, user, pk, write: bool = False) -> Activity:
    return scoped_get(
        user=user,
        queryset=Activity.objects.select_related("organization", "created_by", "reviewed_by"),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )
