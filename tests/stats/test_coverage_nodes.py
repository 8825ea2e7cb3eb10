"""Coverage at every node of the tree (DESIGN.md §8): a city of two districts.

The expected figures are recomputed here from the rows the test writes (the
table SPEC), never read back from other snapshots. District 甲区 is first
computed alone, as a one-district installation; a city and a second
district are then added around it, and its figures must not move."""

from datetime import date

import pytest
from django.urls import reverse

from orgs.models import (
    CoverageSnapshot,
    Enterprise,
    EnterpriseSurvey,
    FormationMode,
    InstructorAssignment,
    Region,
    Role,
)
from orgs.reference import ensure_reference_data
from stats.coverage import coverage_compute
from stats.drilldown import coverage_drilldown
from tests.factories import EnterpriseFactory, OrganizationFactory, UserFactory, grant

BEFORE = date(2026, 5, 31)
ON = date(2026, 6, 30)
COUNTS = (
    "enterprises",
    "org_covered",
    "work_covered",
    "own_org_eligible",
    "own_org",
    "should_form_not_formed",
    "organizations",
    "members_formal",
    "members_probationary",
    "employees",
    "enterprises_without_member",
)

# district, street, name, formal members, organization, instructor, status, industry, 规上
SPEC = [
    ("甲", "甲一", "甲1", 4, "own", False, "operating", "C", False),
    ("甲", "甲一", "甲2", 3, None, False, "operating", "C", True),
    ("甲", "甲二", "甲3", 0, "joint", False, "operating", "F", False),
    ("甲", "甲二", "甲4", 1, "joint", False, "operating", "C", False),
    ("甲", "甲二", "甲5", 0, None, True, "operating", "F", False),
    ("乙", "乙一", "乙1", 5, "own", False, "operating", "C", True),
    ("乙", "乙一", "乙2", 0, None, False, "operating", "F", False),
    ("乙", "乙二", "乙3", 6, None, False, "deregistered", "C", False),
    ("乙", "乙二", "乙4", 3, "attached", True, "operating", "C", False),
]
EMPLOYEES = 20


def expected(rows) -> dict[str, int]:
    """The figures of DESIGN.md §3 from SPEC rows (no member rows are written)."""
    base = [r for r in rows if r[6] == "operating"]
    orgs = {(r[0], r[4]) for r in base if r[4]}
    return {
        "enterprises": len(base),
        "org_covered": sum(1 for r in base if r[4]),
        "work_covered": sum(1 for r in base if r[4] or r[5]),
        "own_org_eligible": sum(1 for r in base if r[3] >= 3),
        "own_org": sum(1 for r in base if r[3] >= 3 and r[4] == "own"),
        "should_form_not_formed": sum(1 for r in base if r[3] >= 3 and not r[4]),
        # one organization per mode and district in this world (the joint one covers two)
        "organizations": len(orgs),
        "members_formal": 0,
        "members_probationary": 0,
        "employees": EMPLOYEES * len(base),
        "enterprises_without_member": sum(1 for r in base if r[3] == 0),
    }


def of(district: str, industry: str | None = None, above: bool = False) -> dict[str, int]:
    rows = [r for r in SPEC if (r[0] == district or district == "*") and (industry is None or r[7] == industry)]
    return expected([r for r in rows if r[8] or not above])


def figures(snapshot: CoverageSnapshot) -> dict[str, int]:
    return {name: getattr(snapshot, name) for name in COUNTS}


def row(kind, key, *, on=ON, above=False) -> CoverageSnapshot:
    return CoverageSnapshot.objects.get(date=on, scope_kind=kind, scope_key=str(key), above_scale_only=above)


def feed(district: Region, name: str) -> None:
    """Streets, enterprises, surveys, organizations and instructors of one district's SPEC rows."""
    streets: dict[str, Region] = {}
    orgs: dict[str, list] = {}
    for d, street, ent, formal, mode, instructor, status, industry, above in SPEC:
        if d != name:
            continue
        if street not in streets:
            streets[street] = Region.objects.create(name=f"{street}街道", kind=Region.Kind.STREET, parent=district)
        e = EnterpriseFactory(
            street=streets[street],
            name=f"{ent}有限公司",
            industry_id=industry,
            above_scale=above,
            employees=EMPLOYEES,
        )
        facts = {f: getattr(e, f) for f in EnterpriseSurvey.fact_field_names()}
        facts.update(status=status, members_formal=formal, members_probationary=0, members_total=formal)
        facts.update(org_setup=mode or "none")
        EnterpriseSurvey.objects.create(enterprise=e, year=2026, survey_date=date(2026, 3, 31), **facts)
        if mode:
            orgs.setdefault(mode, [streets[street], []])[1].append(e)
        if instructor:
            InstructorAssignment.objects.create(enterprise=e, start_on=date(2026, 1, 1))
    for mode, (street, enterprises) in orgs.items():
        OrganizationFactory(street=street, formation_mode=FormationMode(mode), enterprises=enterprises)


