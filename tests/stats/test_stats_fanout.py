"""The nightly run fanned out (a chord of parts, each staging its ratings,
coverage cells and warning drafts, then a final step publishing them in one
transaction) publishes exactly what the single run does; a part or a final
step stopped by its time limit publishes nothing and frees the date."""

from datetime import date
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import call_command

from orgs.models import (
    Alert,
    AlertStep,
    CoverageSnapshot,
    Enterprise,
    EnterpriseSurvey,
    PartyOrganization,
    Rating,
    Region,
)
from stats import parts as stats_parts
from stats import run as stats_run
from stats import tasks as stats_tasks
from stats.models import StagedPart, StagedRating
from stats.parts import parts_plan
from stats.run import StatsLocked, compute_stats, run_claim, run_release
from stats.tasks import compute_stats_task
from tests.factories import DistrictFactory, EnterpriseFactory, StreetFactory

ON = date(2026, 11, 20)


def _rows():
    """Every published row: snapshots, ratings, alerts and their steps,
    without ids and timestamps (rows are replaced, so ids differ)."""

    def without(qs, *skip):
        return sorted(repr(sorted((k, v) for k, v in row.items() if k not in skip)) for row in qs.values())

    return {
        "snapshots": without(CoverageSnapshot.objects.all(), "id"),
        "ratings": without(Rating.objects.all(), "id"),
        "alerts": without(Alert.objects.all(), "id"),
        "steps": without(AlertStep.objects.all(), "id", "at"),
    }


def _spoil():
    """Change what a run publishes, so a run that published nothing cannot pass for one that did."""
    Rating.objects.filter(computed_on=ON).update(score=0, computed_stars=1, evidence={})
    CoverageSnapshot.objects.filter(date=ON).update(enterprises=0, organizations=0, details={})
    Alert.objects.filter(closed_on__isnull=True).update(message="x", said={})


def _fan_out():
    with mock.patch("stats.tasks.compute_stats_part", wraps=stats_run.compute_stats_part) as part:
        outcome = compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True}).get()
    return outcome, [c.kwargs["label"] for c in part.call_args_list]


def _city_of_two_districts():
    """The demo city of two districts, with what only the whole run sees right:
    organizations under no district, an organization covering enterprises in
    both districts, an enterprise whose latest survey moved it to the other
    district, an override carried forward, an alert to close, an unsurveyed firm."""
    call_command("seed_demo", "--enterprises", "160", "--districts", "2", "--seed", "5", "--as-of", ON.isoformat())
    districts = list(Region.objects.filter(kind=Region.Kind.DISTRICT).order_by("pk"))
    assert len(districts) == 2
    city = Region.objects.get(kind=Region.Kind.CITY)
    street = Region.objects.get(pk=PartyOrganization.objects.values_list("street_id", flat=True).first())
    Region.objects.filter(pk=street.pk).update(parent=city)

    in_first = Enterprise.objects.filter(street__parent=districts[0], surveys__isnull=False).distinct()
    in_second = Enterprise.objects.filter(street__parent=districts[1], surveys__isnull=False).distinct()
    joint = PartyOrganization.objects.filter(street__parent=districts[0], enterprises__isnull=False).first()
    joint.enterprises.add(*in_second[:3])

    moved = next(e for e in in_first if e.surveys.count() >= 2)
    latest = moved.surveys.order_by("-survey_date").first()
    other_street = Region.objects.filter(parent=districts[1], kind=Region.Kind.STREET).first()
    EnterpriseSurvey.objects.filter(pk=latest.pk).update(street=other_street)

    org = PartyOrganization.objects.exclude(secretary_name="").first()
    Rating.objects.create(
        organization=org,
        year=ON.year,
        computed_on=date(ON.year, 3, 1),
        published_on=date(ON.year, 3, 1),
        score=50,
        computed_stars=2,
        override_stars=4,
        override_reason="获评市级示范点",
    )
    Alert.objects.create(
        kind=Alert.Kind.NO_SECRETARY,
        subject_key=f"org:{org.pk}",
        level=Alert.Level.RED,
        message="旧预警",
        organization=org,
        street_id=org.street_id,
        opened_on=date(ON.year, 10, 1),
        last_seen_on=date(ON.year, 10, 1),
    )
    EnterpriseFactory(street=other_street, name="未排查企业有限公司")
    return districts


