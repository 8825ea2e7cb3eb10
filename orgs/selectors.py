"""Reads of the ground floor, always scoped through `scope_for`."""

from datetime import date
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Count, Exists, F, IntegerField, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from . import policy
from .audit import change_history
from .filters import AlertFilter, EnterpriseFilter, OrganizationFilter, apply_filters
from .models import (
    Alert,
    AlertStep,
    ChangeProposal,
    Election,
    Enterprise,
    EnterpriseSurvey,
    InstructorAssignment,
    InstructorVisit,
    PartyOrganization,
    Rating,
    RatingCriterion,
    RatingVeto,
    RectificationPlan,
    RectificationStep,
    Region,
    StarThreshold,
    User,
    VenueChecklist,
    VenuePhoto,
)
from .rulebook import rules_in_force
from .scoping import AnyUser, Scope, scope_for

M = TypeVar("M", bound=Model)

__all__ = [
    "AnyUser",
    "Scope",
    "scope_for",
    "scoped_get",
    "region_streets",
    "region_get",
    "region_list",
    "enterprise_list",
    "enterprise_get",
    "organization_list",
    "organization_get",
    "ratings_in_force",
    "rating_in_force",
    "stars_in_force",
    "assignment_list",
    "assignment_get",
    "visit_list",
    "rating_list",
    "rating_get",
    "alert_list",
    "alert_get",
    "alert_counts",
    "alerts_for_me",
    "alert_assignees",
    "alert_step_get",
    "rectification_plans",
    "rectification_step_get",
    "survey_list",
    "survey_get",
    "record_history",
    "election_list",
    "enterprises_by_credit_codes",
    "organization_write_list",
    "criteria_in_force",
    "thresholds_in_force",
    "venue_checklist_for",
    "venue_photo_get",
    "venue_check_overview",
    "venue_checklists_of",
    "vetoes_of",
    "veto_get",
]


def scoped_get(
    *,
    user: AnyUser,
    queryset: QuerySet[M],
    scope_q_name: str,
    path: str = "",
    pk: int | str | None,
    write: bool = False,
) -> M:
    """Fetch one record: 404 outside the user's reach, 403 when the user may
    see it but not change it. Every `*_get` selector in the project uses this.
    `pk` is as a URL or a query string gives it; one that is no id is a 404."""
    read = getattr(scope_for(user), scope_q_name)(path)
    try:
        obj = queryset.filter(read).distinct().get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None
    if write:
        writable = getattr(scope_for(user, write=True), scope_q_name)(path)
        if not queryset.model._default_manager.filter(writable, pk=obj.pk).exists():
            raise PermissionDenied(_("您没有修改此记录的权限"))
    return obj


def region_streets(*, user: AnyUser, write: bool = False) -> QuerySet[Region]:
    """The streets the user reaches (`write`: those they keep)."""
    return Region.objects.filter(scope_for(user, write=write).regions_q(), kind=Region.Kind.STREET).order_by("name")


def region_list(*, user: AnyUser, kind: str | None = None, write: bool = False) -> QuerySet[Region]:
    qs = Region.objects.filter(scope_for(user, write=write).regions_q())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("parent")


def region_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> Region:
    return scoped_get(user=user, queryset=Region.objects.select_related("parent"), scope_q_name="regions_q", pk=pk)


def enterprise_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[Enterprise]:
    scope = scope_for(user)
    qs = Enterprise.objects.filter(scope.enterprises_q())
    if scope.enterprises_need_distinct():
        qs = qs.distinct()
    qs = apply_filters(EnterpriseFilter, filters, qs)
    return qs.select_related("street", "park", "industry")


def enterprise_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> Enterprise:
    return scoped_get(
        user=user,
        queryset=Enterprise.objects.select_related("street", "park", "industry"),
        scope_q_name="enterprises_q",
        pk=pk,
        write=write,
    )


def organization_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[PartyOrganization]:
    qs = PartyOrganization.objects.filter(scope_for(user).organizations_q())
    qs = apply_filters(OrganizationFilter, filters, qs)
    return qs.select_related("street", "park", "parent")


def organization_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> PartyOrganization:
    return scoped_get(
        user=user,
        queryset=PartyOrganization.objects.select_related("street", "park", "parent"),
        scope_q_name="organizations_q",
        pk=pk,
        write=write,
    )


