"""The figures, recomputed here from the rows they come from: pairings by
kind, visits this quarter against the quota, pairings short in the quarter
that ended, problems found and settled; a 领导包片 leader sees their area."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from orgs.models import InstructorAssignment, InstructorVisit
from pairings.models import Pairing, PairingKind, Visit
from pairings.selectors import pairings_figures, previous_quarter, quarter_of


def _pairing(world, street, enterprise, quota, **extra):
    return Pairing.objects.create(
        kind=extra.pop("kind", PairingKind.DEPARTMENT_ENTERPRISE),
        side_kind=extra.pop("side_kind", "department"),
        side_name="部门",
        enterprise=enterprise,
        street=street,
        starts_on=date(2024, 1, 1),
        quota_per_quarter=quota,
        **extra,
    )


def test_quarters():
    assert quarter_of(date(2026, 2, 10)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_of(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert previous_quarter(date(2026, 1, 5)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_figures_recomputed_from_the_rows(world, login):
    today = timezone.localdate()
    start, _end = quarter_of(today)
    last_start, last_end = previous_quarter(today)
    met = _pairing(world, world.street_a, world.enterprise_a, 1)
    short = _pairing(world, world.street_a, world.enterprise_a, 3)
    _pairing(world, world.street_b, world.enterprise_b, 1)  # another street
    Visit.objects.create(pairing=met, visited_on=start, findings="a", problem_found=True, settled_on=start)
    Visit.objects.create(pairing=met, visited_on=last_start, findings="b")
    Visit.objects.create(pairing=short, visited_on=last_end, findings="c", problem_found=True)
    assignment = InstructorAssignment.objects.create(
        instructor=world.instructor, enterprise=world.enterprise_a, start_on=date(2024, 1, 1)
    )
    InstructorVisit.objects.create(assignment=assignment, visited_on=start, summary="走访")

    figures = pairings_figures(user=world.street_a_staff, on=today)
    pairings = list(Pairing.objects.filter(street=world.street_a))
    visits = Visit.objects.filter(pairing__in=pairings)
    this_quarter = {
        p.pk: visits.filter(pairing=p, visited_on__gte=start, visited_on__lte=today).count() for p in pairings
    }
    last_quarter = {p.pk: visits.filter(pairing=p, visited_on__range=(last_start, last_end)).count() for p in pairings}
    by_kind = {row["kind"]: row["count"] for row in figures.by_kind}
    assert by_kind[PairingKind.DEPARTMENT_ENTERPRISE] == len(pairings) == 2
    assert by_kind[PairingKind.INSTRUCTOR_ENTERPRISE] == 1
    assert figures.total == 3
    assert figures.quota_this_quarter == sum(p.quota_per_quarter for p in pairings) + 1
    assert figures.visits_this_quarter == sum(this_quarter.values()) + 1
    assert figures.met_this_quarter == sum(1 for p in pairings if this_quarter[p.pk] >= p.quota_per_quarter) + 1
    # Both pairings and the assignment ran through the last quarter; which were short of their quota:
    expected_short = sum(1 for p in pairings if last_quarter[p.pk] < p.quota_per_quarter) + 1
    assert figures.short_last_quarter == expected_short
    year = visits.filter(visited_on__year=today.year, problem_found=True)
    assert figures.problems_found == year.count()
    assert figures.problems_settled == year.filter(settled_on__isnull=False).count()

    body = login(world.street_a_staff).get(reverse("pairings:list")).content.decode()
    assert 'data-figure="short">' + str(expected_short) in body


def test_leader_sees_the_figures_of_their_area(world):
    _pairing(world, world.street_a, world.enterprise_a, 1)
    _pairing(world, world.street_b, world.enterprise_b, 1)
    Pairing.objects.create(
        kind=PairingKind.LEADER_AREA,
        side_kind="leader",
        side_user=world.leader,
        street=world.street_b,
        starts_on=date(2024, 1, 1),
    )
    figures = pairings_figures(user=world.leader)
    assert figures.area == ["乙街道"]
    assert figures.total == Pairing.objects.filter(street=world.street_b).count() == 2
    assert pairings_figures(user=world.district).total == 3


def test_figures_on_the_dashboard_and_bulletin(world, login):
    _pairing(world, world.street_a, world.enterprise_a, 1)
    client = login(world.district)
    for name in ("orgs:dashboard", "orgs:bulletin"):
        body = client.get(reverse(name)).content.decode()
        assert 'data-testid="pairing-figures"' in body, name
