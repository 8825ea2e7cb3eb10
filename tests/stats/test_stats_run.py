"""Warnings lifecycle, compute_stats idempotency, lock, command, task and API scoping."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from activities.reference import ensure_reference_data as ensure_rules
from orgs.models import Alert, CoverageSnapshot, EnterpriseSurvey, Rating
from orgs.reference import ensure_reference_data
from stats.run import StatsLocked, compute_stats, stats_lock
from stats.tasks import compute_stats_task
from stats.warnings import warnings_refresh

ON = date(2026, 5, 15)


@pytest.fixture(autouse=True)
def reference(db):
    ensure_reference_data()
    ensure_rules()


def surveyed(world):
    for e in (world.enterprise_a, world.enterprise_b):
        facts = {f: getattr(e, f) for f in EnterpriseSurvey.fact_field_names()}
        EnterpriseSurvey.objects.create(enterprise=e, year=2026, survey_date=date(2026, 3, 31), **facts)


def test_warning_opens_stays_and_closes(world):
    org = world.org_a
    warnings_refresh(on=ON)
    alert = Alert.objects.get(kind=Alert.Kind.NO_SECRETARY, organization=org)
    assert alert.opened_on == ON and alert.closed_on is None and alert.link.endswith(f"/{org.pk}/")
    warnings_refresh(on=date(2026, 5, 16))
    alert.refresh_from_db()
    assert (alert.opened_on, alert.last_seen_on) == (ON, date(2026, 5, 16))
    org.secretary_name = "王书记"
    org.save()
    warnings_refresh(on=date(2026, 5, 17))
    alert.refresh_from_db()
    assert alert.closed_on == date(2026, 5, 17)
    assert not Alert.objects.filter(kind=Alert.Kind.NO_SECRETARY, organization=org, closed_on__isnull=True).exists()


def test_backfill_does_not_touch_warnings(world):
    warnings_refresh(on=ON)
    run = warnings_refresh(on=date(2026, 1, 1))
    assert run.skipped and Alert.objects.filter(opened_on=date(2026, 1, 1)).count() == 0


def test_compute_stats_twice_gives_the_same_rows(world):
    surveyed(world)
    compute_stats(on=ON)

    def state():
        return (
            sorted(CoverageSnapshot.objects.values_list("scope_kind", "scope_key", "above_scale_only", "enterprises")),
            sorted(Rating.objects.values_list("organization_id", "computed_on", "score")),
            sorted(Alert.objects.values_list("kind", "subject_key", "opened_on", "last_seen_on", "closed_on")),
        )

    first = state()
    compute_stats(on=ON)
    assert state() == first
    assert first[2]  # there is something to compare


def test_missing_survey_is_a_data_quality_warning(world):
    result = compute_stats(on=ON)
    assert any("排查" in m for m in result.messages)
    assert Alert.objects.filter(kind=Alert.Kind.DATA_QUALITY, closed_on__isnull=True).exists()


def test_lock_refuses_a_second_run(world):
    with stats_lock():
        with pytest.raises(StatsLocked):
            compute_stats(on=ON)
        assert compute_stats_task.apply(kwargs={"on": ON.isoformat()}).get()["skipped"] is True
    assert compute_stats_task.apply(kwargs={"on": ON.isoformat()}).get()["skipped"] is False


def test_task_is_not_acks_late():
    assert compute_stats_task.acks_late is False


def test_command_runs_inline(world, capsys):
    surveyed(world)
    call_command("compute_stats", "--date", ON.isoformat())
    assert "统计完成" in capsys.readouterr().out
    assert CoverageSnapshot.objects.filter(date=ON).exists()
    with pytest.raises(CommandError, match="日期格式"):
        call_command("compute_stats", "--date", "2026-13-01")


# --- API ------------------------------------------------------------------


@pytest.fixture
def computed(world):
    surveyed(world)
    compute_stats(on=ON)
    return world


def test_api_district_sees_district(computed, login):
    body = login(computed.district).get("/api/v1/stats/coverage/").json()
    assert body["enterprises"] == 2 and body["org_coverage_rate"] == 1.0
    assert body["date"] == ON.isoformat()


def test_api_street_staff_and_secretary_scope(computed, login):
    w = computed
    client = login(w.street_a_staff)
    assert client.get("/api/v1/stats/coverage/").json()["enterprises"] == 1
    assert client.get(f"/api/v1/stats/coverage/?street={w.street_b.pk}").status_code == 404
    streets = client.get("/api/v1/stats/coverage/streets/").json()
    assert [s["street_name"] for s in streets["results"]] == ["甲街道"]
    client = login(w.secretary_a)
    assert client.get(f"/api/v1/stats/coverage/?street={w.street_a.pk}").status_code == 200
    assert client.get(f"/api/v1/stats/coverage/?street={w.street_b.pk}").status_code == 404


def test_api_bad_date_is_400_in_chinese(computed, login):
    response = login(computed.district).get("/api/v1/stats/coverage/?date=2026-02-30")
    assert response.status_code == 400
    assert "日期格式" in response.json()["date"][0]


def test_api_date_before_any_snapshot_is_404(computed, login):
    assert login(computed.district).get("/api/v1/stats/coverage/?date=2020-01-01").status_code == 404


def test_api_reads_a_constant_number_of_queries(computed, login, django_assert_max_num_queries):
    client = login(computed.district)
    with django_assert_max_num_queries(10):
        client.get("/api/v1/stats/coverage/streets/")


def test_coverage_page_and_drilldown(computed, login):
    w = computed
    page = login(w.district).get("/orgs/stats/coverage/")
    assert page.status_code == 200 and "甲街道" in page.content.decode()
    drill = login(w.district).get(f"/orgs/stats/coverage/org_covered/?street={w.street_a.pk}&date={ON}")
    assert "甲企业有限公司" in drill.content.decode()
    outsider = login(w.street_a_staff).get(f"/orgs/stats/coverage/org_covered/?street={w.street_b.pk}&date={ON}")
    assert outsider.status_code == 404
    assert login(w.district).get("/orgs/stats/coverage/nonsense/").status_code == 404


@pytest.mark.postgres
def test_advisory_lock_held_by_another_session_refuses(world):
    import psycopg2
    from django.db import connection

    from stats.run import ADVISORY_LOCK_ID

    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "host", "port", "password")})
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_ID])
        with pytest.raises(StatsLocked):
            compute_stats(on=ON)
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_ID])
    finally:
        other.close()
    compute_stats(on=ON)  # free again once the other session lets go


def test_enterprise_and_organization_warnings(world):
    from tests.factories import EnterpriseFactory, OrganizationFactory

    surveyed(world)
    lonely = OrganizationFactory(street=world.street_a, name="中共无企业支部", secretary_name="赵书记")
    stray = EnterpriseFactory(
        street=world.street_a, name="丙企业", members_formal=3, members_probationary=0, members_total=3
    )
    facts = {f: getattr(stray, f) for f in EnterpriseSurvey.fact_field_names()}
    facts.update(members_probationary=0, org_setup="own")
    EnterpriseSurvey.objects.create(enterprise=stray, year=2026, survey_date=date(2026, 3, 31), **facts)
    warnings_refresh(on=ON)
    open_alerts = Alert.objects.filter(closed_on__isnull=True)
    assert open_alerts.filter(kind=Alert.Kind.NO_ENTERPRISE, organization=lonely).exists()
    assert open_alerts.filter(kind=Alert.Kind.SHOULD_FORM, enterprise=stray, street=world.street_a).exists()
    mismatch = open_alerts.get(kind=Alert.Kind.SURVEY_MISMATCH, enterprise=stray)
    assert "以台账为准" in mismatch.message and mismatch.link.endswith(f"/{stray.pk}/")
    assert open_alerts.filter(kind=Alert.Kind.NO_ACTIVITY_90, organization=world.org_a).exists()


def test_command_history_fills_month_ends_for_trend_lines(world):
    from django.core.management import call_command

    from orgs.models import CoverageSnapshot
    from tests.helpers.records import make_survey

    make_survey(world.enterprise_a, year=2025)
    call_command("compute_stats", "--date", "2026-11-20", "--history", "3")
    dates = set(CoverageSnapshot.objects.filter(scope_kind="district").values_list("date", flat=True))
    assert {d.isoformat() for d in dates} == {"2026-08-31", "2026-09-30", "2026-10-31", "2026-11-20"}
