"""/api/v1/enterprises/: contract shape, scope, filters, and writes through the services."""

import pytest
from rest_framework.test import APIClient

from orgs.models import Enterprise
from tests.factories import EnterpriseFactory, make_credit_code

URL = "/api/v1/enterprises/"


def test_list_is_paginated_and_carries_contract_fields(world, api):
    body = api(world.district).get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["id"] == world.enterprise_a.pk)
    for field in (
        "credit_code",
        "name",
        "street",
        "street_name",
        "status",
        "status_display",
        "above_scale",
        "employees",
        "members_total",
        "members_formal",
        "members_probationary",
        "org_setup",
        "org_setup_display",
    ):
        assert field in row
    assert row["street_name"] == "甲街道"
    assert row["status"] == "operating" and row["status_display"] == "在营"
    assert row["org_setup_display"] == "未建"


def test_list_and_detail_are_scoped(world, api):
    client = api(world.secretary_b)
    names = [r["name"] for r in client.get(URL).json()["results"]]
    assert names == ["乙企业有限公司"]
    assert client.get(f"{URL}{world.enterprise_a.pk}/").status_code == 404
    assert client.get(f"{URL}{world.enterprise_b.pk}/").status_code == 200


def test_filters(world, api):
    client = api(world.district)
    code = world.enterprise_a.credit_code
    assert [r["id"] for r in client.get(URL, {"credit_code": code.lower()}).json()["results"]] == [
        world.enterprise_a.pk
    ]
    assert client.get(URL, {"street": world.street_b.pk}).json()["count"] == 1
    assert client.get(URL, {"status": "deregistered"}).json()["count"] == 0
    assert client.get(URL, {"above_scale": "false"}).json()["count"] == 2


