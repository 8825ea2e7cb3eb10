"""Reads of pairings, always scoped, and their figures.

Why the instructor tables stay as they are: orgs.InstructorAssignment is what
work coverage counts (stats.coverage reads its table in raw SQL), the survey
import creates assignments in bulk and its rollback deletes them by batch in
set-based SQL, and scoping gives instructors their enterprises through it.
Copying assignments into Pairing rows would need both kept in step by every
one of those writers (or a foreign key the rollback's DELETE would trip on).
So 党建指导员联系企业 is presented here, read-only, from the instructor tables:
its pairings are the active assignments, its visits the instructor visits
(logged on the 走访 page as before), counted against a quota of
INSTRUCTOR_QUOTA_PER_QUARTER. Coverage and every existing test are untouched.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Enterprise, InstructorAssignment, Region
from orgs.models.regions import subtree_ids
from orgs.scoping import NOTHING, AnyUser, scope_for

from .models import Pairing, PairingKind, Visit, VisitPhoto

# An instructor's assignment carries no quota of its own: one contact per quarter.
INSTRUCTOR_QUOTA_PER_QUARTER = 1


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the quarter `day` falls in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def previous_quarter(day: date) -> tuple[date, date]:
    start, _end = quarter_of(day)
    return quarter_of(date.fromordinal(start.toordinal() - 1))


def pairings_q(user: AnyUser) -> Q:
    """Pairings the user reaches: those of the streets their grants reach, of
    their organization (its members or itself as the party side, or an
    enterprise it covers as the target), and those where they are the party side."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    q = scope.streets_q("street") if scope.street_ids else NOTHING
    if scope.organization_ids:
        q |= scope.organizations_q("side_organization") | scope.organizations_q("side_member__organization")
    if scope.organization_ids or scope.instructor_user_id:
        q |= Q(enterprise__in=Enterprise.objects.filter(scope.enterprises_q()).values("pk"))
    if user is not None and user.is_authenticated:
        q |= Q(side_user_id=user.pk)
    return q


def _with_quarter_counts(qs: QuerySet[Pairing], on: date) -> QuerySet[Pairing]:
    start, end = quarter_of(on)
    last_start, last_end = previous_quarter(on)
    return qs.annotate(
        visits_this_quarter=Count("visits", filter=Q(visits__visited_on__range=(start, end))),
        visits_last_quarter=Count("visits", filter=Q(visits__visited_on__range=(last_start, last_end))),
    )


# The kinds in the order the practice lists them (their codes sort otherwise).
KIND_ORDER = Case(
    *(When(kind=value, then=Value(index)) for index, value in enumerate(PairingKind.values)),
    default=Value(len(PairingKind.values)),
    output_field=IntegerField(),
)


def pairing_list(
    *, user: AnyUser, kind: str = "", street: Region | None = None, on: date | None = None
) -> QuerySet[Pairing]:
    on = on or timezone.localdate()
    qs = Pairing.objects.filter(pairings_q(user)).select_related(
        "side_user", "side_member", "side_organization", "enterprise", "target_member", "street"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if street is not None:
        qs = qs.filter(street_id__in=subtree_ids([street.pk]))
    return _with_quarter_counts(qs, on).order_by("-active", KIND_ORDER, "-starts_on", "-id")


def pairing_get(*, user: AnyUser, pk: int | str) -> Pairing:
    """One pairing: 404 outside the user's reach (whether they may write is the policy's)."""
    try:
        return pairing_list(user=user).get(pk=pk)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def pairing_visits(*, pairing: Pairing) -> QuerySet[Visit]:
    return pairing.visits.select_related("created_by").prefetch_related("photos")


def visit_get(*, user: AnyUser, pk: int | str) -> Visit:
    try:
        return Visit.objects.select_related("pairing", "pairing__side_member").get(
            pk=pk, pairing__in=Pairing.objects.filter(pairings_q(user)).values("pk")
        )
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def visit_photo_get(*, user: AnyUser, visit_pk: int | str, pk: int | str) -> VisitPhoto:
    visit = visit_get(user=user, pk=visit_pk)
    try:
        return visit.photos.get(pk=pk)
    except (VisitPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def instructor_pairings(
    *, user: AnyUser, street: Region | None = None, on: date | None = None
) -> QuerySet[InstructorAssignment]:
    """党建指导员联系企业: the instructor assignments the user reaches, active on `on`,
    with their visits this quarter and last (read from the instructor tables)."""
    on = on or timezone.localdate()
    start, end = quarter_of(on)
    last_start, last_end = previous_quarter(on)
    scope = scope_for(user)
    qs = InstructorAssignment.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on),
        start_on__lte=on,
        enterprise__in=Enterprise.objects.filter(scope.enterprises_q()).values("pk"),
    )
    if street is not None:
        qs = qs.filter(enterprise__street_id__in=subtree_ids([street.pk]))
    return (
        qs.select_related("instructor", "enterprise")
        .annotate(
            visits_this_quarter=Count("visits", filter=Q(visits__visited_on__range=(start, end))),
            visits_last_quarter=Count("visits", filter=Q(visits__visited_on__range=(last_start, last_end))),
        )
        .order_by("enterprise__name")
    )


