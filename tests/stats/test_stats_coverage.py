"""Coverage figures from a hand-built small world, checked against DESIGN.md §3."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import CoverageSnapshot, EnterpriseSurvey, FormationMode, InstructorAssignment
from stats.coverage import coverage_compute
from stats.drilldown import coverage_drilldown
from tests.factories import EnterpriseFactory, MemberFactory, OrganizationFactory, StreetFactory

ON = date(2026, 6, 30)


def survey(enterprise, *, year=2026, survey_date=date(2026, 3, 31), status="operating", formal=0, setup="none", **kw):
    facts = {f: getattr(enterprise, f) for f in EnterpriseSurvey.fact_field_names()}
    facts.update(
        status=status,
        members_formal=formal,
        members_probationary=0,
        members_total=formal,
        org_setup=setup,
        **kw,
    )
    return EnterpriseSurvey.objects.create(enterprise=enterprise, year=year, survey_date=survey_date, **facts)


def snap(kind="district", key="", above=False):
    return CoverageSnapshot.objects.get(date=ON, scope_kind=kind, scope_key=key, above_scale_only=above)


@pytest.fixture
def small_world(db):
    street = StreetFactory(name="东街道")
    other = StreetFactory(name="西街道")
    e = {n: EnterpriseFactory(street=street, name=f"企业{n}") for n in "ABCDEF"}
    e["G"] = EnterpriseFactory(street=other, name="企业G", above_scale=True)
    # A: own org, 4 formal members (survey).  B: joint org covering B and C.  C: also in a second org.
    survey(e["A"], formal=4, setup="own")
    survey(e["B"], formal=1, setup="joint")
    survey(e["C"], formal=0, setup="joint")
    # D: 3 formal, no org -> should form. Instructor active on ON.
    survey(e["D"], formal=3)
    InstructorAssignment.objects.create(enterprise=e["D"], start_on=date(2026, 1, 1), end_on=date(2026, 12, 31))
    # E: instructor assignment ended before ON -> not work covered; closed in an earlier survey but operating now.
    survey(e["E"], year=2025, survey_date=date(2025, 3, 31), status="deregistered")
    survey(e["E"], formal=0)
    InstructorAssignment.objects.create(enterprise=e["E"], start_on=date(2025, 1, 1), end_on=date(2026, 1, 31))
    # F: operating in 2026 survey dated after ON -> uses the 2025 survey, which says closed -> not in B.
    survey(e["F"], year=2025, survey_date=date(2025, 3, 31), status="suspended")
    survey(e["F"], survey_date=date(2026, 9, 30), year=2027)
    survey(e["G"], formal=5, setup="own", above_scale=True)
    own = OrganizationFactory(street=street, formation_mode=FormationMode.OWN, enterprises=[e["A"]])
    joint = OrganizationFactory(street=street, formation_mode=FormationMode.JOINT, enterprises=[e["B"], e["C"]])
    OrganizationFactory(street=street, formation_mode=FormationMode.ATTACHED, enterprises=[e["C"]])
    # An organization founded after ON does not cover G yet.
    OrganizationFactory(
        street=other, formation_mode=FormationMode.OWN, enterprises=[e["G"]], founded_on=date(2026, 8, 1)
    )
    # Roster: two formal members working in B -> B is not "without member"; C stays without.
    MemberFactory(organization=joint, enterprise=e["B"])
    MemberFactory(organization=joint, enterprise=e["B"], stage="probationary", formal_on=None)
    return {"street": street, "other": other, "e": e, "own": own, "joint": joint}


def test_district_figures_follow_the_formulas(small_world):
    coverage_compute(on=ON)
    s = snap()
    # B = A, B, C, D, E (E operating in its latest survey), G; F's latest survey on or before ON says suspended.
    assert s.enterprises == 6
    assert s.org_covered == 3  # A, B, C — C counted once although two orgs cover it
    assert s.work_covered == 4  # + D (instructor active on ON); E's assignment ended
    assert s.own_org_eligible == 3  # A (4), D (3), G (5)
    assert s.own_org == 1  # A; G's own org did not exist yet
    assert s.should_form_not_formed == 2  # D, G
    assert s.organizations == 3
    assert s.details["organizations_by_mode"] == {"own": 1, "joint": 1, "attached": 1}
    assert (s.members_formal, s.members_probationary) == (1, 1)
    assert s.enterprises_without_member == 2  # C and E: nothing in survey nor roster


def test_street_and_above_scale_scopes(small_world):
    coverage_compute(on=ON)
    east = snap("street", str(small_world["street"].pk))
    west = snap("street", str(small_world["other"].pk))
    assert (east.enterprises, west.enterprises) == (5, 1)
    assert snap("district", "", True).enterprises == 1
    assert snap("street", str(small_world["other"].pk), True).should_form_not_formed == 1


def test_rerun_replaces_the_date(small_world):
    coverage_compute(on=ON)
    first = list(CoverageSnapshot.objects.order_by("scope_kind", "scope_key", "above_scale_only").values())
    coverage_compute(on=ON)
    second = list(CoverageSnapshot.objects.order_by("scope_kind", "scope_key", "above_scale_only").values())
    assert [{**r, "id": 0} for r in first] == [{**r, "id": 0} for r in second]


def test_no_survey_gives_message_and_no_figures(db):
    EnterpriseFactory()
    run = coverage_compute(on=ON)
    assert "没有任何年度排查记录" in run.messages[0]
    assert not CoverageSnapshot.objects.exists()


def test_drilldown_lists_the_enterprises_with_reasons(small_world, world):
    result = coverage_drilldown(user=world.district, figure="should_form_not_formed", on=ON)
    assert {r.enterprise.name for r in result.rows} == {"企业D", "企业G"}
    assert all("未被任何党组织覆盖" in r.reason for r in result.rows)
    work = coverage_drilldown(user=world.district, figure="work_covered", on=ON, street_id=small_world["street"].pk)
    reasons = {r.enterprise.name: r.reason for r in work.rows}
    assert "党建指导员" in reasons["企业D"] and "覆盖" in reasons["企业C"]
    assert work.total == 4


def test_drilldown_outside_scope_is_404(small_world, world):
    from django.http import Http404

    with pytest.raises(Http404):
        coverage_drilldown(user=world.street_a_staff, figure="enterprises", on=ON, street_id=small_world["street"].pk)


def _grow(n):
    street = StreetFactory()
    for _ in range(n):
        ent = EnterpriseFactory(street=street)
        survey(ent, formal=3, setup="own")
        OrganizationFactory(street=street, enterprises=[ent])


def test_query_count_does_not_grow_with_organizations(db):
    _grow(3)
    with CaptureQueriesContext(connection) as small:
        coverage_compute(on=ON)
    _grow(30)
    with CaptureQueriesContext(connection) as big:
        coverage_compute(on=ON)
    assert len(big.captured_queries) == len(small.captured_queries)
