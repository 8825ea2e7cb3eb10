"""The nightly run fanned out per district (a chord of ratings parts, then the
final step) writes exactly the rows of the single run."""

from datetime import date
from unittest import mock

import pytest
from django.core.management import call_command

from orgs.models import Alert, CoverageSnapshot, PartyOrganization, Rating, Region
from stats import run as stats_run
from stats.run import StatsLocked, compute_stats, run_claim, run_release
from stats.tasks import compute_stats_task

ON = date(2026, 11, 20)


def _rows():
    """Every snapshot, rating and alert row, without ids (rows are replaced, so ids differ)."""

    def without_id(qs):
        return sorted(repr(sorted((k, v) for k, v in row.items() if k != "id")) for row in qs.values())

    return {
        "snapshots": without_id(CoverageSnapshot.objects.filter(date=ON)),
        "ratings": without_id(Rating.objects.all()),
        "alerts": without_id(Alert.objects.all()),
    }


@pytest.mark.django_db(transaction=True)
def test_fanned_out_run_writes_the_rows_of_the_single_run():
    call_command("seed_demo", "--enterprises", "160", "--districts", "2", "--seed", "5", "--as-of", ON.isoformat())
    assert Region.objects.filter(kind=Region.Kind.DISTRICT).count() == 2
    # A street straight under the city: its organizations are under no district, and a part must still rate them.
    city = Region.objects.get(kind=Region.Kind.CITY)
    street = Region.objects.get(pk=PartyOrganization.objects.values_list("street_id", flat=True).first())
    Region.objects.filter(pk=street.pk).update(parent=city)

    single = compute_stats(on=ON)
    expected = _rows()
    assert expected["snapshots"] and expected["ratings"] and expected["alerts"]

    # Spoil what the single run wrote; the fanned-out run must write it all again.
    Rating.objects.filter(computed_on=ON).update(score=0, computed_stars=1)
    CoverageSnapshot.objects.filter(date=ON).update(enterprises=0)
    with mock.patch("stats.tasks.compute_stats_part", wraps=stats_run.compute_stats_part) as part:
        outcome = compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True}).get()
    assert part.call_count == 3  # two districts, and the organizations under none
    assert outcome["skipped"] is False
    assert outcome["ratings"] == single.ratings and outcome["snapshots"] == single.snapshots
    assert outcome["messages"] == single.messages
    assert _rows() == expected


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


@pytest.mark.django_db
def test_a_failed_part_frees_the_date():
    with (
        mock.patch("stats.tasks.compute_stats_part", side_effect=RuntimeError("part failed")),
        pytest.raises(RuntimeError),
    ):
        compute_stats_task.apply(kwargs={"on": ON.isoformat(), "fan_out": True})
    run_release(ON, run_claim(ON))  # the mark was released: the date can be claimed again
