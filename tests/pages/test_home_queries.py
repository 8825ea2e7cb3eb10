"""The workbench a user opens first runs a number of queries fixed by the
page, not by how many activities, members, enterprises or warnings there are."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.reference import ensure_reference_data as ensure_activity_rules
from members.models import Stage
from orgs.reference import ensure_reference_data

from ..factories import AlertFactory, EnterpriseFactory, MemberFactory, OrganizationFactory
from ..helpers.records import make_activity

HOME = reverse("home")


def count_queries(client) -> int:
    # The first request fills per-process caches (content types, settings rows); count the steady state.
    client.get(HOME)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(world, n: int) -> None:
    """More of everything in the secretary's organization and in the district."""
    today = timezone.localdate()
    statuses = ("approved", "submitted", "draft", "returned")
    for i in range(n):
        held_on = max(today - timedelta(days=3 * i), today.replace(month=1, day=1))
        status = statuses[i % len(statuses)]
        extra = {"return_reason": "缺少会议记录"} if status == "returned" else {}
        make_activity(world.org_a, i, held_on=held_on, status=status, activity_type="theme_day", **extra)
        make_activity(world.org_b, i, held_on=held_on, status="approved")
    stages = list(Stage)
    for i in range(n):
        MemberFactory(organization=world.org_a, enterprise=world.enterprise_a, stage=stages[i % len(stages)])
    for i in range(n):
        enterprise = EnterpriseFactory(street=world.street_a if i % 2 else world.street_b)
        world.org_a.enterprises.add(enterprise)
        OrganizationFactory(street=enterprise.street, enterprises=[EnterpriseFactory(street=enterprise.street)])
    for _ in range(n // 3):
        AlertFactory(street=world.street_a, organization=world.org_a, opened_on=today)


def test_secretary_home_query_count_does_not_grow_with_the_data(world, login, django_assert_num_queries):
    ensure_reference_data()
    ensure_activity_rules()
    client = login(world.secretary_a)
    small = count_queries(client)
    grow(world, 24)
    body = client.get(HOME).content.decode()
    assert "组织生活日历" in body and "主题党日" in body
    with django_assert_num_queries(small):
        assert client.get(HOME).status_code == 200


def test_district_workbench_query_count_does_not_grow_with_the_data(world, login, django_assert_num_queries):
    ensure_reference_data()
    client = login(world.district)
    small = count_queries(client)
    grow(world, 24)
    with django_assert_num_queries(small):
        assert client.get(HOME).status_code == 200
