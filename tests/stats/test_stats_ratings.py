"""Compliance colours, rating points with evidence, veto and override."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from activities.models import Activity, ComplianceExemption
from activities.reference import ensure_reference_data as ensure_rules
from core.errors import ApplicationError
from core.i18n import in_chinese, listed, say
from orgs.models import Rating, RatingCriterion, RatingVeto, VenueChecklist
from orgs.reference import ensure_reference_data
from orgs.selectors import rating_in_force
from stats.compliance import next_due, organization_calendar
from stats.rating_publish import ratings_compute
from stats.ratings import rating_override

ON = date(2026, 5, 15)


@pytest.fixture(autouse=True)
def reference(db):
    ensure_reference_data()
    ensure_rules()


def activity(org, kind, day, status=Activity.Status.APPROVED):
    return Activity.objects.create(
        organization=org, activity_type=kind, held_on=day, topic="t", status=status, return_reason=""
    )


def test_calendar_colours(world):
    org = world.org_a
    activity(org, "theme_day", date(2026, 1, 10))
    activity(org, "theme_day", date(2026, 3, 10), status=Activity.Status.SUBMITTED)  # not approved: not counted
    ComplianceExemption.objects.create(
        organization=org,
        activity_type="theme_day",
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        reason="春节停工",
        approved_by=world.district,
    )
    cal = organization_calendar(organization=org, year=2026, on=ON)
    theme = next(r for r in cal.rows if r.activity_type == "theme_day")
    colours = [c["colour"] for c in theme.cells]
    assert colours[:6] == ["green", "exempt", "red", "red", "yellow", "future"]
    # No committee: the monthly committee meeting rule does not apply.
    assert "committee_meeting" not in {r.activity_type for r in cal.rows}
    due = next_due(organization=org, on=ON)
    assert {d["activity_type"] for d in due} >= {"theme_day", "general_meeting", "party_lecture"}


def test_rating_points_evidence_and_gap(world):
    org = world.org_a
    org.secretary_name, org.term_end = "王书记", date(2027, 1, 1)
    org.save()
    for m in range(1, 13):
        year = 2025 if m > 5 else 2026
        activity(org, "theme_day", date(year, m, 5))
    VenueChecklist.objects.create(
        organization=org, year=2026, has_place=True, has_facilities=True, has_sign=True, checked_on=ON
    )
    ratings_compute(on=ON)
    rating = Rating.objects.get(organization=org, computed_on=ON)
    lines = {c["code"]: c for c in rating.evidence["criteria"]}
    assert lines["organization"]["points"] == "15.00"
    assert lines["theme_day"]["points"] == "10.00"
    assert lines["venue"]["points"] == "5.00" and "有党旗" in in_chinese(listed(lines["venue"]["missing"]))
    assert lines["three_meetings"]["missing"]  # quarters without a general meeting are named
    assert lines["fund"]["points"] == "0.00"
    assert rating.published_on == ON
    assert rating_in_force(organization=org, on=ON) == rating
    assert rating.next_star_gap[0]["target_stars"] == rating.computed_stars + 1
    assert rating.next_star_gap[1]["criterion"] == "three_meetings"  # the biggest loss comes first


def test_veto_caps_at_one_star(world):
    RatingVeto.objects.create(organization=world.org_a, year=2026, reason="严重违纪", entered_by=world.district)
    RatingCriterion.objects.filter(code__in=["three_meetings", "theme_day"]).update(weight=0)
    ratings_compute(on=ON)
    rating = Rating.objects.get(organization=world.org_a, computed_on=ON)
    assert rating.vetoed and rating.computed_stars == 1
    assert in_chinese(rating.next_star_gap[0]["message"]) == "一票否决：严重违纪"
    with translation.override("en"):
        assert "严重违纪" in say(rating.next_star_gap[0]["message"]) and "一票否决" not in say(
            rating.next_star_gap[0]["message"]
        )


def test_weights_not_adding_up_give_message_not_crash(world):
    RatingCriterion.objects.filter(code="fund").update(weight=20)
    run = ratings_compute(on=ON)
    assert "合计为115" in run.messages[0]
    assert Rating.objects.filter(computed_on=ON).count() == 2
    assert all(r.score <= 100 for r in Rating.objects.all())


def test_rerun_same_date_replaces_and_keeps_override(world):
    ratings_compute(on=ON)
    rating = Rating.objects.get(organization=world.org_a, computed_on=ON)
    rating_override(rating=rating, stars=4, reason="获评市级示范点", by=world.district)
    ratings_compute(on=ON)
    ratings_compute(on=date(2026, 5, 16))
    assert Rating.objects.filter(organization=world.org_a).count() == 2
    again = Rating.objects.get(organization=world.org_a, computed_on=ON)
    later = Rating.objects.get(organization=world.org_a, computed_on=date(2026, 5, 16))
    assert (again.override_stars, again.override_reason) == (4, "获评市级示范点")
    assert later.stars == 4 and later.computed_stars == again.computed_stars


def test_override_needs_district_and_reason(world):
    ratings_compute(on=ON)
    rating = Rating.objects.get(organization=world.org_a, computed_on=ON)
    with pytest.raises(ApplicationError):
        rating_override(rating=rating, stars=5, reason="", by=world.district)
    with pytest.raises(ApplicationError):
        rating_override(rating=rating, stars=5, reason="理由", by=world.street_a_staff)
    with pytest.raises(ApplicationError):
        rating_override(rating=rating, stars=6, reason="理由", by=world.district)
    rating.refresh_from_db()
    assert rating.override_stars is None
    from auditlog.models import LogEntry

    rating_override(rating=rating, stars=5, reason="理由", by=world.district)
    assert LogEntry.objects.filter(additional_data__event="rating_override").exists()


def test_rating_page_and_override_form(world, login):
    ratings_compute(on=ON)
    url = reverse("orgs:organization_rating", args=[world.org_a.pk])
    assert "三会一课" in login(world.secretary_a).get(url).content.decode()
    assert login(world.secretary_b).get(url).status_code == 404
    assert login(world.secretary_a).post(url, {"stars": 5, "reason": "想要五星"}).status_code == 400
    bad = login(world.district).post(url, {"stars": 5, "reason": ""})
    assert bad.status_code == 400 and "须填写理由" in bad.content.decode()
    assert Rating.objects.get(organization=world.org_a).override_stars is None
    assert login(world.district).post(url, {"stars": 5, "reason": "市级示范"}).status_code == 302
    assert Rating.objects.get(organization=world.org_a).stars == 5


def _text(response) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_gap_to_the_next_star_reads_as_sentences_from_the_rating_in_force(world, login):
    ratings_compute(on=ON)
    rating = Rating.objects.get(organization=world.org_a)
    assert rating.computed_stars < 3
    detail = reverse("orgs:organization_detail", args=[world.org_a.pk])
    rating_page = reverse("orgs:organization_rating", args=[world.org_a.pk])
    for url in (detail, rating_page):
        text = _text(login(world.secretary_a).get(url))
        assert f"达到★{rating.computed_stars + 1}还需" in text
        assert "街道尚未录入六有检查" in text
        for raw in ("target_stars", "points_needed", "['", "{'", "None"):
            assert raw not in text, (url, raw)
    rating_override(rating=rating, stars=3, reason="获评市级示范点", by=world.district)
    for url in (detail, rating_page):
        text = _text(login(world.secretary_a).get(url))
        assert "达到★4还需" in text
        assert f"达到★{rating.computed_stars + 1}还需" not in text
    assert "距 4 星还差" in _text(login(world.secretary_a).get(detail))
