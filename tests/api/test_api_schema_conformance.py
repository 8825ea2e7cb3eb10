"""The schema at /api/schema/ says what the server does: ids are integers
from 1, yes/no filters take true or false, an empty or `null` value is a 400
naming the parameter, fields a client may not write are not offered as
writable, and every error answer is documented as JSON."""

import pytest

from activities.models import Activity
from orgs.models import Enterprise, Region
from tests.helpers.records import make_activity, make_rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, world):
    client.force_login(world.district)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _query_schema(schema, path, name):
    parameters = schema["paths"][path]["get"]["parameters"]
    return next(p["schema"] for p in parameters if p["name"] == name and p["in"] == "query")


def _request_properties(schema, path, method):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return {name for name, field in component["properties"].items() if not field.get("readOnly")}


def _refused(response, field):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json(), response.json()


# --- ids in the path ------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/enterprises/abc/"),
        ("get", "/api/v1/members/1.5/"),
        ("patch", "/api/v1/activities/abc/"),
        ("post", "/api/v1/fund-applications/-1/settle/"),
        ("get", "/api/v1/organizations/99999999999999999999/"),
    ],
)
def test_a_non_numeric_id_in_the_path_answers_json_404(api, world, method, url):
    response = getattr(api(world.district), method)(url, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "记录不存在或不在您的管辖范围内"}


# --- ids in the query -------------------------------------------------------------


def test_id_filters_are_documented_as_integers_from_one(schema):
    for path, name in [
        ("/api/v1/activities/", "organization"),
        ("/api/v1/members/", "enterprise"),
        ("/api/v1/alerts/", "street"),
        ("/api/v1/enterprises/", "park"),
        ("/api/v1/enterprises/", "street"),
        ("/api/v1/organizations/", "park"),
        ("/api/v1/stats/coverage/", "street"),
    ]:
        documented = _query_schema(schema, path, name)
        assert documented["type"] == "integer" and documented["minimum"] == 1, (path, name, documented)


def test_an_id_filter_of_zero_is_refused_naming_it(api, world):
    _refused(api(world.district).get("/api/v1/activities/", {"organization": 0}), "organization")
    _refused(api(world.district).get("/api/v1/stats/coverage/", {"street": "0"}), "street")


def test_park_filters_by_id_and_an_unknown_park_gives_an_empty_list(api, world):
    park = Region.objects.create(name="甲园区", kind=Region.Kind.PARK, parent=world.street_a)
    Enterprise.objects.filter(pk=world.enterprise_a.pk).update(park=park)
    client = api(world.district)

    inside = client.get("/api/v1/enterprises/", {"park": park.pk})
    assert inside.status_code == 200
    assert [row["id"] for row in inside.json()["results"]] == [world.enterprise_a.pk]

    # Any whole number from 1 is a valid park id as documented: one that names
    # no park is an empty list, not a 400 "not a valid choice".
    unknown = client.get("/api/v1/enterprises/", {"park": 10**12})
    assert unknown.status_code == 200
    assert unknown.json()["count"] == 0
    street_as_park = client.get("/api/v1/organizations/", {"park": world.street_a.pk})
    assert street_as_park.status_code == 200
    assert street_as_park.json()["count"] == 0


# --- empty and null values --------------------------------------------------------


@pytest.mark.parametrize("value", ["null", "0", "", "-3", "ten"])
def test_page_size_that_is_not_a_whole_number_from_one_is_refused(api, world, value):
    response = api(world.district).get("/api/v1/enterprises/", {"page_size": value})
    _refused(response, "page_size")
    assert response.json()["page_size"] == ["每页条数应为不小于 1 的整数"]


def test_page_size_above_the_cap_gives_the_cap_and_page_sizes_are_documented(api, world, schema):
    response = api(world.district).get("/api/v1/enterprises/", {"page_size": 500})
    assert response.status_code == 200
    assert _query_schema(schema, "/api/v1/enterprises/", "page_size")["minimum"] == 1
    assert _query_schema(schema, "/api/v1/enterprises/", "page")["minimum"] == 1


def test_an_empty_page_is_an_invalid_page(api, world):
    response = api(world.district).get("/api/v1/enterprises/", {"page": ""})
    assert response.status_code == 404
    assert response.json() == {"detail": "页码无效"}