# --- figures -----------------------------------------------------------------------------------


@dataclass
class PairingFigures:
    quarter: tuple[date, date]
    last_quarter: tuple[date, date]
    by_kind: list[dict] = field(default_factory=list)
    total: int = 0
    quota_this_quarter: int = 0
    visits_this_quarter: int = 0
    met_this_quarter: int = 0
    short_last_quarter: int = 0
    problems_found: int = 0
    problems_settled: int = 0
    area: list[str] = field(default_factory=list)

    @property
    def settled_rate(self) -> float | None:
        return self.problems_settled / self.problems_found if self.problems_found else None


def leader_area_street_ids(*, user: AnyUser, on: date | None = None) -> set[int]:
    """The streets of the 领导包片 pairings the user leads (active on `on`)."""
    if user is None or not user.is_authenticated:
        return set()
    on = on or timezone.localdate()
    return set(
        Pairing.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            side_user_id=user.pk,
            kind=PairingKind.LEADER_AREA,
            active=True,
            starts_on__lte=on,
        ).values_list("street_id", flat=True)
    )


def pairings_figures(
    *, user: AnyUser, region: Region | None = None, on: date | None = None, leader_area: bool = True
) -> PairingFigures:
    """Pairings by kind, visits this quarter against the quota, pairings short
    of their quota in the quarter that ended, problems found and settled this
    year. A 领导包片 leader sees their area (the streets of the pairings they
    lead) where no region is asked for, unless `leader_area` is off (the
    pairing list's figures describe the list); `region` narrows to its streets."""
    on = on or timezone.localdate()
    quarter, last = quarter_of(on), previous_quarter(on)
    figures = PairingFigures(quarter=quarter, last_quarter=last)
    area = leader_area_street_ids(user=user, on=on) if region is None and leader_area else set()
    if area:
        pairings = Pairing.objects.filter(street_id__in=area)
        assignments = InstructorAssignment.objects.filter(enterprise__street_id__in=area)
        figures.area = list(Region.objects.filter(pk__in=area).order_by("name").values_list("name", flat=True))
    else:
        pairings = Pairing.objects.filter(pairings_q(user))
        scope = scope_for(user)
        assignments = InstructorAssignment.objects.filter(
            enterprise__in=Enterprise.objects.filter(scope.enterprises_q()).values("pk")
        )
    if region is not None:
        streets = subtree_ids([region.pk])
        pairings = pairings.filter(street_id__in=streets)
        assignments = assignments.filter(enterprise__street_id__in=streets)
    current = pairings.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), active=True, starts_on__lte=on)
    whole_last = pairings.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=last[1]), active=True, starts_on__lte=last[0])
    counts = dict(current.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    rows: list[tuple[int, int]] = list(
        _with_quarter_counts(current, on).values_list("quota_per_quarter", "visits_this_quarter")  # type: ignore[misc]
    )
    short = (
        _with_quarter_counts(whole_last, on)
        .filter(visits_last_quarter__lt=F("quota_per_quarter"))  # type: ignore[misc]
        .count()
    )

    current_assignments = assignments.filter(Q(end_on__isnull=True) | Q(end_on__gte=on), start_on__lte=on)
    assignment_visits = list(
        current_assignments.annotate(n=Count("visits", filter=Q(visits__visited_on__range=quarter))).values_list(
            "n", flat=True
        )
    )
    short += (
        assignments.filter(Q(end_on__isnull=True) | Q(end_on__gte=last[1]), start_on__lte=last[0])
        .annotate(n=Count("visits", filter=Q(visits__visited_on__range=last)))
        .filter(n__lt=INSTRUCTOR_QUOTA_PER_QUARTER)
        .count()
    )
    counts[PairingKind.INSTRUCTOR_ENTERPRISE] = len(assignment_visits)
    rows += [(INSTRUCTOR_QUOTA_PER_QUARTER, n) for n in assignment_visits]

    figures.by_kind = [
        {"kind": value, "label": label, "count": counts.get(value, 0)} for value, label in PairingKind.choices
    ]
    figures.total = sum(counts.values())
    figures.quota_this_quarter = sum(quota for quota, _n in rows)
    figures.visits_this_quarter = sum(n for _quota, n in rows)
    figures.met_this_quarter = sum(1 for quota, n in rows if n >= quota)
    figures.short_last_quarter = short
    year_visits = Visit.objects.filter(pairing__in=pairings.values("pk"), visited_on__year=on.year, problem_found=True)
    figures.problems_found = year_visits.count()
    figures.problems_settled = year_visits.filter(settled_on__isnull=False, settled_on__lte=on).count()
    return figures
