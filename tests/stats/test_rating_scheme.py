"""District staff change criteria weights and star thresholds from a date
on, on a page, after a preview of which organizations would move."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.reference import ensure_reference_data as ensure_rules
from orgs.models import Rating, RatingCriterion, StarThreshold
from orgs.reference import ensure_reference_data
from orgs.selectors import criteria_in_force, thresholds_in_force
from stats.rating_publish import ratings_compute

URL = reverse("orgs:rating_scheme")


@pytest.fixture(autouse=True)
def reference(db):
    ensure_reference_data()
    ensure_rules()


def form(*, starts, thresholds=None, weights=None, **extra) -> dict:
    data = {"effective_from": starts.isoformat()}
    for c in criteria_in_force(on=starts):
        data[f"weight_{c.code}"] = str((weights or {}).get(c.code, c.weight))
        if c.active:
            data[f"active_{c.code}"] = "on"
    for stars, minimum in (thresholds or {5: "90", 4: "80", 3: "70", 2: "60"}).items():
        data[f"threshold_{stars}"] = str(minimum)
    data.update(extra)
    return data


def rows() -> tuple[int, int]:
    return RatingCriterion.objects.count(), StarThreshold.objects.count()


def low_thresholds(score: Decimal) -> dict[int, str]:
    """Thresholds that put an organization of this score at five stars."""
    top = int(score)
    assert top >= 4, "the test needs an organization with a few points"
    return {5: str(top), 4: str(top - 1), 3: str(top - 2), 2: str(top - 3)}


def test_preview_lists_organizations_that_would_move_and_writes_nothing(world, login):
    today = timezone.localdate()
    ratings_compute(on=today)
    rating = Rating.objects.get(organization=world.org_a, computed_on=today)
    before = rows()
    response = login(world.district).post(URL, form(starts=today, thresholds=low_thresholds(rating.score)))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="scheme-preview"' in page
    assert world.org_a.name in page and f"★{rating.computed_stars}" in page and "★5" in page
    assert rows() == before


def test_saving_adds_rules_from_the_date_and_keeps_the_old_ones(world, login):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    ratings_compute(on=today)
    old = Rating.objects.get(organization=world.org_a, computed_on=today)
    data = form(starts=tomorrow, thresholds=low_thresholds(old.score), weights={"fund": 10, "mass_orgs": 5})
    client = login(world.district)
    preview = client.post(URL, data)
    key = preview.context["previewed"]
    # Values changed after the preview are previewed again, not saved.
    changed = {**data, "threshold_2": "1", "confirm": "1", "previewed": key}
    assert client.post(URL, changed).status_code == 200
    assert not StarThreshold.objects.filter(effective_from=tomorrow).exists()

    response = client.post(URL, {**data, "confirm": "1", "previewed": key})
    assert response.status_code == 302
    assert StarThreshold.objects.filter(effective_from=tomorrow).count() == 4
    assert RatingCriterion.objects.get(code="fund", effective_from=tomorrow).weight == 10
    # History: today the old rules are in force, from tomorrow the new ones.
    assert {c.code: c.weight for c in criteria_in_force(on=today)}["fund"] == 5
    assert {c.code: c.weight for c in criteria_in_force(on=tomorrow)}["fund"] == 10
    assert [t.min_score for t in thresholds_in_force(on=today)][0] == Decimal("90")

    ratings_compute(on=today)
    assert Rating.objects.get(organization=world.org_a, computed_on=today).computed_stars == old.computed_stars
    ratings_compute(on=tomorrow)
    assert Rating.objects.get(organization=world.org_a, computed_on=tomorrow).computed_stars == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": {"fund": 20}}, "启用指标的分值合计应为100，现为115"),
        ({"thresholds": {5: "90", 4: "80", 3: "85", 2: "60"}}, "星级分数线应从五星到二星依次递减"),
        ({"thresholds": {5: "90", 4: "80", 3: "70", 2: "abc"}}, "2星最低分应为0至100之间"),
        ({"weights": {"fund": "五"}}, "“经费保障”的分值应为0至100的整数"),
        ({"starts_offset": -1}, "生效日期不能早于今天"),
    ],
)
def test_bad_scheme_is_refused_naming_the_field_and_nothing_written(world, login, change, message):
    starts = timezone.localdate() + timedelta(days=change.pop("starts_offset", 0))
    before = rows()
    response = login(world.district).post(URL, form(starts=starts, **change, confirm="1"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rows() == before


def test_only_district_staff_change_the_scheme(world, login):
    today = timezone.localdate()
    before = rows()
    for user in (world.street_a_staff, world.leader, world.secretary_a):
        assert login(user).post(URL, form(starts=today, confirm="1")).status_code == 403
    assert rows() == before
    page = login(world.secretary_a).get(URL)
    assert page.status_code == 200 and 'name="effective_from"' not in page.content.decode()
    assert 'name="effective_from"' in login(world.district).get(URL).content.decode()
    assert login(world.instructor).get(URL).status_code == 403
