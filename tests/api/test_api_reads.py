"""Read endpoints: activities, instructors, fund accounts, ratings, warnings.
Each is scoped (outsider 404), speaks the contract, and lists in a constant
number of queries whatever the number of rows."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from funds.models import TransactionKind
from funds.services import account_open, external_account, ledger_post
from orgs.models import Region
from tests.factories import EnterpriseFactory, MemberFactory
from tests.helpers.records import make_activity, make_alert, make_assignment, make_rating, make_survey


def test_activities_scoped_filtered_and_displayed(world, api):
    make_activity(world.org_a, 1, activity_type="party_lecture", held_on=date(2026, 2, 10))
    make_activity(world.org_a, 2, held_on=date(2026, 5, 10))
    other = make_activity(world.org_b, 3)
    client = api(world.secretary_a)
    body = client.get("/api/v1/activities/").json()
    assert body["count"] == 2
    row = body["results"][0]
    assert row["type"] == "theme_day" and row["type_display"] == "主题党日"
    assert row["status_display"] == "已通过" and row["organization_name"] == "中共甲企业支部委员会"
    assert client.get("/api/v1/activities/", {"type": "party_lecture"}).json()["count"] == 1
    assert client.get("/api/v1/activities/", {"date_from": "2026-03-01", "date_to": "2026-12-31"}).json()["count"] == 1
    assert client.get("/api/v1/activities/", {"date_from": "not-a-date"}).status_code == 400
    assert client.get(f"/api/v1/activities/{other.pk}/").status_code == 404
    assert api(world.district).get("/api/v1/activities/", {"organization": world.org_b.pk}).json()["count"] == 1


def test_fund_account_balance_and_journal(world, api):
    account = account_open(organization=world.org_a, by=None)
    ledger_post(
        kind=TransactionKind.ENTERPRISE_DEPOSIT,
        occurred_on=date(2026, 1, 5),
        memo="企业预存",
        legs=[(external_account("external_source"), Decimal("-1000.00")), (account, Decimal("1000.00"))],
        by=None,
    )
    client = api(world.secretary_a)
    body = client.get("/api/v1/fund-accounts/").json()
    assert body["count"] == 1
    assert body["results"][0]["balance"] == "1000.00"
    assert body["results"][0]["kind_display"] == "党组织账户"
    entries = client.get(f"/api/v1/fund-accounts/{account.pk}/journal/").json()
    assert entries["count"] == 1
    assert entries["results"][0]["amount"] == "1000.00"
    assert entries["results"][0]["transaction_kind_display"] == "企业预存"
    assert api(world.secretary_b).get(f"/api/v1/fund-accounts/{account.pk}/journal/").status_code == 404
    # The external accounts are technical: in the journal, in no list.
    listed = api(world.district).get("/api/v1/fund-accounts/").json()
    assert [a["kind_display"] for a in listed["results"]] == ["党组织账户"]


def test_ratings_alerts_and_assignments_scoped(world, api):
    rating = make_rating(world.org_a)
    alert = make_alert(world.org_a)
    assignment = make_assignment(world, world.enterprise_a)
    own = api(world.secretary_a)
    outsider = api(world.secretary_b)
    assert own.get(f"/api/v1/ratings/{rating.pk}/").json()["stars"] == 4
    assert outsider.get(f"/api/v1/ratings/{rating.pk}/").status_code == 404
    assert own.get(f"/api/v1/alerts/{alert.pk}/").json()["kind_display"] == "未配备书记"
    assert outsider.get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert api(world.street_a_staff).get("/api/v1/alerts/").json()["count"] == 1
    assert api(world.instructor).get(f"/api/v1/instructor-assignments/{assignment.pk}/").status_code == 200
    assert outsider.get(f"/api/v1/instructor-assignments/{assignment.pk}/").status_code == 404
    assert api(world.instructor).get("/api/v1/enterprises/").json()["count"] == 1


def test_surveys_scoped_and_filtered(world, api):
    own = make_survey(world.enterprise_a)
    other = make_survey(world.enterprise_b)
    make_survey(world.enterprise_a, year=2024)
    client = api(world.secretary_a)
    body = client.get("/api/v1/surveys/", {"year": 2025}).json()
    assert [r["id"] for r in body["results"]] == [own.pk]
    row = body["results"][0]
    assert row["credit_code"] == world.enterprise_a.credit_code and row["status_display"] == "在营"
    assert client.get(f"/api/v1/surveys/{other.pk}/").status_code == 404
    assert client.get("/api/v1/surveys/", {"year": "1e9"}).status_code == 400


# --- constant query counts: every list endpoint, 1 row vs 20 rows ----------


_serial = itertools.count(1)


def _seed(world, endpoint: str, n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        if endpoint == "enterprises":
            community = Region.objects.create(name=f"社区{i}", kind=Region.Kind.COMMUNITY, parent=world.street_a)
            EnterpriseFactory(street=world.street_a, community=community)
        elif endpoint == "organizations":
            enterprise = EnterpriseFactory(street=world.street_a)
            from tests.factories import OrganizationFactory

            OrganizationFactory(street=world.street_a, enterprises=[enterprise])
        elif endpoint == "members":
            MemberFactory(organization=world.org_a, enterprise=world.enterprise_a)
        elif endpoint == "activities":
            make_activity(world.org_a, i, created_by=world.secretary_a)
        elif endpoint == "instructor-assignments":
            make_assignment(world, EnterpriseFactory(street=world.street_a), i)
        elif endpoint == "ratings":
            make_rating(world.org_a, i)
        elif endpoint == "alerts":
            make_alert(world.org_a, i)
        elif endpoint == "surveys":
            make_survey(EnterpriseFactory(street=world.street_a))
        elif endpoint == "fund-accounts":
            from tests.factories import OrganizationFactory

            account_open(organization=OrganizationFactory(street=world.street_a), by=None)


LIST_ENDPOINTS = [
    "enterprises",
    "organizations",
    "members",
    "activities",
    "instructor-assignments",
    "ratings",
    "alerts",
    "fund-accounts",
    "surveys",
]


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_list_query_count_does_not_grow(world, api, django_assert_num_queries, endpoint):
    client = api(world.district)
    _seed(world, endpoint, 1)
    client.get(f"/api/v1/{endpoint}/")  # the user's scope is then cached, as within one request
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
    _seed(world, endpoint, 19)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 20


def test_journal_query_count_does_not_grow(world, api, django_assert_num_queries):
    account = account_open(organization=world.org_a, by=None)
    source = external_account("external_source")

    def deposit():
        ledger_post(
            kind=TransactionKind.ENTERPRISE_DEPOSIT,
            occurred_on=date(2026, 1, 5),
            memo="企业预存",
            legs=[(source, Decimal("-10.00")), (account, Decimal("10.00"))],
            by=None,
        )

    deposit()
    client = api(world.district)
    client.get(f"/api/v1/fund-accounts/{account.pk}/journal/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/api/v1/fund-accounts/{account.pk}/journal/")
    for _ in range(19):
        deposit()
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(f"/api/v1/fund-accounts/{account.pk}/journal/").json()["results"]) == 20


@pytest.mark.parametrize("path", ["/api/v1/enterprises/abc/", "/api/v1/members/1e5/", "/api/v1/no-such-thing/"])
def test_an_unmatched_api_url_answers_json(world, api, path):
    response = api(world.district).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_an_unmatched_page_url_is_still_a_page(world, login):
    response = login(world.district).get("/orgs/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
