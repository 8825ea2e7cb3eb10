"""Each district's own rules (DESIGN.md §8): the star table, the rating
scheme and the compliance rules are the city's defaults unless a district
set its own from a date on; the pool is the district's. District A's
override changes A and not B; nobody sets rules for a district they do not
hold, and a refusal names the field and writes nothing."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.models import ComplianceRule
from activities.reference import ensure_reference_data as ensure_compliance_rules
from funds import services
from funds.models import FundAccount, StarRule
from funds.reference import ensure_reference_data as ensure_star_rules
from funds.rules import credit_line, rule_values
from orgs import policy
from orgs.models import Rating, RatingCriterion, Region, Role, StarThreshold
from orgs.reference import ensure_reference_data as ensure_scheme
from stats.compliance import next_due
from stats.rating_publish import ratings_compute
from stats.rating_scheme import scheme_check, scheme_set
from tests.factories import EnterpriseFactory, OrganizationFactory, UserFactory, grant
from tests.helpers.funds import D, rate

STAR_RULES = reverse("funds:star_rules")
SCHEME = reverse("orgs:rating_scheme")


@pytest.fixture
def city(db):
    ensure_star_rules()
    ensure_scheme()
    ensure_compliance_rules()
    city = Region.objects.create(name="测试市", kind=Region.Kind.CITY)
    a = Region.objects.create(name="甲区", kind=Region.Kind.DISTRICT, parent=city)
    b = Region.objects.create(name="乙区", kind=Region.Kind.DISTRICT, parent=city)
    a1 = Region.objects.create(name="甲一街道", kind=Region.Kind.STREET, parent=a)
    b1 = Region.objects.create(name="乙一街道", kind=Region.Kind.STREET, parent=b)
    org_a = OrganizationFactory(street=a1, enterprises=[EnterpriseFactory(street=a1)])
    org_b = OrganizationFactory(street=b1, enterprises=[EnterpriseFactory(street=b1)])
    return {
        "city": city,
        "a": a,
        "b": b,
        "org_a": org_a,
        "org_b": org_b,
        "city_staff": grant(UserFactory(username="city"), Role.CITY, region=city),
        "district_a": grant(UserFactory(username="district_a"), Role.DISTRICT, region=a),
        "district_b": grant(UserFactory(username="district_b"), Role.DISTRICT, region=b),
    }


def star_rule(c, who, region, *, stars=3, starts=date(2026, 3, 1), cap="2500"):
    return services.star_rule_set(
        stars=stars, effective_from=starts, match_rate="0.9", subsidy_cap=cap, by=c[who], region=region
    )


# --- the 公积金 star table ---------------------------------------------------------------------


def test_a_district_rule_changes_its_caps_from_its_date_and_not_the_other_district(city):
    star_rule(city, "district_a", city["a"])
    assert rule_values(stars=3, on=date(2026, 3, 1), region=city["a"]).subsidy_cap == D("2500.00")
    assert rule_values(stars=3, on=date(2026, 2, 28), region=city["a"]).subsidy_cap == D("2000.00")
    assert rule_values(stars=3, on=date(2026, 3, 1), region=city["b"]).subsidy_cap == D("2000.00")
    # Through the organizations: each one's credit line reads its own district's table.
    account_a = services.account_open(organization=city["org_a"], by=None, opened_on=date(2026, 1, 1))
    account_b = services.account_open(organization=city["org_b"], by=None, opened_on=date(2026, 1, 1))
    rate(city["org_a"], 3)
    rate(city["org_b"], 3)
    assert credit_line(account=account_a, on=date(2026, 3, 2)).pool_cap == D("2500.00")
    assert credit_line(account=account_a, on=date(2026, 2, 27)).pool_cap == D("2000.00")
    assert credit_line(account=account_b, on=date(2026, 3, 2)).pool_cap == D("2000.00")


def test_city_defaults_apply_where_a_district_has_none_of_its_own(city):
    star_rule(city, "district_a", city["a"], cap="2500")
    star_rule(city, "city_staff", city["city"], cap="2200")
    assert rule_values(stars=3, on=date(2026, 3, 1), region=city["b"]).subsidy_cap == D("2200.00")
    assert rule_values(stars=3, on=date(2026, 3, 1), region=city["a"]).subsidy_cap == D("2500.00")
    # Other stars are families of their own: A's override of ★3 leaves its ★4 on the defaults.
    assert rule_values(stars=4, on=date(2026, 3, 1), region=city["a"]).subsidy_cap == D("3000.00")


@pytest.mark.parametrize(
    ("who", "target"),
    [("district_a", "b"), ("district_a", "city"), ("city_staff", "a"), ("district_a", None)],
)
def test_rules_for_a_region_not_held_are_refused_naming_the_field(city, who, target):
    before = StarRule.objects.count()
    region = city[target] if target else None
    with pytest.raises(ValidationError) as exc:
        star_rule(city, who, region)
    assert any(m.startswith("适用区域：") for m in exc.value.messages)
    assert StarRule.objects.count() == before


def test_the_page_refuses_an_override_for_another_district_and_writes_nothing(city, client):
    client.force_login(city["district_a"])
    before = StarRule.objects.count()
    data = {
        "region": str(city["b"].pk),
        "stars": "3",
        "effective_from": "2026-07-01",
        "match_rate": "0.9",
        "subsidy_cap": "2500",
        "note": "",
    }
    page = client.post(STAR_RULES, data).content.decode()
    assert "适用区域：您不能设置“乙区”的规则" in page
    assert StarRule.objects.count() == before


def test_the_star_table_page_says_whose_rules_are_in_force(city, client):
    star_rule(city, "district_a", city["a"], starts=date(2026, 1, 1))
    client.force_login(city["district_a"])
    page = client.get(STAR_RULES).content.decode()
    assert "甲区规则（自2026-01-01起）" in page
    assert f'name="region" value="{city["a"].pk}"' in page
    # District A's staff do not read district B's rule page.
    assert client.get(STAR_RULES, {"region": city["b"].pk}).status_code == 404
    client.force_login(city["district_b"])
    assert "市级默认规则" in client.get(STAR_RULES).content.decode()


def test_a_page_post_sets_the_district_chosen(city, client):
    client.force_login(city["district_a"])
    data = {
        "region": str(city["a"].pk),
        "stars": "3",
        "effective_from": "2026-07-01",
        "match_rate": "0.9",
        "subsidy_cap": "2500",
        "note": "",
    }
    assert client.post(STAR_RULES, data).status_code == 302
    assert StarRule.objects.get(effective_from=date(2026, 7, 1)).region == city["a"]


def test_policy_district_staff_set_their_district_city_staff_the_city(city):
    a, b, c = city["a"], city["b"], city["city"]
    assert policy.may_set_rules(city["district_a"], a) and not policy.may_set_rules(city["district_a"], b)
    assert not policy.may_set_rules(city["district_a"], c) and not policy.may_set_rules(city["district_a"], None)
    assert policy.may_set_rules(city["city_staff"], c) and policy.may_set_rules(city["city_staff"], None)
    assert not policy.may_set_rules(city["city_staff"], a)
    assert policy.rule_regions_settable(city["district_a"]) == [a]


# --- the rating scheme -------------------------------------------------------------------------


# Thresholds any organization with a few points passes at five stars.
LOW = {5: "0.05", 4: "0.04", 3: "0.03", 2: "0.02"}


def test_a_district_scheme_changes_its_ratings_and_not_the_other_district(city):
    today = timezone.localdate()
    ratings_compute(on=today)
    before_b = Rating.objects.get(organization=city["org_b"], computed_on=today).computed_stars
    proposal = scheme_check(
        by=city["district_a"], effective_from=today, weights={}, active={}, thresholds=LOW, region=city["a"]
    )
    scheme_set(proposal=proposal, by=city["district_a"])
    assert StarThreshold.objects.filter(region=city["a"]).count() == 4
    assert (
        RatingCriterion.objects.filter(region=city["a"]).count()
        == RatingCriterion.objects.filter(region__isnull=True).count()
    )
    ratings_compute(on=today)
    assert Rating.objects.get(organization=city["org_a"], computed_on=today).computed_stars == 5
    assert Rating.objects.get(organization=city["org_b"], computed_on=today).computed_stars == before_b < 5


def test_a_scheme_for_another_district_is_refused_and_nothing_written(city, client):
    today = timezone.localdate()
    counts = (RatingCriterion.objects.count(), StarThreshold.objects.count())
    with pytest.raises(ValidationError) as exc:
        scheme_check(
            by=city["district_a"], effective_from=today, weights={}, active={}, thresholds=LOW, region=city["b"]
        )
    assert "适用区域" in exc.value.messages[0]
    client.force_login(city["district_a"])
    data = {"region": str(city["b"].pk), "effective_from": today.isoformat(), "confirm": "1"}
    data |= {f"threshold_{s}": m for s, m in LOW.items()}
    response = client.post(SCHEME, data)
    assert response.status_code == 400 and "适用区域：您不能设置“乙区”的规则" in response.content.decode()
    assert (RatingCriterion.objects.count(), StarThreshold.objects.count()) == counts


def test_the_scheme_page_says_whose_scheme_is_in_force(city, client):
    today = timezone.localdate()
    client.force_login(city["district_a"])
    assert "市级默认规则" in client.get(SCHEME).content.decode()
    proposal = scheme_check(
        by=city["district_a"], effective_from=today, weights={}, active={}, thresholds=LOW, region=city["a"]
    )
    scheme_set(proposal=proposal, by=city["district_a"])
    page = client.get(SCHEME).content.decode()
    assert f"甲区规则（自{today.isoformat()}起）" in page
    client.force_login(city["district_b"])
    assert "市级默认规则" in client.get(SCHEME).content.decode()


# --- compliance rules --------------------------------------------------------------------------


def test_a_district_compliance_rule_applies_to_its_organizations_only(city):
    ComplianceRule.objects.create(
        activity_type="theme_day", period="month", minimum=2, region=city["a"], effective_from=date(2026, 3, 1)
    )
    on = date(2026, 3, 15)

    def theme_day(org, day):
        return next(d["minimum"] for d in next_due(organization=org, on=day) if d["activity_type"] == "theme_day")

    assert theme_day(city["org_a"], on) == 2
    assert theme_day(city["org_a"], date(2026, 2, 15)) == 1
    assert theme_day(city["org_b"], on) == 1


# --- the pools ---------------------------------------------------------------------------------


def test_each_district_has_its_own_pool_and_a_withdrawal_draws_on_its_own(city):
    services.income_fiscal_subsidy(amount="5000", by=city["district_a"], district=city["a"])
    assert services.pool_account(district=city["a"]).balance == D("5000.00")
    assert services.pool_account(district=city["b"]).balance == D("0.00")
    account_a = services.account_open(organization=city["org_a"], by=None, opened_on=date(2026, 1, 1))
    account_b = services.account_open(organization=city["org_b"], by=None, opened_on=date(2026, 1, 1))
    rate(city["org_a"], 5)
    rate(city["org_b"], 5)
    assert credit_line(account=account_a, on=date(2026, 3, 1)).pool_available == D("5000.00")
    assert credit_line(account=account_b, on=date(2026, 3, 1)).pool_available == D("0.00")


def test_money_goes_only_into_the_posters_own_district_pool(city):
    with pytest.raises(ValidationError, match="本区的资金池"):
        services.income_fiscal_subsidy(amount="1", by=city["district_a"], district=city["b"])
    assert services.pool_account(district=city["b"]).balance == D("0.00")
    with pytest.raises(ValidationError, match="请指明所属的区"):
        services.pool_account()


def test_an_unassigned_pool_takes_no_money(city):
    pool = FundAccount.objects.create(kind=FundAccount.Kind.POOL, name="旧资金池", opened_on=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="尚未指定所属的区"):
        services.income_receive(kind="fiscal_subsidy", account=pool, amount="1", by=None)
    pool.refresh_from_db()
    assert pool.balance == D("0.00") and pool.last_seq == 0


MIGRATION = importlib.import_module("funds.migrations.0007_pools_and_star_rules_per_region")


def test_the_migration_gives_the_pool_to_the_only_district(world):
    pool = FundAccount.objects.create(kind=FundAccount.Kind.POOL, name="区财政补助资金池", opened_on=date(2020, 1, 1))
    MIGRATION.pool_to_its_district(apps, None)
    pool.refresh_from_db()
    assert pool.region == world.street_a.parent


def test_the_migration_leaves_the_pool_unassigned_with_several_districts(city):
    pool = FundAccount.objects.create(kind=FundAccount.Kind.POOL, name="区财政补助资金池", opened_on=date(2020, 1, 1))
    MIGRATION.pool_to_its_district(apps, None)
    pool.refresh_from_db()
    assert pool.region is None
