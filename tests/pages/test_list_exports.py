"""Every list page exports what it shows, under the same filters, through
the one .xlsx writer: the export's rows are the list's count."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Activity
from members.models import Member
from orgs.models import BusinessStatus, Enterprise
from tests.factories import EnterpriseFactory, MemberFactory, OrganizationFactory
from tests.helpers.records import make_survey


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))[1:]


@pytest.fixture
def district(world):
    """More than one page of enterprises and organizations in street A, a few in B."""
    for n in range(55):
        status = BusinessStatus.SUSPENDED if n % 5 == 0 else BusinessStatus.OPERATING
        enterprise = EnterpriseFactory(street=world.street_a, name=f"=甲{n:02d}有限公司", status=status)
        OrganizationFactory(street=world.street_a, name=f"中共甲{n:02d}支部", enterprises=[enterprise])
    for n in range(3):
        EnterpriseFactory(street=world.street_b, name=f"乙{n}有限公司")
    return world


@pytest.mark.parametrize(
    ("list_name", "export_name", "query"),
    [
        ("orgs:enterprise_list", "orgs:enterprise_export", {}),
        ("orgs:enterprise_list", "orgs:enterprise_export", {"status": BusinessStatus.OPERATING}),
        ("orgs:enterprise_list", "orgs:enterprise_export", {"q": "甲1", "page": "1"}),
        ("orgs:organization_list", "orgs:organization_export", {}),
        ("orgs:organization_list", "orgs:organization_export", {"q": "甲2"}),
    ],
)
def test_registry_export_rows_equal_list_count(district, login, list_name, export_name, query):
    for user in (district.district, district.street_a_staff):
        client = login(user)
        listed = client.get(reverse(list_name), query)
        rows = sheet_rows(client.get(reverse(export_name), query))
        assert len(rows) == listed.context["page"].paginator.count > 0
    # A secretary exports only what their list shows.
    client = login(district.secretary_b)
    assert len(sheet_rows(client.get(reverse(export_name), query))) == (
        client.get(reverse(list_name), query).context["page"].paginator.count
    )


def test_enterprise_export_neutralises_formulas_and_masks_phones(district, login):
    district.enterprise_a.phone = "13812345678"
    district.enterprise_a.save()
    rows = sheet_rows(login(district.district).get(reverse("orgs:enterprise_export"), {"q": "甲"}))
    assert all(str(r[0]).startswith("'=") for r in rows if "=" in str(r[0]))
    phones = [r[11] for r in rows if r[0] == district.enterprise_a.name]
    assert phones == ["138****5678"]


def test_export_links_carry_the_filters(district, login):
    page = login(district.district).get(reverse("orgs:enterprise_list"), {"status": "operating"}).content.decode()
    assert reverse("orgs:enterprise_export") + "?status=operating" in page


def test_activity_export_rows_equal_list_count(world, login):
    for n in range(35):
        Activity.objects.create(
            organization=world.org_a, activity_type="theme_day", held_on=date(2026, 1 + n % 12, 1), topic=f"主题{n}"
        )
    Activity.objects.create(
        organization=world.org_b, activity_type="party_lecture", held_on=date(2026, 3, 1), topic="乙"
    )
    for user, query in (
        (world.district, {}),
        (world.district, {"type": "theme_day", "date_from": "2026-03-01"}),
        (world.secretary_a, {}),
        (world.secretary_b, {}),
    ):
        client = login(user)
        listed = client.get(reverse("activities:list"), query).context["page"].paginator.count
        assert len(sheet_rows(client.get(reverse("activities:export"), query))) == listed


def test_member_export_follows_the_lists_default_filter(world, login):
    """The roster lists members in good standing unless asked otherwise; its export did not."""
    MemberFactory(organization=world.org_a, name="王离开", status=Member.Status.LEFT, left_on=date(2026, 1, 5))
    client = login(world.district)
    for query in ({}, {"status": ""}, {"status": Member.Status.LEFT}):
        listed = client.get(reverse("members:list"), query).context["page"].paginator.count
        assert len(sheet_rows(client.get(reverse("members:export"), query))) == listed


def test_drilldown_export_rows_equal_its_total(district, login):
    for enterprise in Enterprise.objects.filter(street=district.street_a):
        make_survey(enterprise)
    on = "2026-06-30"
    client = login(district.district)
    for figure in ("enterprises", "org_covered", "should_form_not_formed"):
        for query in ({"date": on}, {"date": on, "street": str(district.street_a.pk)}):
            listed = client.get(reverse("orgs:stats_drilldown", args=[figure]), query).context["result"].total
            rows = sheet_rows(client.get(reverse("orgs:stats_drilldown_export", args=[figure]), query))
            assert len(rows) == listed
    assert listed > 0 or figure == "should_form_not_formed"
