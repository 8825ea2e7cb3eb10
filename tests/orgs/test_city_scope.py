"""A city of two districts (DESIGN.md §8): a grant at a region reaches its
whole subtree and nothing beside it. District A's staff, street staff and
secretaries get 404 for district B's records; city staff read both and
change neither; leaders read; regions form one tree without cycles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from orgs import policy
from orgs.accounts import GrantSpec, user_create
from orgs.models import Region, Role
from orgs.scoping import scope_for
from tests.factories import EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory, grant


@pytest.fixture
def city(db):
    city = Region.objects.create(name="测试市", kind=Region.Kind.CITY)
    a = Region.objects.create(name="甲区", kind=Region.Kind.DISTRICT, parent=city)
    b = Region.objects.create(name="乙区", kind=Region.Kind.DISTRICT, parent=city)
    a1 = Region.objects.create(name="甲一街道", kind=Region.Kind.STREET, parent=a)
    b1 = Region.objects.create(name="乙一街道", kind=Region.Kind.STREET, parent=b)
    ent_a = EnterpriseFactory(street=a1, name="甲区企业有限公司")
    ent_b = EnterpriseFactory(street=b1, name="乙区企业有限公司")
    org_a = OrganizationFactory(street=a1, enterprises=[ent_a])
    org_b = OrganizationFactory(street=b1, enterprises=[ent_b])
    return {
        "city": city,
        "a": a,
        "b": b,
        "a1": a1,
        "b1": b1,
        "ent_a": ent_a,
        "ent_b": ent_b,
        "org_a": org_a,
        "org_b": org_b,
        "member_b": MemberFactory(organization=org_b, enterprise=ent_b),
        "city_staff": grant(UserFactory(username="city"), Role.CITY, region=city),
        "district_a": grant(UserFactory(username="district_a"), Role.DISTRICT, region=a),
        "street_a1": grant(UserFactory(username="street_a1"), Role.STREET, region=a1),
        "secretary_a": grant(UserFactory(username="secretary_a"), Role.SECRETARY, organization=org_a),
        "leader_a": grant(UserFactory(username="leader_a"), Role.LEADER, region=a),
    }


def _record_urls(c):
    return [
        reverse("orgs:enterprise_detail", args=[c["ent_b"].pk]),
        reverse("orgs:organization_detail", args=[c["org_b"].pk]),
        f"/api/v1/enterprises/{c['ent_b'].pk}/",
        f"/api/v1/organizations/{c['org_b'].pk}/",
        f"/api/v1/members/{c['member_b'].pk}/",
        f"/api/v1/regions/{c['b1'].pk}/",
    ]


@pytest.mark.parametrize("who", ["district_a", "street_a1", "secretary_a", "leader_a"])
def test_district_b_is_out_of_reach_of_district_a(city, client, who):
    client.force_login(city[who])
    for url in _record_urls(city):
        assert client.get(url).status_code == 404, url


def test_city_staff_read_every_district(city, client):
    client.force_login(city["city_staff"])
    for url in _record_urls(city):
        assert client.get(url).status_code == 200, url
    names = {row["name"] for row in client.get("/api/v1/enterprises/").json()["results"]}
    assert names == {"甲区企业有限公司", "乙区企业有限公司"}


def test_district_staff_list_only_their_district(city, client):
    client.force_login(city["district_a"])
    names = {row["name"] for row in client.get("/api/v1/enterprises/").json()["results"]}
    assert names == {"甲区企业有限公司"}
    regions = {row["name"] for row in client.get("/api/v1/regions/").json()["results"]}
    assert regions == {"甲区", "甲一街道"}


def test_city_staff_change_no_district_records(city):
    user = city["city_staff"]
    assert not policy.may_edit_enterprise(user, city["ent_a"])
    assert not policy.may_edit_organization(user, city["org_b"])
    assert scope_for(user, write=True).is_empty
    assert policy.may_view_dashboard(user)


def test_final_fund_approval_belongs_to_the_district(city):
    class Application:
        organization = city["org_b"]

    assert not policy.may_approve_withdrawal(city["district_a"], Application, policy.DISTRICT_LEVEL)
    assert not policy.may_approve_withdrawal(city["city_staff"], Application, policy.DISTRICT_LEVEL)
    district_b = grant(UserFactory(username="district_b"), Role.DISTRICT, region=city["b"])
    assert policy.may_approve_withdrawal(district_b, Application, policy.DISTRICT_LEVEL)
    assert list(policy.district_approvers(city["org_b"])) == [district_b]


def test_a_grant_never_reaches_outside_the_granters_district(city):
    user = city["district_a"]
    assert policy.may_grant(user, role=Role.STREET, region=city["a1"])
    assert not policy.may_grant(user, role=Role.STREET, region=city["b1"])
    assert not policy.may_grant(user, role=Role.LEADER, region=city["city"])
    assert not policy.may_grant(user, role=Role.CITY, region=city["city"])
    with pytest.raises(PermissionDenied):
        user_create(
            by=user,
            username="b_street",
            display_name="乙街道干部",
            password="Another-Horse-77",
            grants=[GrantSpec(role=Role.STREET, region=city["b1"])],
        )
    assert not type(user).objects.filter(username="b_street").exists()


def test_city_staff_grant_within_their_city(city):
    user = city["city_staff"]
    assert policy.may_grant(user, role=Role.DISTRICT, region=city["b"])
    assert policy.may_grant(user, role=Role.CITY, region=city["city"])
    other = Region.objects.create(name="另一市", kind=Region.Kind.CITY)
    assert not policy.may_grant(user, role=Role.LEADER, region=other)


def test_a_region_cycle_is_refused(city):
    city["city"].parent = city["a1"]
    with pytest.raises(ValidationError):
        city["city"].full_clean()
    province = Region.objects.create(name="测试省", kind=Region.Kind.PROVINCE)
    city["city"].parent = province
    city["city"].full_clean()


@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        ("street", "district", True),
        ("street", "city", False),
        ("park", "district", True),
        ("park", "street", True),
        ("district", "city", True),
        ("community", "district", False),
    ],
)
def test_each_kind_hangs_under_its_own_parents(city, kind, parent_kind, ok):
    parent = {"district": city["a"], "city": city["city"], "street": city["a1"]}[parent_kind]
    region = Region(name="新区域", kind=kind, parent=parent)
    if ok:
        region.full_clean()
    else:
        with pytest.raises(ValidationError):
            region.full_clean()


def test_a_street_is_never_a_root(db):
    with pytest.raises(ValidationError):
        Region(name="孤立街道", kind=Region.Kind.STREET).full_clean()


def test_city_staff_land_on_the_dashboard(city, client):
    client.force_login(city["city_staff"])
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("orgs:dashboard")
    assert client.get(response["Location"]).status_code == 200
    # No workbench in the menu: city staff have no queue to act on.
    assert not policy.has_workbench(city["city_staff"])
    client.force_login(city["district_a"])
    assert client.get(reverse("home")).status_code == 200


def test_one_districts_staff_set_no_table_of_another_district(city, client):
    """Star criteria and the 公积金 rule tables are each district's own
    (orgs/test_rules_per_district.py): district A's staff do not change
    district B's or the city's defaults; street staff and leaders set none;
    the city's staff set the city's defaults."""
    from funds.models import StarRule

    data = {
        "stars": "2",
        "effective_from": "2026-07-01",
        "match_rate": "0.3",
        "subsidy_cap": "1200",
        "note": "",
        "region": str(city["b"].pk),
    }
    url = reverse("funds:star_rules")
    for who in ("district_a", "street_a1", "leader_a"):
        assert not policy.may_set_rules(city[who], city["b"]) and not policy.may_set_rules(city[who], None)
        client.force_login(city[who])
        response = client.post(url, data)
        if who == "district_a":  # the form answers, naming the field
            assert response.status_code == 200 and "适用区域" in response.content.decode()
        else:
            assert response.status_code in (403, 404)
    assert not policy.may_set_star_rules(city["street_a1"]) and not policy.may_set_rating_scheme(city["leader_a"])
    assert not StarRule.objects.filter(effective_from="2026-07-01").exists()
    assert policy.may_set_rules(city["district_a"], city["a"])
    assert policy.may_set_rules(city["city_staff"], None) and policy.may_set_rules(city["city_staff"], city["city"])
    assert not policy.may_set_rules(city["city_staff"], city["b"])


def test_the_header_names_the_committee_the_user_works_for(city, client):
    for who, name in (("city_staff", "测试市"), ("district_a", "甲区"), ("street_a1", "甲区")):
        client.force_login(city[who])
        page = client.get(reverse("orgs:enterprise_list")).content.decode()
        assert f"{name}两新工委" in page, who