def ratings_in_force(*, on: date) -> QuerySet[Rating]:
    """The one rule for the rating in force (DESIGN.md §4): the last rating
    published on or before `on`. Rows come in that order, so the first row
    of an organization is its rating in force; the other readers below build
    on this queryset rather than restate the rule."""
    return Rating.objects.filter(published_on__isnull=False, published_on__lte=on).order_by(
        "-published_on", "-computed_on"
    )


def rating_in_force(*, organization: PartyOrganization, on: date) -> Rating | None:
    """The rating in force on a date. The fund rules read this row; they never call rating code."""
    return ratings_in_force(on=on).filter(organization=organization).first()


def stars_in_force(*, on: date, organization: str = "pk") -> Subquery:
    """The stars in force on `on`, as an annotation: `organization` is the
    path from the annotated rows to the organization ("pk" on organizations).
    NULL where no rating is in force."""
    latest = ratings_in_force(on=on).filter(organization=OuterRef(organization))
    return Subquery(
        latest.annotate(s=Coalesce("override_stars", "computed_stars")).values("s")[:1],
        output_field=IntegerField(),
    )


def assignment_list(*, user: AnyUser) -> QuerySet[InstructorAssignment]:
    """Instructor assignments within the user's reach; an instructor sees their own."""
    scope = scope_for(user)
    qs = InstructorAssignment.objects.filter(scope.enterprises_q("enterprise"))
    if scope.instructor_user_id and not (scope.everything or scope.street_ids):
        qs = qs.filter(instructor_id=scope.instructor_user_id)
    return (
        qs.distinct()
        .select_related("enterprise", "enterprise__street", "instructor")
        .annotate(visit_count=Count("visits", distinct=True))
    )


def assignment_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> InstructorAssignment:
    return scoped_get(
        user=user,
        queryset=InstructorAssignment.objects.select_related("instructor", "enterprise").annotate(
            visit_count=Count("visits", distinct=True)
        ),
        scope_q_name="enterprises_q",
        path="enterprise",
        pk=pk,
        write=write,
    )


def visit_list(*, user: AnyUser) -> QuerySet[InstructorVisit]:
    scope = scope_for(user)
    qs = InstructorVisit.objects.filter(scope.enterprises_q("assignment__enterprise"))
    if scope.instructor_user_id and not (scope.everything or scope.street_ids):
        qs = qs.filter(assignment__instructor_id=scope.instructor_user_id)
    return qs.distinct().select_related("assignment__enterprise", "created_by").order_by("-visited_on", "-pk")


def rating_list(*, user: AnyUser) -> QuerySet[Rating]:
    return Rating.objects.filter(scope_for(user).organizations_q("organization")).select_related("organization")


def rating_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> Rating:
    return scoped_get(
        user=user,
        queryset=Rating.objects.select_related("organization"),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )


def alert_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[Alert]:
    scope = scope_for(user)
    qs = Alert.objects.filter(scope.alerts_q())
    if scope.enterprises_need_distinct():
        qs = qs.distinct()
    qs = apply_filters(AlertFilter, filters, qs)
    return qs.select_related("street", "organization", "enterprise", "assignee")


def alert_counts(*, alerts: QuerySet[Alert], on: date) -> dict[str, int]:
    """Warnings by where their work stands: open, assigned, responded,
    closed this month, overdue (past the deadline, not closed)."""
    month_start = on.replace(day=1)
    pks = alerts.values("pk")
    return Alert.objects.filter(pk__in=pks).aggregate(
        open=Count("pk", filter=Q(state=Alert.State.OPEN)),
        assigned=Count("pk", filter=Q(state=Alert.State.ASSIGNED)),
        responded=Count("pk", filter=Q(state=Alert.State.RESPONDED)),
        closed_this_month=Count("pk", filter=Q(state=Alert.State.CLOSED, closed_on__gte=month_start)),
        overdue=Count("pk", filter=Q(deadline__lt=on) & ~Q(state=Alert.State.CLOSED)),
    )


def alert_assignees(*, user: AnyUser) -> QuerySet[User]:
    """The people the user's warnings are assigned to (the list's assignee filter)."""
    return (
        User.objects.filter(assigned_alerts__in=alert_list(user=user).values("pk"))
        .distinct()
        .order_by("display_name", "username")
    )


