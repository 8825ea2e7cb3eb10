"""Reads of the people register, always scoped through `scope_for`: staff
reach the workers and courses of their regions, a secretary the workers of
their own organization and the courses those workers attended.

The training cycle (Wuxi: 以三年一轮为周期): fixed windows of three calendar
years starting 1 January 2024 (2024–2026, 2027–2029, ...); the seeds name
no start, so the first cycle is the one the system went live in. A
secretary is trained in a cycle when they attended a course that ended
inside the window, on or before the day asked about.

Which secretary: an organization's secretary in the register is the party
worker whose post is 党组织书记 of that organization (at most one, a
database constraint). An organization in being with a secretary named
(PartyOrganization.secretary_name) and no such worker counts as not
trained: its secretary is not in the register yet. An organization with no
secretary named is left to the no-secretary warning and counts in neither
part of the share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from orgs.models import Election, Enterprise, PartyOrganization, Region
from orgs.scoping import AnyUser, scope_for

from .models import CrossAppointment, ManagerCount, PartyWorker, Recommendation, Training, TrainingAttendance

CYCLE_FIRST_YEAR = 2024
CYCLE_YEARS = 3

NOT_FOUND = "记录不存在或不在您的管辖范围内"


# --- the training cycle ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.year}—{self.end.year}"


def training_cycle(on: date) -> Cycle:
    """The three-calendar-year window `on` falls in (windows from 2024; a date
    before 2024 falls in the window three years earlier, and so on)."""
    first = CYCLE_FIRST_YEAR + ((on.year - CYCLE_FIRST_YEAR) // CYCLE_YEARS) * CYCLE_YEARS
    return Cycle(start=date(first, 1, 1), end=date(first + CYCLE_YEARS - 1, 12, 31))


def trained_in_cycle_q(*, on: date, path: str = "") -> Q:
    """Workers (at `path`) who attended a course that ended in the cycle of `on`, by `on`."""
    cycle = training_cycle(on)
    p = f"{path}__" if path else ""
    return Q(
        **{
            f"{p}pk__in": TrainingAttendance.objects.filter(
                training__ends_on__gte=cycle.start, training__ends_on__lte=on
            ).values("worker_id")
        }
    )


def organizations_in_being(*, on: date) -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)
    )


def secretaries_untrained(*, organizations: QuerySet[PartyOrganization], on: date) -> QuerySet[PartyOrganization]:
    """Of these organizations, those with a secretary named whose register
    secretary is missing or not trained in the cycle of `on`; annotated with
    `registered` (whether the register has their secretary)."""
    secretary = PartyWorker.objects.filter(organization=OuterRef("pk"), post=PartyWorker.Post.SECRETARY)
    trained = secretary.filter(trained_in_cycle_q(on=on))
    return (
        organizations.exclude(secretary_name="")
        .annotate(registered=Exists(secretary), trained=Exists(trained))
        .filter(trained=False)
    )


@dataclass
class Share:
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def secretaries_trained_share(*, organizations: QuerySet[PartyOrganization], on: date) -> Share:
    """Of the organizations in being with a secretary named, the share whose
    register secretary was trained in the cycle of `on`."""
    with_secretary = organizations_in_being(on=on).filter(pk__in=organizations.values("pk")).exclude(secretary_name="")
    whole = with_secretary.count()
    untrained = secretaries_untrained(organizations=with_secretary, on=on).count()
    return Share(part=whole - untrained, whole=whole)


# --- scoping ------------------------------------------------------------------------------


def _workers_q(user: AnyUser, *, path: str = "") -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    p = f"{path}__" if path else ""
    q = scope.regions_q(f"{p}region")
    if scope.organization_ids:
        q |= scope.organizations_q(f"{p}organization")
    return q


def _trainings_q(user: AnyUser) -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    reached = TrainingAttendance.objects.filter(_workers_q(user, path="worker")).values("training_id")
    return scope.regions_q("region") | Q(pk__in=reached)


def worker_list(
    *, user: AnyUser, source: str | None = None, post: str | None = None, in_pool: bool | None = None
) -> QuerySet[PartyWorker]:
    qs = PartyWorker.objects.filter(_workers_q(user)).select_related("organization", "region")
    if source:
        qs = qs.filter(source=source)
    if post:
        qs = qs.filter(post=post)
    if in_pool is not None:
        qs = qs.filter(in_pool=in_pool)
    return qs.order_by("name", "pk")


def worker_get(*, user: AnyUser, pk: int | str) -> PartyWorker:
    try:
        return (
            PartyWorker.objects.filter(_workers_q(user))
            .select_related("organization", "region", "member", "user")
            .get(pk=pk)
        )
    except (PartyWorker.DoesNotExist, ValueError, TypeError):
        raise Http404(_(NOT_FOUND)) from None


def recommendation_get(*, user: AnyUser, pk: int | str) -> Recommendation:
    try:
        return (
            Recommendation.objects.filter(_workers_q(user, path="worker"))
            .select_related("worker", "organization")
            .get(pk=pk)
        )
    except (Recommendation.DoesNotExist, ValueError, TypeError):
        raise Http404(_(NOT_FOUND)) from None


def recommendation_list(*, user: AnyUser) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(_workers_q(user, path="worker"))
        .select_related("worker", "organization")
        .order_by("-recommended_on", "-pk")
    )


def training_list(*, user: AnyUser, level: str | None = None) -> QuerySet[Training]:
    qs = Training.objects.filter(_trainings_q(user)).select_related("region")
    if level:
        qs = qs.filter(level=level)
    return qs.annotate(attendee_count=Count("attendances", distinct=True)).order_by("-starts_on", "-pk")


def training_get(*, user: AnyUser, pk: int | str) -> Training:
    try:
        return Training.objects.filter(_trainings_q(user)).select_related("region").get(pk=pk)
    except (Training.DoesNotExist, ValueError, TypeError):
        raise Http404(_(NOT_FOUND)) from None


def attendance_list(*, user: AnyUser, training: Training) -> QuerySet[TrainingAttendance]:
    """The course's attendees the caller reaches (a secretary sees their own people on a district course)."""
    return (
        training.attendances.filter(_workers_q(user, path="worker"))
        .select_related("worker", "worker__organization", "worker__region")
        .order_by("worker__name", "pk")
    )