@pytest.fixture
def city(db):
    ensure_reference_data()
    a = Region.objects.create(name="甲区", kind=Region.Kind.DISTRICT)
    feed(a, "甲")
    # First a one-district installation: 甲区 alone, at the root of the tree.
    coverage_compute(on=BEFORE)
    alone = {
        "district": figures(row("district", a.pk, on=BEFORE)),
        "legacy": figures(row("district", "", on=BEFORE)),
        "industry": figures(row("industry", f"{a.pk}:C", on=BEFORE)),
        "above": figures(row("district", a.pk, on=BEFORE, above=True)),
    }
    # Then the city around it, and a second district.
    c = Region.objects.create(name="测试市", kind=Region.Kind.CITY)
    Region.objects.filter(pk=a.pk).update(parent=c)
    a.refresh_from_db()
    b = Region.objects.create(name="乙区", kind=Region.Kind.DISTRICT, parent=c)
    feed(b, "乙")
    coverage_compute(on=BEFORE)
    coverage_compute(on=ON)
    return {
        "city": c,
        "a": a,
        "b": b,
        "alone": alone,
        "city_staff": grant(UserFactory(username="city"), Role.CITY, region=c),
        "district_a": grant(UserFactory(username="district_a"), Role.DISTRICT, region=a),
        "district_b": grant(UserFactory(username="district_b"), Role.DISTRICT, region=b),
    }


# --- the figures ----------------------------------------------------------------------


def test_each_district_has_the_figures_of_its_rows(city):
    assert figures(row("district", city["a"].pk)) == of("甲")
    assert figures(row("district", city["b"].pk)) == of("乙")
    assert figures(row("district", city["b"].pk, above=True)) == of("乙", above=True)
    assert figures(row("industry", f"{city['b'].pk}:C")) == of("乙", "C")


def test_the_city_is_the_sum_of_its_districts(city):
    whole = figures(row("city", city["city"].pk))
    assert whole == of("*")
    parts = [figures(row("district", city[d].pk)) for d in "ab"]
    assert whole == {name: parts[0][name] + parts[1][name] for name in COUNTS}
    for code in "CF":
        assert figures(row("industry", f"{city['city'].pk}:{code}")) == of("*", code)
    # A rate is recomputed from the summed counts, never averaged.
    assert row("city", city["city"].pk).org_coverage_rate == round(whole["org_covered"] / whole["enterprises"], 4)


def test_a_district_keeps_its_figures_when_a_city_grows_around_it(city):
    alone = city["alone"]
    assert alone["district"] == alone["legacy"] == of("甲")  # the old single row said the same
    assert figures(row("district", city["a"].pk, on=BEFORE)) == alone["district"]
    assert figures(row("industry", f"{city['a'].pk}:C", on=BEFORE)) == alone["industry"] == of("甲", "C")
    assert figures(row("district", city["a"].pk, on=BEFORE, above=True)) == alone["above"]
    # With two districts no row has the old empty key: it would say which one?
    assert not CoverageSnapshot.objects.filter(date=ON, scope_kind="district", scope_key="").exists()


def test_every_street_and_the_district_agree(city):
    streets = Region.objects.filter(parent=city["a"], kind=Region.Kind.STREET)
    parts = [figures(row("street", s.pk)) for s in streets]
    district = figures(row("district", city["a"].pk))
    for name in COUNTS:
        if name != "organizations":  # an organization counts once in each scope it covers
            assert district[name] == sum(p[name] for p in parts), name


# --- the API ------------------------------------------------------------------------


def test_api_reads_any_region_in_reach(city, api):
    client = api(city["district_a"])
    body = client.get("/api/v1/stats/coverage/").json()
    assert body["enterprises"] == of("甲")["enterprises"] and body["date"] == ON.isoformat()
    assert client.get(f"/api/v1/stats/coverage/?region={city['a'].pk}").json() == body
    assert client.get(f"/api/v1/stats/coverage/?region={city['b'].pk}").status_code == 404
    assert client.get(f"/api/v1/stats/coverage/?region={city['city'].pk}").status_code == 404
    street_b = Region.objects.filter(parent=city["b"]).first()
    assert client.get(f"/api/v1/stats/coverage/?street={street_b.pk}").status_code == 404
    assert client.get(f"/api/v1/stats/coverage/children/?region={city['b'].pk}").status_code == 404
    response = client.get("/api/v1/stats/coverage/?region=abc")
    assert response.status_code == 400 and "region" in response.json()


def test_api_city_staff_read_the_city_and_its_districts(city, api):
    client = api(city["city_staff"])
    assert client.get("/api/v1/stats/coverage/").json()["enterprises"] == of("*")["enterprises"]
    body = client.get(f"/api/v1/stats/coverage/children/?region={city['city'].pk}").json()
    assert body["count"] == 2
    children = {c["region_name"]: c for c in body["results"]}
    assert set(children) == {"甲区", "乙区"}
    a = children["甲区"]
    assert (a["region"], a["region_kind"]) == (city["a"].pk, "district")
    assert a["enterprises"] == of("甲")["enterprises"] and a["org_coverage_rate"] == 0.6
    # Nothing changed between the two nights: every change is 0, dated the end of May.
    assert a["change"]["since"] == BEFORE.isoformat() and a["change"]["org_covered"] == 0
    assert a["change"]["org_coverage_rate"] == 0.0
    streets = client.get(f"/api/v1/stats/coverage/children/?region={city['a'].pk}").json()["results"]
    assert {s["region_kind"] for s in streets} == {"street"} and len(streets) == 2


