"""The compliance rules page (DESIGN.md §8): district staff set their own
district's expectation for an activity type from a date on, on a page; the
page says whose rule is in force; another district's rules are refused,
naming the field, with nothing written; district B keeps the defaults."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import ComplianceRule
from activities.reference import ensure_reference_data as ensure_compliance_rules
from orgs.models import Region, Role
from stats.compliance import active_rules
from tests.factories import UserFactory, grant

URL = reverse("orgs:compliance_rules")


@pytest.fixture
def city(db):
    ensure_compliance_rules()
    city = Region.objects.create(name="测试市", kind=Region.Kind.CITY)
    a = Region.objects.create(name="甲区", kind=Region.Kind.DISTRICT, parent=city)
    b = Region.objects.create(name="乙区", kind=Region.Kind.DISTRICT, parent=city)
    a1 = Region.objects.create(name="甲一街道", kind=Region.Kind.STREET, parent=a)
    return {
        "a": a,
        "b": b,
        "district_a": grant(UserFactory(username="district_a"), Role.DISTRICT, region=a),
        "street_a1": grant(UserFactory(username="street_a1"), Role.STREET, region=a1),
    }


def _form(region, **values):
    data = {
        "region": str(region.pk),
        "activity_type": "theme_day",
        "period": "month",
        "minimum": "2",
        "applies_to": "always",
        "active": "on",
        "effective_from": timezone.localdate().isoformat(),
    }
    data.update(values)
    return data


def _theme_day(region):
    return next(r for r in active_rules(region=region) if r.activity_type == "theme_day")


def test_district_staff_set_their_districts_rule_and_the_page_says_whose(city, client):
    before_b = _theme_day(city["b"]).minimum
    client.force_login(city["district_a"])
    response = client.post(URL, _form(city["a"], minimum="3"))
    assert response.status_code == 302
    assert _theme_day(city["a"]).minimum == 3 and _theme_day(city["a"]).region == city["a"]
    assert _theme_day(city["b"]).minimum == before_b
    page = client.get(URL, {"region": city["a"].pk}).content.decode()
    assert "甲区规则" in page


def test_another_districts_rule_is_refused_naming_the_field(city, client):
    count = ComplianceRule.objects.count()
    client.force_login(city["district_a"])
    response = client.post(URL, _form(city["b"]))
    assert response.status_code == 400 and "适用区域" in response.content.decode()
    assert ComplianceRule.objects.count() == count


@pytest.mark.parametrize(
    ("values", "field"),
    [({"minimum": "0"}, "最少次数"), ({"activity_type": "party"}, "活动类型"), ({"effective_from": ""}, "生效日期")],
)
def test_bad_input_names_the_field_and_writes_nothing(city, client, values, field):
    count = ComplianceRule.objects.count()
    client.force_login(city["district_a"])
    response = client.post(URL, _form(city["a"], **values))
    assert response.status_code == 400
    assert ComplianceRule.objects.count() == count


def test_the_same_type_and_date_twice_is_refused(city, client):
    client.force_login(city["district_a"])
    assert client.post(URL, _form(city["a"])).status_code == 302
    response = client.post(URL, _form(city["a"], minimum="4"))
    assert response.status_code == 400 and "已有规则" in response.content.decode()
    assert ComplianceRule.objects.filter(region=city["a"]).count() == 1


def test_street_staff_read_and_may_not_set(city, client):
    client.force_login(city["street_a1"])
    assert client.get(URL).status_code == 200
    count = ComplianceRule.objects.count()
    assert client.post(URL, _form(city["a"])).status_code == 403
    assert ComplianceRule.objects.count() == count