@pytest.mark.parametrize("value", ["null", "", "1", "yes", "True"])
def test_a_yes_no_filter_takes_only_true_or_false(api, world, value):
    _refused(api(world.district).get("/api/v1/ratings/", {"published": value}), "published")


def test_published_filter_still_filters(api, world):
    published = make_rating(world.org_a)
    client = api(world.district)
    assert [r["id"] for r in client.get("/api/v1/ratings/", {"published": "true"}).json()["results"]] == [published.pk]
    assert client.get("/api/v1/ratings/", {"published": "false"}).json()["count"] == 0


@pytest.mark.parametrize("name", ["organization", "date_from", "status"])
def test_a_typed_filter_given_empty_is_refused_naming_it(api, world, name):
    response = api(world.district).get("/api/v1/activities/", {name: ""})
    _refused(response, name)
    assert response.json()[name] == ["不能为空；不按此项筛选请省略该参数"]


def test_an_empty_text_filter_means_any(api, world):
    response = api(world.district).get("/api/v1/enterprises/", {"q": ""})
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date": ""}, "date"),
        ({"date": "2026-1-1"}, "date"),
        ({"date": "20260101"}, "date"),
        ({"above_scale": "yes"}, "above_scale"),
        ({"above_scale": ""}, "above_scale"),
        ({"street": ""}, "street"),
    ],
)
def test_coverage_refuses_empty_or_malformed_parameters(api, world, params, field):
    _refused(api(world.district).get("/api/v1/stats/coverage/", params), field)
    if field != "street":
        _refused(api(world.district).get("/api/v1/stats/coverage/streets/", params), field)


# --- fields a client may not write ----------------------------------------------------


def test_activity_organization_is_writable_on_create_only(schema):
    assert "organization" in _request_properties(schema, "/api/v1/activities/", "post")
    assert "organization" not in _request_properties(schema, "/api/v1/activities/{id}/", "put")
    assert "organization" not in _request_properties(schema, "/api/v1/activities/{id}/", "patch")


def test_enterprise_credit_code_is_writable_on_create_only(schema):
    assert "credit_code" in _request_properties(schema, "/api/v1/enterprises/", "post")
    assert "credit_code" not in _request_properties(schema, "/api/v1/enterprises/{id}/", "put")
    assert "credit_code" not in _request_properties(schema, "/api/v1/enterprises/{id}/", "patch")
    # Read back, it is still there.
    ref = schema["paths"]["/api/v1/enterprises/{id}/"]["patch"]["responses"]["200"]["content"]["application/json"]
    assert ref["schema"]["$ref"].endswith("/Enterprise")


def test_patching_an_activity_organization_is_refused_by_name_and_writes_nothing(api, world):
    activity = make_activity(world.org_a, status=Activity.Status.DRAFT)
    response = api(world.secretary_a).patch(
        f"/api/v1/activities/{activity.pk}/", {"organization": world.org_b.pk, "topic": "改了"}, format="json"
    )
    _refused(response, "organization")
    assert response.json()["organization"] == ["未知或不可写入的字段"]
    activity.refresh_from_db()
    assert (activity.organization_id, activity.topic) == (world.org_a.pk, "主题党日0")


def test_putting_an_enterprise_credit_code_is_refused_by_name_and_writes_nothing(api, world):
    before = Enterprise.objects.get(pk=world.enterprise_a.pk)
    body = {"credit_code": "91110000000000000X", "name": "改名有限公司", "street": world.street_a.pk}
    response = api(world.district).put(f"/api/v1/enterprises/{before.pk}/", body, format="json")
    _refused(response, "credit_code")
    after = Enterprise.objects.get(pk=before.pk)
    assert (after.credit_code, after.name) == (before.credit_code, before.name)


# --- error answers ------------------------------------------------------------------


def test_every_operation_documents_its_error_answers_as_json(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path == "/api/v1/auth/token/":
                expected = {"400", "403", "429"}
            else:
                expected = {"401", "403"}
                if "{id}" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
                    expected.add("404")
                if method != "get":
                    expected.add("400")
                if "requestBody" in operation:
                    expected.add("415")
            assert expected <= set(responses), (method, path, sorted(responses))
            for code in expected:
                assert "application/json" in responses[code]["content"], (method, path, code)
    assert "404" in schema["paths"]["/api/v1/stats/coverage/"]["get"]["responses"]