@pytest.mark.django_db(transaction=True)
def test_fanned_out_run_publishes_what_the_single_run_does(settings):
    _city_of_two_districts()

    compute_stats(on=ON)
    # A re-run of the date starts from what the first run found (its alerts
    # kept, not opened): the fanned-out runs below are re-runs too.
    single = compute_stats(on=ON)
    expected = _rows()
    assert expected["snapshots"] and expected["ratings"] and expected["alerts"] and expected["steps"]
    # The 群团 counts of the demo surveys flow through both runs.
    assert CoverageSnapshot.objects.filter(date=ON, union_members__gt=0, league_enterprises__gt=0).exists()
    assert Rating.objects.filter(computed_on=ON, override_stars=4).count() == 1
    assert Alert.objects.filter(message="旧预警", closed_on=ON).count() == 1
    assert Alert.objects.filter(kind=Alert.Kind.DATA_QUALITY, closed_on__isnull=True).exists()

    # One part per district and one for the regions under no district.
    _spoil()
    outcome, labels = _fan_out()
    assert len(labels) == 3 and not any("streets" in label for label in labels)
    assert outcome["skipped"] is False
    assert (outcome["ratings"], outcome["snapshots"]) == (single.ratings, single.snapshots)
    assert outcome["alerts"] == [single.alerts_opened, single.alerts_kept, single.alerts_closed]
    assert outcome["messages"] == single.messages
    assert _rows() == expected

    # Both districts cut by street: several parts each.
    settings.STATS_PART_MAX_ENTERPRISES = 30
    _spoil()
    outcome, labels = _fan_out()
    split = [label for label in labels if "streets" in label]
    assert len({label.split(" streets")[0] for label in split}) == 2 and len(split) > 4
    assert outcome["messages"] == single.messages
    assert _rows() == expected
    assert not StagedPart.objects.exists() and not StagedRating.objects.exists()


def test_the_parts_cut_every_region_once_and_a_large_district_by_street(db):
    large, small = DistrictFactory(name="大区"), DistrictFactory(name="小区")
    streets = [StreetFactory(parent=large) for _ in range(3)]
    for street in streets:
        EnterpriseFactory.create_batch(5, street=street)
    EnterpriseFactory(street=StreetFactory(parent=small))

    parts = parts_plan(max_enterprises=10)
    cut = [p["streets"] for p in parts]
    every = sorted(s for streets_ in cut for s in streets_)
    assert every == sorted(Region.objects.values_list("pk", flat=True))  # each region in exactly one part
    by_label = {p["label"]: p["streets"] for p in parts}
    assert by_label[f"district {large.pk} streets 1/2"] == [streets[0].pk, streets[1].pk]
    assert by_label[f"district {large.pk} streets 2/2"] == [streets[2].pk]
    assert f"district {small.pk}" in by_label and "no district" in by_label
    assert set(by_label["no district"]) == {large.pk, small.pk}


def _world_published(world):
    for e in (world.enterprise_a, world.enterprise_b):
        facts = {f: getattr(e, f) for f in EnterpriseSurvey.fact_field_names()}
        EnterpriseSurvey.objects.create(enterprise=e, year=2026, survey_date=date(2026, 3, 31), **facts)
    compute_stats(on=ON)
    _spoil()
    return _rows()


def _date_is_free():
    run_release(ON, run_claim(ON))  # raises StatsLocked while the mark is held


def test_a_part_stopped_by_its_soft_time_limit_publishes_nothing_and_frees_the_date(world, settings):
    before = _world_published(world)
    settings.STATS_PART_MAX_ENTERPRISES = 0  # each street a part of its own
    real = stats_parts.enterprise_problems
    calls = []

    def second_part_times_out(cursor):
        calls.append(1)
        if len(calls) == 2:
            assert StagedPart.objects.count() == 1  # the first part had staged its results
            raise SoftTimeLimitExceeded()
        return real(cursor)

    with (
        mock.patch("stats.parts.enterprise_problems", side_effect=second_part_times_out),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True})
    assert len(calls) == 2
    assert _rows() == before
    assert not StagedPart.objects.exists() and not StagedRating.objects.exists()
    _date_is_free()


def test_a_final_step_stopped_by_its_soft_time_limit_publishes_nothing(world):
    before = _world_published(world)
    with (
        mock.patch("stats.run.warnings_apply", side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True})
    # The ratings and snapshots written before the warnings were rolled back with them.
    assert _rows() == before
    assert not StagedPart.objects.exists() and not StagedRating.objects.exists()
    _date_is_free()
    with stats_run.stats_lock():
        pass  # the final step's lock was released too


def test_the_chord_error_callback_drops_what_was_staged_and_frees_the_date(world):
    _world_published(world)
    token = run_claim(ON)
    stats_parts.part_compute(on=ON, token=token, label="all", streets=None)
    assert StagedPart.objects.exists() and StagedRating.objects.exists()
    stats_tasks.compute_stats_release_task.apply(args=[ON.isoformat(), token])
    assert not StagedPart.objects.exists() and not StagedRating.objects.exists()
    _date_is_free()


def test_every_stats_task_has_a_soft_and_a_hard_time_limit(settings):
    tasks = [
        stats_tasks.compute_stats_task,
        stats_tasks.compute_stats_part_task,
        stats_tasks.compute_stats_finish_task,
        stats_tasks.compute_stats_release_task,
    ]
    soft = settings.JOB_TIME_LIMITS["stats"]
    for task in tasks:
        assert (task.soft_time_limit, task.time_limit) == (soft, soft + 60), task.name


@pytest.mark.django_db
def test_a_date_being_run_is_refused_to_a_second_run():
    token = run_claim(ON)
    try:
        with pytest.raises(StatsLocked):
            compute_stats(on=ON)
        assert compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True}).get()["skipped"] is True
    finally:
        run_release(ON, token)
    assert compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True}).get()["skipped"] is False


def test_a_failed_part_frees_the_date(world):
    with (
        mock.patch("stats.tasks.compute_stats_part", side_effect=RuntimeError("part failed")),
        pytest.raises(RuntimeError),
    ):
        compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True})
    _date_is_free()