def test_api_children_change_since_last_month(city, api):
    # An organization founded in June covers 甲2 (3 formal members): 甲区 gains one covered enterprise.
    enterprise = Enterprise.objects.get(name="甲2有限公司")
    OrganizationFactory(
        street=enterprise.street, formation_mode=FormationMode.OWN, enterprises=[enterprise], founded_on=ON
    )
    coverage_compute(on=ON)
    body = api(city["city_staff"]).get(f"/api/v1/stats/coverage/children/?region={city['city'].pk}").json()
    change = {c["region_name"]: c["change"] for c in body["results"]}
    assert (change["甲区"]["org_covered"], change["甲区"]["should_form_not_formed"]) == (1, -1)
    assert change["甲区"]["org_coverage_rate"] == 0.2
    assert change["乙区"]["org_covered"] == 0


# --- pages ------------------------------------------------------------------------


def test_city_dashboard_ranks_its_districts(city, client):
    client.force_login(city["city_staff"])
    html = client.get(reverse("orgs:dashboard"), {"date": ON.isoformat()}).content.decode()
    assert "测试市 统计看板" in html and "各区县情况" in html
    assert "甲区" in html and "乙区" in html and "甲一街道" not in html
    assert f"region={city['a'].pk}" in html  # a ranked district opens its own dashboard
    bulletin = client.get(reverse("orgs:bulletin"), {"month": "2026-06"}).content.decode()
    assert "各区县排名" in bulletin and "乙区" in bulletin
    district = client.get(reverse("orgs:dashboard"), {"region": city["b"].pk, "date": ON.isoformat()})
    html = district.content.decode()
    assert "乙区 统计看板" in html and "乙一街道" in html and "甲一街道" not in html


def test_district_staff_see_their_district_only(city, client):
    client.force_login(city["district_a"])
    html = client.get(reverse("orgs:dashboard"), {"date": ON.isoformat()}).content.decode()
    assert "甲区 统计看板" in html and "各街道情况" in html
    assert "甲一街道" in html and "乙一街道" not in html
    for params in ({"region": city["b"].pk}, {"region": city["city"].pk}):
        assert client.get(reverse("orgs:dashboard"), params).status_code == 404
        assert client.get(reverse("orgs:bulletin"), params).status_code == 404


def test_drilldown_of_a_district_lists_what_its_row_counts(city):
    result = coverage_drilldown(user=city["district_a"], figure="enterprises", on=ON, region_id=city["a"].pk)
    assert result.total == row("district", city["a"].pk).enterprises
    assert {r.enterprise.name[:2] for r in result.rows} == {"甲1", "甲2", "甲3", "甲4", "甲5"}
    city_result = coverage_drilldown(user=city["city_staff"], figure="should_form_not_formed", on=ON)
    assert city_result.total == of("*")["should_form_not_formed"]
    from django.http import Http404

    with pytest.raises(Http404):
        coverage_drilldown(user=city["district_a"], figure="enterprises", on=ON, region_id=city["b"].pk)


# --- the migration of the old rows ------------------------------------------------------


def _migrate():
    import importlib

    from django.apps import apps

    importlib.import_module("orgs.migrations.0021_coverage_at_every_node").district_rows_to_its_id(apps, None)


def test_old_rows_take_the_single_districts_id(db):
    from tests.factories import DistrictFactory, SnapshotFactory

    district = DistrictFactory()
    SnapshotFactory(date=BEFORE, enterprises=7)
    SnapshotFactory(date=BEFORE, scope_kind="industry", scope_key="C", enterprises=3)
    # A date already written under the new key keeps that row; the old one stays beside it.
    SnapshotFactory(date=ON, enterprises=8)
    SnapshotFactory(date=ON, scope_key=str(district.pk), enterprises=8)
    _migrate()
    assert row("district", district.pk, on=BEFORE).enterprises == 7
    assert row("industry", f"{district.pk}:C", on=BEFORE).enterprises == 3
    assert not CoverageSnapshot.objects.filter(date=BEFORE, scope_key__in=["", "C"]).exists()
    assert CoverageSnapshot.objects.filter(date=ON, scope_kind="district").count() == 2


def test_old_rows_stay_where_there_are_two_districts(db):
    from tests.factories import DistrictFactory, SnapshotFactory

    DistrictFactory(name="甲区")
    DistrictFactory(name="乙区")
    SnapshotFactory(date=BEFORE)
    _migrate()
    assert CoverageSnapshot.objects.get(date=BEFORE).scope_key == ""
