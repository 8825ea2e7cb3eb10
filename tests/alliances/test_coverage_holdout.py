"""The coverage hold-out with alliances: the expected figures are counted by
hand from the fixture's records (DESIGN.md §3 plus "an N-enterprise of an
active alliance is work-covered"), independently of stats.coverage's SQL,
and compared with what `compute_stats` publishes (snapshots, the coverage
API, the drill-down with its reasons)."""

from datetime import date

import pytest
from django.core.management import call_command

from alliances.models import Alliance, AllianceMember
from orgs.models import CoverageSnapshot, EnterpriseSurvey, FormationMode, InstructorAssignment, Role
from stats.drilldown import coverage_drilldown
from tests.factories import EnterpriseFactory, OrganizationFactory, StreetFactory, UserFactory, grant

ON = date(2026, 6, 30)


def _survey(enterprise, status="operating", survey_date=date(2026, 3, 31)):
    facts = {f: getattr(enterprise, f) for f in EnterpriseSurvey.fact_field_names()}
    facts.update(status=status, members_formal=0, members_probationary=0, members_total=0, org_setup="none")
    EnterpriseSurvey.objects.create(enterprise=enterprise, year=2026, survey_date=survey_date, **facts)


def _alliance(street, org, name, *, founded=date(2026, 1, 1), dissolved=None):
    return Alliance.objects.create(
        name=name,
        chain=name,
        region=street,
        lead_kind=Alliance.LeadKind.ASSOCIATION,
        lead_association="协会",
        lead_organization=org,
        first_secretary="王",
        secretary_general="李",
        founded_on=founded,
        dissolved_on=dissolved,
        status=Alliance.Status.DISSOLVED if dissolved else Alliance.Status.ACTIVE,
    )


@pytest.fixture
def town(db):
    street = StreetFactory(name="联盟街道")
    e = {
        k: EnterpriseFactory(street=street, name=f"企业{k}", members_formal=0, members_probationary=0, members_total=0)
        for k in "ABCDEFGHI"
    }
    for k in "ABCDEFGH":
        _survey(e[k])
    _survey(e["I"], status="suspended")
    org = OrganizationFactory(
        street=street, formation_mode=FormationMode.OWN, enterprises=[e["A"]], name="中共企业A支部"
    )
    InstructorAssignment.objects.create(enterprise=e["B"], start_on=date(2026, 1, 1))
    InstructorAssignment.objects.create(enterprise=e["G"], start_on=date(2026, 1, 1))
    active = _alliance(street, org, "装备制造联盟")
    later = _alliance(street, org, "港口物流联盟", founded=date(2026, 8, 1))
    gone = _alliance(street, org, "食品加工联盟", dissolved=date(2026, 5, 1))
    AllianceMember.objects.create(alliance=active, enterprise=e["C"], joined_on=date(2026, 2, 1))
    AllianceMember.objects.create(
        alliance=active, enterprise=e["D"], joined_on=date(2026, 2, 1), left_on=date(2026, 6, 1)
    )
    AllianceMember.objects.create(alliance=gone, enterprise=e["E"], joined_on=date(2026, 2, 1))
    AllianceMember.objects.create(alliance=active, enterprise=e["F"], joined_on=date(2026, 7, 1))
    AllianceMember.objects.create(alliance=active, enterprise=e["G"], joined_on=date(2026, 2, 1))
    AllianceMember.objects.create(alliance=later, enterprise=e["H"], joined_on=date(2026, 8, 1))
    AllianceMember.objects.create(alliance=active, enterprise=e["I"], joined_on=date(2026, 2, 1))
    # The organization, an X member, gives organization coverage, not a second count.
    AllianceMember.objects.create(alliance=active, organization=org, joined_on=date(2026, 2, 1))
    return street, e


