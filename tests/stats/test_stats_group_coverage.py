"""群团 coverage (DESIGN.md §9) recomputed from the survey rows themselves:
工会建会率 = operating enterprises with a union / operating enterprises;
职工入会率 = union members / employees of the union enterprises whose survey
gives their member count; 团组织建立率 = operating enterprises with a league
organization / operating enterprises. Every scope's snapshot, the API, the
drill-downs and the coverage page say the same numbers."""

from datetime import date

import pytest
from django.urls import reverse

from orgs.models import CoverageSnapshot, Enterprise, EnterpriseSurvey, Region
from stats.coverage import coverage_compute
from stats.drilldown import coverage_drilldown
from tests.factories import EnterpriseFactory, StreetFactory

ON = date(2026, 6, 30)
SURVEY_DAY = date(2026, 3, 31)


def survey(enterprise, *, year=2026, survey_date=SURVEY_DAY, **facts):
    values = {f: getattr(enterprise, f) for f in EnterpriseSurvey.fact_field_names()}
    values.update({"status": "operating", **facts})
    return EnterpriseSurvey.objects.create(enterprise=enterprise, year=year, survey_date=survey_date, **values)


@pytest.fixture
def groups(world):
    """Enterprises with and without a union, member counts given or not, a
    league organization or only league members, one closed, one whose older
    survey had a union it no longer has, and one surveyed after the date."""
    east = StreetFactory(name="东街道")
    empty = StreetFactory(name="空街道")  # no enterprise: its rates are null
    specs = [
        # street, employees, union, union members, league, league members, above scale
        (world.street_a, 100, True, 80, True, 12, True),
        (world.street_a, 40, True, None, False, 3, False),  # union, member count not reported
        (world.street_a, 25, False, None, False, None, False),
        (world.street_b, 60, True, 30, True, None, True),
        (world.street_b, 10, False, None, True, 2, False),
        (east, 300, True, 299, False, 0, True),
        (east, 8, False, None, False, None, False),
    ]
    made = []
    for n, (street, employees, union, members, league, young, above) in enumerate(specs):
        e = EnterpriseFactory(street=street, name=f"群团企业{n}", employees=employees, above_scale=above)
        survey(
            e,
            employees=employees,
            above_scale=above,
            union_established=union,
            union_members=members,
            league_established=league,
            league_members=young,
        )
        made.append(e)
    closed = EnterpriseFactory(street=east, name="停业企业", employees=50)
    survey(closed, employees=50, status="suspended", union_established=True, union_members=50)
    changed = EnterpriseFactory(street=east, name="工会撤销企业", employees=20)
    survey(changed, year=2025, survey_date=date(2025, 3, 31), union_established=True, union_members=20)
    survey(changed, employees=20, union_established=False, union_members=None)
    late = EnterpriseFactory(street=east, name="后来排查企业", employees=20)
    survey(late, year=2027, survey_date=date(2026, 9, 30), union_established=True, union_members=15)
    # The two enterprises of the shared world, surveyed without any 群团 facts.
    for e in (world.enterprise_a, world.enterprise_b):
        survey(e)
    coverage_compute(on=ON)
    return {"east": east, "empty": empty, "made": made}


def latest_surveys(streets=None, above_only=False) -> list[EnterpriseSurvey]:
    """Base set B from the rows: each enterprise's latest survey on or before ON, if operating."""
    rows = []
    for enterprise in Enterprise.objects.all():
        latest = enterprise.surveys.filter(survey_date__lte=ON).order_by("-survey_date", "-year").first()
        if latest is None or latest.status != "operating":
            continue
        if streets is not None and latest.street_id not in streets:
            continue
        if above_only and not latest.above_scale:
            continue
        rows.append(latest)
    return rows


def expected(rows: list[EnterpriseSurvey]) -> dict:
    unions = [s for s in rows if s.union_established]
    known = [s for s in unions if s.union_members is not None]
    members, employees = sum(s.union_members for s in known), sum(s.employees for s in known)
    n = len(rows)
    return {
        "union_rate": round(len(unions) / n, 4) if n else None,
        "union_membership_rate": round(members / employees, 4) if employees else None,
        "league_rate": round(sum(1 for s in rows if s.league_established) / n, 4) if n else None,
        "union_enterprises": len(unions),
        "union_members": members,
        "union_member_base": employees,
        "league_enterprises": sum(1 for s in rows if s.league_established),
        "league_members": sum(s.league_members or 0 for s in rows),
    }


def figures(snapshot: CoverageSnapshot) -> dict:
    return {name: getattr(snapshot, name) for name in expected([])}


def snap(kind, key, above=False) -> CoverageSnapshot:
    return CoverageSnapshot.objects.get(date=ON, scope_kind=kind, scope_key=key, above_scale_only=above)


