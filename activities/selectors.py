"""Reads of activity records, always scoped through orgs.selectors.scope_for."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from members.models import Member, Stage
from orgs import policy
from orgs.filters import apply_filters
from orgs.models import PartyOrganization
from orgs.selectors import AnyUser, scope_for, scoped_get

from .filters import ActivityFilter
from .models import Activity, ActivityStep, Attachment

# A submitted record waiting longer than this is overdue for review; a draft
# this long after its meeting is overdue for submission.
REVIEW_DUE_DAYS = 7
SUBMIT_DUE_DAYS = 15


def activity_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.filter(scope_for(user).organizations_q("organization"))
    qs = apply_filters(ActivityFilter, filters, qs)
    return qs.select_related("organization", "organization__street", "created_by", "submitted_by", "reviewed_by")


def activity_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> Activity:
    return scoped_get(
        user=user,
        queryset=Activity.objects.select_related(
            "organization", "organization__street", "created_by", "submitted_by", "reviewed_by"
        ),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )


def activity_history(*, activity: Activity) -> QuerySet[ActivityStep]:
    """The record's steps, oldest first, each with its person. Callers pass
    a record already fetched through a scoped selector."""
    return activity.steps.select_related("by").order_by("at", "pk")


def attachment_get(*, user: AnyUser, activity_pk: int | str, pk: int | str | None, write: bool = False) -> Attachment:
    return scoped_get(
        user=user,
        queryset=Attachment.objects.select_related("activity", "activity__organization").filter(
            activity_id=activity_pk
        ),
        scope_q_name="organizations_q",
        path="activity__organization",
        pk=pk,
        write=write,
    )


def review_queue(*, user: AnyUser, filters: dict | None = None) -> QuerySet[Activity]:
    """Submitted records awaiting a decision, oldest submission first; a
    record whose submission time was never recorded waits longest of all."""
    filters = {**(filters or {}), "status": Activity.Status.SUBMITTED}
    return activity_list(user=user, filters=filters).order_by(F("submitted_at").asc(nulls_first=True), "pk")


def review_overdue_since() -> datetime:
    """A record submitted before this moment has waited too long for review."""
    return timezone.now() - timedelta(days=REVIEW_DUE_DAYS)


def activities_to_act_on(*, user: AnyUser) -> QuerySet[Activity]:
    """Drafts not yet submitted and records returned for correction."""
    return (
        activity_list(user=user)
        .filter(status__in=[Activity.Status.DRAFT, Activity.Status.RETURNED])
        .order_by("-status", "held_on")
    )


def overdue_items(*, user: AnyUser) -> dict[str, QuerySet[Activity]]:
    today = timezone.localdate()
    base = activity_list(user=user)
    return {
        "review": base.filter(status=Activity.Status.SUBMITTED, submitted_at__lt=review_overdue_since()).order_by(
            "submitted_at"
        ),
        "submission": base.filter(
            status__in=[Activity.Status.DRAFT, Activity.Status.RETURNED],
            held_on__lt=today - timedelta(days=SUBMIT_DUE_DAYS),
        ).order_by("held_on"),
    }


def attendance_roster(*, organization: PartyOrganization) -> QuerySet[Member]:
    """Who is due at a meeting: the organization's active formal and
    probationary members (applicants and activists attend but are not due).
    Callers pass an organization already fetched through a scoped selector."""
    return Member.objects.filter(
        organization=organization, status=Member.Status.ACTIVE, stage__in=[Stage.PROBATIONARY, Stage.FORMAL]
    ).order_by("name")


def organizations_for_filing(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    """Organizations the user may file records for: a secretary's own and their sub-organizations."""
    return PartyOrganization.objects.filter(policy.activity_filing_q(user), dissolved_on__isnull=True).order_by("name")


def venues_for_activity(*, organization: PartyOrganization) -> QuerySet:
    """The venues a record of `organization` may name: its own and those
    shared with it (whether on the record's day is the service's question).
    Reached through the record's `venue` field, as the floors require."""
    venues: Any = Activity._meta.get_field("venue").related_model
    return venues.objects.usable_by(organization_id=organization.pk).order_by("name")