def _expected(on: date) -> dict[str, set[str]]:
    """Counted from the records with plain Python, one enterprise at a time."""
    base, org_covered, work_covered, reasons = set(), set(), set(), {}
    for survey in EnterpriseSurvey.objects.filter(survey_date__lte=on).select_related("enterprise"):
        latest = survey.enterprise.surveys.filter(survey_date__lte=on).order_by("-survey_date").first()
        if latest.pk != survey.pk or latest.status != "operating":
            continue
        enterprise = survey.enterprise
        base.add(enterprise.name)
        orgs = [
            o
            for o in enterprise.organizations.all()
            if (o.founded_on is None or o.founded_on <= on) and (o.dissolved_on is None or o.dissolved_on > on)
        ]
        instructor = any(
            a.start_on <= on and (a.end_on is None or a.end_on >= on) for a in enterprise.instructor_assignments.all()
        )
        alliances = [
            m.alliance.name
            for m in AllianceMember.objects.filter(enterprise=enterprise).select_related("alliance")
            if m.joined_on <= on
            and (m.left_on is None or m.left_on > on)
            and m.alliance.founded_on <= on
            and (m.alliance.dissolved_on is None or m.alliance.dissolved_on > on)
        ]
        if orgs:
            org_covered.add(enterprise.name)
        if orgs or instructor or alliances:
            work_covered.add(enterprise.name)
        reasons[enterprise.name] = alliances
    return {"enterprises": base, "org_covered": org_covered, "work_covered": work_covered, "reasons": reasons}


def test_published_figures_match_the_hand_count(town, api):
    street, e = town
    expected = _expected(ON)
    # The hand count itself, spelled out: A by its organization, B by an
    # instructor, C and G by the active alliance; D left, E's alliance was
    # dissolved, F joined later, H's alliance was founded later, I is not operating.
    assert expected["enterprises"] == {f"企业{k}" for k in "ABCDEFGH"}
    assert expected["work_covered"] == {"企业A", "企业B", "企业C", "企业G"}

    call_command("compute_stats", "--date", ON.isoformat())
    snapshot = CoverageSnapshot.objects.get(
        date=ON, scope_kind="street", scope_key=str(street.pk), above_scale_only=False
    )
    assert snapshot.enterprises == len(expected["enterprises"])
    assert snapshot.org_covered == len(expected["org_covered"])
    assert snapshot.work_covered == len(expected["work_covered"])

    staff = grant(UserFactory(username="holdout_district"), Role.DISTRICT)
    body = api(staff).get("/api/v1/stats/coverage/", {"street": street.pk, "date": ON.isoformat()}).json()
    assert body["work_covered"] == len(expected["work_covered"])
    assert body["work_coverage_rate"] == pytest.approx(len(expected["work_covered"]) / len(expected["enterprises"]))

    drill = coverage_drilldown(user=staff, figure="work_covered", on=ON, street_id=street.pk)
    assert drill.total == snapshot.work_covered
    assert {row.name for row in drill.rows} == expected["work_covered"]
    for row in drill.rows:
        for name in expected["reasons"][row.name]:
            assert f"加入产业链党建联盟（{name}）" in row.reason
    by_name = {row.name: row.reason for row in drill.rows}
    assert by_name["企业C"] == "加入产业链党建联盟（装备制造联盟）"
    assert "党建指导员" in by_name["企业G"] and "装备制造联盟" in by_name["企业G"]
    not_covered = coverage_drilldown(user=staff, figure="not_work_covered", on=ON, street_id=street.pk)
    assert {row.name for row in not_covered.rows} == expected["enterprises"] - expected["work_covered"]


def test_without_alliances_the_figures_are_the_old_ones(town):
    street, _e = town
    AllianceMember.objects.all().delete()
    call_command("compute_stats", "--date", ON.isoformat())
    snapshot = CoverageSnapshot.objects.get(
        date=ON, scope_kind="street", scope_key=str(street.pk), above_scale_only=False
    )
    assert snapshot.work_covered == len(_expected(ON)["work_covered"]) == 3