def alerts_for_me(*, user: AnyUser) -> QuerySet[Alert]:
    """The workbench's warnings: assigned to the user, or about the
    organizations they are secretary of; not closed, the most pressing first."""
    scope = scope_for(user)
    mine = Q(assignee_id=getattr(user, "pk", None))
    if scope.organization_ids:
        mine |= Q(organization_id__in=scope.organization_ids)
    return (
        alert_list(user=user)
        .filter(mine)
        .exclude(state=Alert.State.CLOSED)
        .order_by(F("deadline").asc(nulls_last=True), "level", "-opened_on", "pk")
    )


def alert_step_get(*, user: AnyUser, alert_pk: int | str, pk: int | str) -> AlertStep:
    """One step of a warning the user reaches (its evidence file is sent from here)."""
    alert = alert_get(user=user, pk=alert_pk)
    try:
        return AlertStep.objects.get(alert=alert, pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def rectification_plans(*, user: AnyUser, organization: PartyOrganization | None = None) -> QuerySet[RectificationPlan]:
    qs = RectificationPlan.objects.filter(scope_for(user).organizations_q("organization"))
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.select_related("organization", "created_by").prefetch_related(
        Prefetch("steps", queryset=RectificationStep.objects.select_related("done_by"))
    )


def rectification_step_get(*, user: AnyUser, pk: int | str | None) -> RectificationStep:
    return scoped_get(
        user=user,
        queryset=RectificationStep.objects.select_related("plan__organization"),
        scope_q_name="organizations_q",
        path="plan__organization",
        pk=pk,
    )


def alert_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> Alert:
    return scoped_get(
        user=user,
        queryset=Alert.objects.select_related("street", "organization", "enterprise", "assignee"),
        scope_q_name="alerts_q",
        pk=pk,
        write=write,
    )


def survey_list(*, user: AnyUser) -> QuerySet[EnterpriseSurvey]:
    scope = scope_for(user)
    qs = EnterpriseSurvey.objects.filter(scope.enterprises_q("enterprise"))
    if scope.enterprises_need_distinct():
        qs = qs.distinct()
    return qs.select_related("enterprise", "street", "park", "industry")


def survey_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> EnterpriseSurvey:
    return scoped_get(
        user=user,
        queryset=EnterpriseSurvey.objects.select_related("enterprise", "street", "park", "industry"),
        scope_q_name="enterprises_q",
        path="enterprise",
        pk=pk,
        write=write,
    )


def record_history(*, instance: Model, limit: int = 50) -> list[dict]:
    """The change history of an enterprise or organization the caller already reached (see orgs.audit)."""
    return change_history(instance=instance, limit=limit)


def election_list(*, organization: PartyOrganization) -> QuerySet[Election]:
    """The organization's elections, newest first (the caller already reached the organization)."""
    return organization.elections.select_related("recorded_by").order_by("-held_on", "-id")


def enterprises_by_credit_codes(*, user: AnyUser, codes: list[str]) -> tuple[list[Enterprise], list[str]]:
    """The enterprises the user reaches among these codes, and the codes not found."""
    found = list(enterprise_list(user=user).filter(credit_code__in=codes))
    known = {e.credit_code for e in found}
    return found, [c for c in codes if c not in known]


def organization_write_list(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    """The organizations the user keeps and that are not dissolved (a merge's targets, a parent)."""
    qs = PartyOrganization.objects.filter(scope_for(user, write=True).organizations_q(), dissolved_on__isnull=True)
    return qs.distinct().order_by("street__name", "name")


def criteria_in_force(*, on: date, active_only: bool = False, region: Region | None = None) -> list[RatingCriterion]:
    """The rating scheme's criteria on a date in a region (orgs.rulebook:
    the district's own scheme, else the default): per code, the row with the
    latest `effective_from` on or before it (DESIGN.md §4, rules from a date on)."""
    rows = rules_in_force(RatingCriterion.objects.select_related("region"), region=region, on=on, key=lambda c: c.code)
    rows = sorted(rows, key=lambda c: (c.order, c.code))
    return [c for c in rows if c.active] if active_only else rows


def thresholds_in_force(*, on: date, region: Region | None = None) -> list[StarThreshold]:
    """The star thresholds on a date in a region, highest star first (per star, the latest row on or before it)."""
    rows = rules_in_force(StarThreshold.objects.select_related("region"), region=region, on=on, key=lambda t: t.stars)
    return sorted(rows, key=lambda t: -t.stars)


def venue_checklist_for(*, organization: PartyOrganization, year: int) -> VenueChecklist | None:
    """The organization's 六有 checklist of a year (the caller fetched the organization in scope)."""
    return VenueChecklist.objects.filter(organization=organization, year=year).prefetch_related("photos").first()


def venue_photo_get(*, user: AnyUser, organization_pk: int | str, pk: int | str) -> VenuePhoto:
    """A checklist photo, through its organization's scope: 404 outside it."""
    organization = organization_get(user=user, pk=organization_pk)
    try:
        return VenuePhoto.objects.select_related("checklist").get(pk=pk, checklist__organization=organization)
    except (VenuePhoto.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def vetoes_of(*, organization: PartyOrganization) -> QuerySet[RatingVeto]:
    """An organization's vetoes, lifted ones included (the caller fetched it in scope)."""
    return organization.vetoes.select_related("entered_by", "revoked_by").order_by("-year", "-entered_at")


def veto_get(*, organization: PartyOrganization, pk: int | str) -> RatingVeto:
    try:
        return RatingVeto.objects.get(pk=pk, organization=organization)
    except (RatingVeto.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def venue_check_overview(*, user: AnyUser, year: int, filters: dict | None = None) -> QuerySet[PartyOrganization]:
    """The organizations the user reaches with whether the year's 六有
    checklist is in (`venue_checked`); `entered` = "1" / "0" narrows to one side."""
    filters = dict(filters or {})
    entered = filters.pop("entered", "")
    checked = VenueChecklist.objects.filter(organization=OuterRef("pk"), year=year)
    qs = (
        organization_list(user=user, filters=filters)
        .filter(dissolved_on__isnull=True)
        .annotate(venue_checked=Exists(checked))
    )
    if entered in ("1", "0"):
        qs = qs.filter(venue_checked=entered == "1")
    return qs.order_by("street__name", "name")


def venue_checklists_of(*, organization_ids: list[int], year: int) -> dict[int, VenueChecklist]:
    """The year's checklists of organizations the caller already listed through a scoped selector."""
    return {
        v.organization_id: v for v in VenueChecklist.objects.filter(organization_id__in=organization_ids, year=year)
    }


# --- change proposals --------------------------------------------------------------------------


def proposal_list(*, user: AnyUser) -> QuerySet[ChangeProposal]:
    """The proposals the user reaches: a secretary their organization's, staff those of their streets."""
    return (
        ChangeProposal.objects.filter(scope_for(user).proposals_q())
        .select_related("organization", "enterprise", "proposed_by", "decided_by")
        .distinct()
    )


def proposal_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> ChangeProposal:
    return scoped_get(
        user=user,
        queryset=ChangeProposal.objects.select_related("organization", "enterprise", "proposed_by", "decided_by"),
        scope_q_name="proposals_q",
        pk=pk,
        write=write,
    )


def proposal_queue(*, user: AnyUser) -> QuerySet[ChangeProposal]:
    """Pending proposals on records the user keeps, oldest first; never the user's own."""
    if not (policy.may_edit_enterprises(user) or policy.may_edit_organizations(user)):
        return ChangeProposal.objects.none()
    scope = scope_for(user, write=True)
    kept = (Q(enterprise__isnull=True) & scope.organizations_q("organization")) | (
        Q(enterprise__isnull=False) & scope.regions_q("enterprise__street")
    )
    return (
        proposal_list(user=user)
        .filter(kept, status=ChangeProposal.Status.PENDING)
        .exclude(proposed_by_id=getattr(user, "pk", None))
        .order_by("proposed_at", "pk")
    )


def proposal_choices(*, record: Enterprise | PartyOrganization) -> dict[str, QuerySet]:
    """What a proposal form offers for the record's related fields: its own
    street, that street's parks and its present parent (a move to another
    street or under another parent is staff's to make)."""
    return {
        "streets": Region.objects.filter(pk=record.street_id),
        "parks": Region.objects.filter(kind=Region.Kind.PARK, parent_id=record.street_id).order_by("name"),
        "parents": PartyOrganization.objects.filter(pk=getattr(record, "parent_id", None) or 0),
    }
