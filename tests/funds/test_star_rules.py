"""The star table: DESIGN defaults from the data migration, history kept, the page."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funds import services
from funds.models import StarRule
from funds.reference import DEFAULT_STAR_RULES, ensure_reference_data
from funds.rules import rule_values, star_rules_in_force
from tests.helpers.funds import D


def test_defaults_from_design_are_in_force(db):
    # Transactional tests flush the migration's rows; loading again is idempotent.
    ensure_reference_data()
    ensure_reference_data()
    in_force = {r.stars: (r.match_rate, r.subsidy_cap) for r in star_rules_in_force(on=date(2026, 1, 1))}
    assert in_force == DEFAULT_STAR_RULES
    assert in_force[3] == (D("0.5"), D("2000.00"))
    assert StarRule.objects.filter(effective_from=date(2000, 1, 1)).count() == 5


def test_new_rule_applies_from_its_date_and_keeps_history(world):
    services.star_rule_set(
        stars=4, effective_from=date(2026, 7, 1), match_rate="0.9", subsidy_cap="3500", by=world.district
    )
    assert rule_values(stars=4, on=date(2026, 6, 30)).match_rate == D("0.8")
    assert rule_values(stars=4, on=date(2026, 7, 1)).match_rate == D("0.9")
    assert StarRule.objects.filter(stars=4).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"match_rate": "-0.1"}, "奖励配比"),
        ({"match_rate": "abc"}, "奖励配比"),
        ({"subsidy_cap": "-1"}, "不能为负数"),
        ({"stars": 6}, "星级应为1至5"),
        ({"effective_from": date(2000, 1, 1)}, "已有标准"),
    ],
)
def test_bad_rule_is_refused_in_chinese(world, kwargs, message):
    args = {"stars": 2, "effective_from": date(2026, 7, 1), "match_rate": "0.3", "subsidy_cap": "1200"} | kwargs
    before = StarRule.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.star_rule_set(by=world.district, **args)
    assert any(message in m for m in exc.value.messages)
    assert StarRule.objects.count() == before


def test_only_district_staff_set_rules(world, login):
    with pytest.raises(ValidationError, match="没有办理此业务的权限"):
        services.star_rule_set(
            stars=2, effective_from=date(2026, 7, 1), match_rate="0.3", subsidy_cap="1", by=world.street_a_staff
        )
    url = reverse("funds:star_rules")
    data = {"stars": "2", "effective_from": "2026-07-01", "match_rate": "0.3", "subsidy_cap": "1200", "note": ""}
    assert login(world.street_a_staff).post(url, data).status_code == 403
    client = login(world.district)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    assert StarRule.objects.filter(stars=2, effective_from=date(2026, 7, 1)).exists()
    bad = client.post(url, data | {"effective_from": "2026-07-01"})
    assert "已有标准" in bad.content.decode()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"subsidy_cap": "200000000"}, "年度补助上限"),
        ({"effective_from": "2000-01-01"}, "已有标准"),
    ],
)
def test_admin_shows_the_services_refusal_on_the_form(world, client, values, message):
    """A value the service refuses is an error on the admin form, not a 500 in save_model."""
    ensure_reference_data()
    client.raise_request_exception = False
    client.force_login(world.district)
    world.district.is_staff = True
    world.district.is_superuser = True
    world.district.save()
    before = StarRule.objects.count()
    data = {"stars": 3, "effective_from": "2026-07-01", "match_rate": "0.5", "subsidy_cap": "2000", "note": ""}
    response = client.post("/admin/funds/starrule/add/", {**data, **values})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert StarRule.objects.count() == before


def test_admin_refuses_a_staff_user_the_policy_does_not_allow(world, client):
    from django.contrib.auth.models import Permission

    ensure_reference_data()
    client.raise_request_exception = False
    staff = world.street_a_staff
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_starrule", "view_starrule"]))
    client.force_login(staff)
    before = StarRule.objects.count()
    data = {"stars": 3, "effective_from": "2026-07-01", "match_rate": "0.5", "subsidy_cap": "2000", "note": ""}
    response = client.post("/admin/funds/starrule/add/", data)
    assert response.status_code == 200
    assert "没有办理此业务的权限" in response.content.decode()
    assert StarRule.objects.count() == before