def test_bad_filter_value_is_a_400_in_chinese(world, api):
    response = api(world.district).get(URL, {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_anonymous_gets_401_or_403(world):
    assert APIClient().get(URL).status_code in (401, 403)


def _payload(**over):
    data = {
        "credit_code": make_credit_code(9001),
        "name": "新登记科技有限公司",
        "employees": 30,
        "members_total": 3,
        "members_formal": 3,
        "members_probationary": 0,
    }
    data.update(over)
    return data


def test_street_staff_creates_in_own_street(world, api):
    response = api(world.street_a_staff).post(URL, _payload(street=world.street_a.pk), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["street_name"] == "甲街道"
    assert Enterprise.objects.filter(name="新登记科技有限公司").exists()


def test_street_staff_cannot_create_in_other_street(world, api):
    response = api(world.street_a_staff).post(URL, _payload(street=world.street_b.pk), format="json")
    assert response.status_code == 400  # the other street does not exist for them
    assert not Enterprise.objects.filter(name="新登记科技有限公司").exists()


@pytest.mark.parametrize("role", ["secretary_a", "leader", "instructor"])
def test_others_may_not_create(world, api, role):
    response = api(getattr(world, role)).post(URL, _payload(street=world.street_a.pk), format="json")
    assert response.status_code in (400, 403)
    assert not Enterprise.objects.filter(name="新登记科技有限公司").exists()


def test_leader_gets_403_on_create(world, api):
    response = api(world.leader).post(URL, _payload(street=world.street_a.pk), format="json")
    assert response.status_code == 403
    assert "权限" in response.json()["detail"] or "工作人员" in response.json()["detail"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"credit_code": "91210204XXXXXXXXX1"}, "credit_code"),
        ({"name": "长" * 201}, "name"),
        ({"employees": "many"}, "employees"),
        ({"employees": -1}, "employees"),
        ({"members_total": 5}, "members_total"),
        ({"status": "bankrupt"}, "status"),
        ({"is_superuser": True}, "is_superuser"),
        ({"latest_survey_year": 2020}, "latest_survey_year"),
        ({"revenue": "NaN"}, "revenue"),
        ({"name": "a\x00b"}, "name"),
    ],
)
def test_bad_input_is_400_with_message_and_nothing_written(world, api, over, field):
    before = Enterprise.objects.count()
    response = api(world.district).post(URL, _payload(street=world.street_a.pk, **over), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Enterprise.objects.count() == before


def test_forged_street_id_is_400(world, api):
    data = _payload()
    data["street"] = 999999
    response = api(world.district).post(URL, data, format="json")
    assert response.status_code == 400 and "street" in response.json()


def test_duplicate_credit_code_is_400(world, api):
    response = api(world.district).post(
        URL, _payload(street=world.street_a.pk, credit_code=world.enterprise_a.credit_code), format="json"
    )
    assert response.status_code == 400
    assert "已登记" in str(response.json())


def test_malformed_json_is_400_in_chinese(world, api):
    response = api(world.district).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"] and "合法" in response.json()["detail"]


def test_body_that_is_not_an_object_is_400(world, api):
    response = api(world.district).post(URL, [1, 2], format="json")
    assert response.status_code == 400


def test_update_through_service_and_credit_code_is_fixed(world, api):
    client = api(world.street_a_staff)
    url = f"{URL}{world.enterprise_a.pk}/"
    response = client.patch(url, {"employees": 99}, format="json")
    assert response.status_code == 200, response.content
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 99
    response = client.patch(url, {"credit_code": make_credit_code(7)}, format="json")
    assert response.status_code == 400 and "credit_code" in response.json()


def test_update_outside_scope_is_404_and_without_right_is_403(world, api):
    assert api(world.street_a_staff).patch(f"{URL}{world.enterprise_b.pk}/", {"employees": 1}).status_code == 404
    assert api(world.leader).patch(f"{URL}{world.enterprise_b.pk}/", {"employees": 1}).status_code == 403
    # The secretary reaches their enterprise but enterprise facts are the staff's to keep.
    assert api(world.secretary_a).patch(f"{URL}{world.enterprise_a.pk}/", {"employees": 1}).status_code == 403
    world.enterprise_b.refresh_from_db()
    assert world.enterprise_b.employees == 20


def test_invalid_update_writes_nothing(world, api):
    response = api(world.district).patch(
        f"{URL}{world.enterprise_a.pk}/", {"employees": 50, "members_total": 99}, format="json"
    )
    assert response.status_code == 400
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 20


def test_delete_is_not_offered(world, api):
    assert api(world.district).delete(f"{URL}{world.enterprise_a.pk}/").status_code == 405


@pytest.mark.parametrize("n", [1, 20])
def test_list_query_count_is_constant(world, api, django_assert_num_queries, n):
    EnterpriseFactory.create_batch(n, street=world.street_a)
    client = api(world.street_a_staff)
    client.get(URL)  # warm the per-request caches of nothing: each request starts cold
    with django_assert_num_queries(QUERIES["enterprises"]):
        assert client.get(URL).status_code == 200


QUERIES = {"enterprises": 2}


def test_closing_through_the_api_needs_its_date_as_on_the_page(world, api):
    client = api(world.street_a_staff)
    url = f"{URL}{world.enterprise_a.pk}/"
    for body, words in [
        ({"status": "suspended"}, "停业或注销须填写停业/注销日期"),
        ({"status": "deregistered", "closed_on": "2999-01-01"}, "不能晚于今天"),
    ]:
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, response.content
        assert words in str(response.json()["closed_on"])
        world.enterprise_a.refresh_from_db()
        assert world.enterprise_a.status == "operating" and world.enterprise_a.closed_on is None
    response = client.patch(url, {"status": "suspended", "closed_on": "2026-01-05", "reason": "停产"}, format="json")
    assert response.status_code == 200, response.content
    assert client.patch(url, {"status": "operating"}, format="json").status_code == 200
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.status == "operating" and world.enterprise_a.closed_on is None