@pytest.mark.parametrize("above", [False, True])
def test_every_scope_recomputed_from_the_survey_rows(world, groups, above):
    district = snap("district", "", above)
    assert figures(district) == expected(latest_surveys(above_only=above))
    for street in Region.objects.filter(kind=Region.Kind.STREET):
        assert figures(snap("street", str(street.pk), above)) == expected(
            latest_surveys({street.pk}, above_only=above)
        ), street.name


def test_the_rules_as_stated(world, groups):
    d = snap("district", "")
    # B: the seven, the world's two and 工会撤销企业 (its latest survey: no union); not the closed or late one.
    assert d.enterprises == 10
    assert (d.union_enterprises, d.union_rate) == (4, 0.4)
    # 80 + 30 + 299 members over 100 + 60 + 300 employees; the union of 40 without a count is left out.
    assert (d.union_members, d.union_member_base) == (409, 460)
    assert d.union_membership_rate == round(409 / 460, 4)
    assert (d.league_enterprises, d.league_rate, d.league_members) == (3, 0.3, 17)
    empty = snap("street", str(groups["empty"].pk))
    assert (empty.union_rate, empty.union_membership_rate, empty.league_rate) == (None, None, None)
    b = snap("street", str(world.street_b.pk))
    assert b.union_membership_rate == 0.5


def test_no_member_counts_reported_gives_a_null_membership_rate(world, groups):
    EnterpriseSurvey.objects.update(union_members=None)
    coverage_compute(on=ON)
    d = snap("district", "")
    assert d.union_rate == 0.4 and d.union_membership_rate is None and d.union_member_base == 0


def test_the_api_gives_the_three_rates(world, groups, api):
    client = api(world.district)
    body = client.get("/api/v1/stats/coverage/").json()
    d = snap("district", "")
    assert (body["union_rate"], body["union_membership_rate"], body["league_rate"]) == (
        d.union_rate,
        d.union_membership_rate,
        d.league_rate,
    )
    assert body["union_rate"] == 0.4 and 0 <= body["union_membership_rate"] <= 1
    children = client.get("/api/v1/stats/coverage/streets/").json()["results"]
    by_name = {c["street_name"]: c for c in children}
    assert by_name["空街道"]["union_rate"] is None and by_name["空街道"]["union_membership_rate"] is None
    assert by_name["乙街道"]["union_membership_rate"] == 0.5
    assert client.get("/api/v1/stats/coverage/", {"street": world.street_b.pk}).json()["league_rate"] == round(2 / 3, 4)

    def child(street):
        kids = client.get("/api/v1/stats/coverage/children/", {"region": street.parent_id}).json()["results"]
        return next(c for c in kids if c["region"] == street.pk)

    assert child(world.street_b)["union_membership_rate"] == 0.5
    assert child(groups["empty"])["league_rate"] is None
    outsider = api(world.street_a_staff).get("/api/v1/stats/coverage/", {"street": world.street_b.pk})
    assert outsider.status_code == 404


@pytest.mark.parametrize("street", [None, "a", "east"])
def test_drilldowns_list_the_enterprises_behind_each_rate(world, groups, street):
    street_id = {None: None, "a": world.street_a.pk, "east": groups["east"].pk}[street]
    s = snap("district", "") if street_id is None else snap("street", str(street_id))
    rows = latest_surveys({street_id} if street_id else None)

    union = coverage_drilldown(user=world.district, figure="union_established", on=ON, street_id=street_id)
    assert union.total == s.union_enterprises == sum(1 for r in rows if r.union_established)
    assert union.base_total == s.enterprises and round(union.rate, 4) == s.union_rate
    assert {r.enterprise.pk for r in union.rows} == {r.enterprise_id for r in rows if r.union_established}

    membership = coverage_drilldown(user=world.district, figure="union_membership", on=ON, street_id=street_id)
    assert (membership.part_sum, membership.whole_sum) == (s.union_members, s.union_member_base)
    known = [r for r in rows if r.union_established and r.union_members is not None]
    assert {r.enterprise.pk for r in membership.rows} == {r.enterprise_id for r in known}
    assert (None if membership.rate is None else round(membership.rate, 4)) == s.union_membership_rate
    assert all("工会会员" in r.reason for r in membership.rows)

    league = coverage_drilldown(user=world.district, figure="league_established", on=ON, street_id=street_id)
    assert league.total == s.league_enterprises and round(league.rate, 4) == s.league_rate


def test_coverage_page_shows_the_rates_with_their_sides(world, groups, login):
    html = login(world.district).get(reverse("orgs:stats_coverage")).content.decode()
    for label in ("工会建会率", "职工入会率", "团组织建立率"):
        assert label in html
    assert 'data-figure="union_membership"' in html and "409/460" in html
