"""The figures, recomputed from the projects themselves; the two nightly
warnings open and close with their conditions."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from demands.figures import demands_figures
from demands.models import DemandProject
from demands.services import demand_check, demand_claim, demand_complete, demand_exit
from orgs.models import Alert
from stats.run import compute_stats

from .conftest import set_up

State = DemandProject.State


def build(world):
    """A project in every state at every class, some overdue, some unchecked."""
    district = world.street_a.parent
    owners = {
        "A": (world.district, district),
        "B": (world.street_a_staff, world.street_a),
        "C": (world.secretary_a, world.org_a),
    }
    made = []
    for level, (by, owner) in owners.items():
        for n, state in enumerate(State.values):
            project = set_up(by, level, owner, ago=120 + n, span=60 + 40 * n, title=f"{level}{state}")
            if state != State.OPEN:
                demand_claim(project=project, by=by, organization=world.org_a)
            if state == State.COMPLETED:
                demand_complete(project=project, by=by, satisfaction=n)
            if state == State.RECTIFYING:
                demand_check(
                    project=project,
                    by=world.district,
                    checked_on=timezone.localdate(),
                    finding="滞后",
                    result="rectify",
                )
            if state == State.EXITED:
                demand_exit(project=project, by=by, reason="效果差")
            made.append(project)
    return made


def expected(projects, on):
    since = on - relativedelta(months=3)
    live = [p for p in projects if p.state in (State.OPEN, State.CLAIMED, State.RECTIFYING)]
    completed = [p for p in projects if p.state == State.COMPLETED]
    return {
        "total": len(projects),
        "claimed": sum(1 for p in projects if p.claims.exists()),
        "completed": len(completed),
        "exited": sum(1 for p in projects if p.state == State.EXITED),
        "overdue": sum(1 for p in live if p.target_date < on),
        "unchecked": sum(
            1
            for p in live
            if p.level in "AB" and p.set_up_on <= since and not p.checks.filter(checked_on__gt=since).exists()
        ),
        "satisfaction": round(sum(p.satisfaction for p in completed) / len(completed), 2) if completed else None,
    }


def test_figures_match_the_projects(world):
    build(world)
    on = timezone.localdate()
    projects = list(DemandProject.objects.all())
    figures = demands_figures(user=world.district, on=on)
    totals = figures["totals"]
    want = expected(projects, on)
    assert {k: totals[k] for k in want} == want
    assert totals["claimed_share"] == want["claimed"] / want["total"]
    assert totals["completion_rate"] == want["completed"] / want["total"]
    assert want["overdue"] > 0 and want["unchecked"] > 0
    for row in figures["levels"]:
        assert row["states"] == [
            sum(1 for p in projects if p.level == row["level"] and p.state == s) for s in State.values
        ]
    street = next(r for r in figures["streets"] if r["street_id"] == world.street_a.pk)
    assert street["total"] == sum(1 for p in projects if p.street_id == world.street_a.pk)
    # Street A's staff: their street's B and C projects and the district's A projects.
    mine = demands_figures(user=world.street_a_staff, region=world.street_a, on=on)["totals"]
    assert mine == {**demands_figures(user=world.district, region=world.street_a, on=on)["totals"]}
    assert mine["total"] == 10


def test_outsider_figures_leave_other_streets_out(world, street_b_staff):
    build(world)
    totals = demands_figures(user=street_b_staff)["totals"]
    assert totals["total"] == sum(1 for p in DemandProject.objects.all() if p.level == "A")


def test_compute_stats_opens_and_closes_demand_warnings(world):
    today = timezone.localdate()
    overdue = set_up(world.district, "A", world.street_a.parent, ago=150, span=30, title="逾期项目")
    unchecked = set_up(world.street_a_staff, "B", world.street_a, ago=120, span=200, title="未跟单项目")
    fresh = set_up(world.secretary_a, "C", world.org_a, ago=150, span=30, title="C类逾期")
    compute_stats(on=today)

    def open_alert(kind, project):
        return Alert.objects.filter(kind=kind, subject_key=f"demand:{project.pk}", closed_on__isnull=True).first()

    assert open_alert(Alert.Kind.DEMAND_OVERDUE, overdue) is not None
    assert open_alert(Alert.Kind.DEMAND_UNCHECKED, overdue) is not None
    alert = open_alert(Alert.Kind.DEMAND_UNCHECKED, unchecked)
    assert alert is not None and alert.street_id == world.street_a.pk and alert.link.endswith(f"/{unchecked.pk}/")
    assert open_alert(Alert.Kind.DEMAND_OVERDUE, unchecked) is None
    # A C project is spot-checked: overdue warns, a missing quarterly check does not.
    assert open_alert(Alert.Kind.DEMAND_OVERDUE, fresh).organization_id == world.org_a.pk
    assert open_alert(Alert.Kind.DEMAND_UNCHECKED, fresh) is None

    demand_check(project=unchecked, by=world.district, checked_on=today, finding="正常")
    demand_exit(project=overdue, by=world.district, reason="效果差")
    compute_stats(on=today + timedelta(days=1))
    assert open_alert(Alert.Kind.DEMAND_UNCHECKED, unchecked) is None
    assert open_alert(Alert.Kind.DEMAND_OVERDUE, overdue) is None
    closed = Alert.objects.get(kind=Alert.Kind.DEMAND_OVERDUE, subject_key=f"demand:{overdue.pk}")
    assert closed.closed_on == today + timedelta(days=1) and closed.closed_by_refresh
    assert open_alert(Alert.Kind.DEMAND_OVERDUE, fresh) is not None