def trainings_of(*, worker: PartyWorker) -> QuerySet[Training]:
    return Training.objects.filter(attendances__worker=worker).order_by("-starts_on", "-pk")


# --- what a form or an API body may name ------------------------------------------------------


def organizations_in_reach(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.filter(scope_for(user).organizations_q()).order_by("name")


def worker_regions(*, user: AnyUser) -> QuerySet[Region]:
    """The streets and districts a worker or a course may be filed under by this user."""
    from orgs import policy

    qs = Region.objects.filter(
        scope_for(user, write=True).regions_q(), kind__in=[Region.Kind.STREET, Region.Kind.DISTRICT]
    )
    return qs.filter(pk__in=[r.pk for r in qs if policy.may_create_training_in(user, r)]).order_by("kind", "name")


def member_choices(*, user: AnyUser):  # type: ignore[no-untyped-def]
    from members.models import Member

    return Member.objects.filter(scope_for(user).organizations_q("organization")).order_by("name")


def reference_get(*, queryset: QuerySet, pk: int | None, field: str, label: str):  # type: ignore[no-untyped-def]
    """A record an input names among those the caller reaches; otherwise a refusal naming the field."""
    from core.errors import ApplicationError

    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ApplicationError({field: _("%(label)s：不存在或不在您的管辖范围内") % {"label": label}})
    return found


# --- 交叉任职 ----------------------------------------------------------------------------------


def committee_people(*, organization: PartyOrganization) -> list[tuple[str, str]]:
    """(name, role) of the organization's committee: its latest election's
    committee where one is recorded, and its secretary in any case."""
    people: dict[str, str] = {}
    election = Election.objects.filter(organization=organization).order_by("-held_on", "-id").first()
    if election is not None:
        for seat in election.committee or []:
            name = str(seat.get("name") or "").strip()
            if name:
                people.setdefault(name, str(seat.get("role") or "member"))
    if organization.secretary_name.strip():
        people[organization.secretary_name.strip()] = "secretary"
    return sorted(people.items(), key=lambda item: (item[1] != "secretary", item[1] != "deputy", item[0]))


def cross_appointments_of(*, organization: PartyOrganization) -> QuerySet[CrossAppointment]:
    return organization.cross_appointments.select_related("enterprise").order_by("person", "pk")


def cross_appointment_get(*, user: AnyUser, pk: int | str) -> CrossAppointment:
    try:
        return (
            CrossAppointment.objects.filter(scope_for(user).organizations_q("organization"))
            .select_related("organization")
            .get(pk=pk)
        )
    except (CrossAppointment.DoesNotExist, ValueError, TypeError):
        raise Http404(_(NOT_FOUND)) from None


def manager_count_of(*, organization: PartyOrganization) -> ManagerCount | None:
    return ManagerCount.objects.filter(organization=organization).first()


def manager_share(*, entered: Mapping[int, tuple[int, int]], surveyed: tuple[int, int] = (0, 0)) -> Share:
    """管理人员中党员占比: the entered values (organization id → (managers, of
    whom party members)) summed, plus the survey's sums over the enterprises
    no entered value covers (surveyed_manager_totals)."""
    managers = surveyed[0] + sum(counts[0] for counts in entered.values())
    members = surveyed[1] + sum(counts[1] for counts in entered.values())
    return Share(part=members, whole=managers)


def entered_manager_counts(*, organizations: QuerySet[PartyOrganization]) -> dict[int, tuple[int, int]]:
    return {
        org_id: (managers, members)
        for org_id, managers, members in ManagerCount.objects.filter(
            organization__in=organizations.values("pk")
        ).values_list("organization_id", "managers", "party_members")
    }


def surveyed_manager_totals(
    *, organizations: QuerySet[PartyOrganization], entered: Iterable[int] = ()
) -> tuple[int, int]:
    """The survey's 管理人员数 / 其中党员数 summed over the distinct enterprises
    of the organizations with no entered values (an enterprise under two
    organizations counts once; one under an organization with entered values
    is covered by them), each enterprise that reported both (an empty cell
    is "not reported", never 0)."""
    entered = list(entered)
    through = PartyOrganization.enterprises.through
    links = through.objects.filter(partyorganization__in=organizations.values("pk"))
    totals = (
        Enterprise.objects.filter(
            pk__in=links.exclude(partyorganization_id__in=entered).values("enterprise_id"),
            managers__isnull=False,
            managers_party_members__isnull=False,
        )
        .exclude(pk__in=links.filter(partyorganization_id__in=entered).values("enterprise_id"))
        .aggregate(managers=Sum("managers"), members=Sum("managers_party_members"))
    )
    return (totals["managers"] or 0, totals["members"] or 0)


# --- figures ----------------------------------------------------------------------------------


@dataclass
class PeopleFigures:
    workers: int
    in_pool: int
    recommended: int
    accepted: int
    pending: int
    secretaries: Share
    cross_appointed: Share
    managers: Share
    cycle: Cycle
    by_source: list[tuple[str, int]]


def _organizations_under(user: AnyUser, region: Region | None) -> QuerySet[PartyOrganization]:
    qs = PartyOrganization.objects.filter(scope_for(user).organizations_q())
    if region is None:
        return qs
    if region.kind == Region.Kind.STREET:
        return qs.filter(street=region)
    return qs.filter(
        Q(street=region)
        | Q(street__parent=region)
        | Q(street__parent__parent=region)
        | Q(street__parent__parent__parent=region)
    )


def _workers_under(user: AnyUser, region: Region | None) -> QuerySet[PartyWorker]:
    qs = PartyWorker.objects.filter(_workers_q(user))
    if region is None:
        return qs
    below = (
        Q(region=region)
        | Q(region__parent=region)
        | Q(region__parent__parent=region)
        | Q(region__parent__parent__parent=region)
    )
    return qs.filter(below)


def _managers(organizations: QuerySet[PartyOrganization]) -> Share:
    entered = entered_manager_counts(organizations=organizations)
    return manager_share(
        entered=entered, surveyed=surveyed_manager_totals(organizations=organizations, entered=entered)
    )


def people_figures(*, user: AnyUser, region: Region | None, on: date) -> PeopleFigures:
    """The summary page's figures for a region (None: everything in reach), as of `on`:
    the register and the pool (Shahekou: 322 in the pool, 40 recommended),
    secretaries trained in the cycle, organizations with 交叉任职 and the
    share of managers who are party members."""
    workers = _workers_under(user, region)
    recommendations = Recommendation.objects.filter(worker__in=workers.values("pk"), recommended_on__lte=on)
    organizations = organizations_in_being(on=on).filter(pk__in=_organizations_under(user, region).values("pk"))
    with_cross = organizations.filter(Exists(CrossAppointment.objects.filter(organization=OuterRef("pk"))))
    by_source = dict(workers.values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    return PeopleFigures(
        workers=workers.count(),
        in_pool=workers.filter(in_pool=True).count(),
        recommended=recommendations.values("worker_id").distinct().count(),
        accepted=recommendations.filter(outcome=Recommendation.Outcome.ACCEPTED).count(),
        pending=recommendations.filter(outcome=Recommendation.Outcome.PENDING).count(),
        secretaries=secretaries_trained_share(organizations=organizations, on=on),
        cross_appointed=Share(part=with_cross.count(), whole=organizations.count()),
        managers=_managers(organizations),
        cycle=training_cycle(on),
        by_source=[(str(label), by_source.get(code, 0)) for code, label in PartyWorker.Source.choices],
    )


@dataclass
class RegionTraining:
    region: Region
    share: Share


def secretaries_trained_by_region(*, user: AnyUser, on: date) -> list[RegionTraining]:
    """The trained share per district and per street the user reaches (districts first)."""
    regions = Region.objects.filter(
        scope_for(user).regions_q(), kind__in=[Region.Kind.DISTRICT, Region.Kind.STREET]
    ).order_by("kind", "name")
    if scope_for(user).everything:
        regions = Region.objects.filter(kind__in=[Region.Kind.DISTRICT, Region.Kind.STREET]).order_by("kind", "name")
    rows = [
        RegionTraining(region=r, share=secretaries_trained_share(organizations=_organizations_under(user, r), on=on))
        for r in regions
    ]
    return sorted(rows, key=lambda row: (row.region.kind != Region.Kind.DISTRICT, row.region.name))


def enterprises_of(*, organization: PartyOrganization) -> QuerySet[Enterprise]:
    return organization.enterprises.order_by("name")


def workers_for_attendance(*, user: AnyUser) -> QuerySet[PartyWorker]:
    """The workers a course may take from this user: those they may keep."""
    scope = scope_for(user, write=True)
    if scope.everything:
        return PartyWorker.objects.order_by("name")
    from orgs.models import Role

    held = scope.regions_held(Role.DISTRICT, Role.STREET)
    if held is None:
        return PartyWorker.objects.order_by("name")
    return PartyWorker.objects.filter(region_id__in=held).order_by("name")


def ids_of(items: Iterable) -> list[int]:
    return [item.pk for item in items]
