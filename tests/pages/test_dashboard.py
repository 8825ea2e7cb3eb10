"""Dashboards: who sees which scope, what the figures say, filters, exports,
the monthly bulletin, and a query count that does not grow with the data."""

from datetime import timedelta
from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funds.models import FundAccount, TransactionKind
from funds.services import account_open, external_account, ledger_post
from orgs.models import Alert, Enterprise, Industry, OrgSetup, Region, Role
from orgs.reference import ensure_reference_data
from pages import dashboards

from ..factories import (
    AlertFactory,
    EnterpriseFactory,
    OrganizationFactory,
    RatingFactory,
    SnapshotFactory,
    StreetFactory,
    UserFactory,
    grant,
)

DASH = reverse("orgs:dashboard")
BULLETIN = reverse("orgs:bulletin")


def last_night():
    return timezone.localdate() - timedelta(days=1)


def snapshots_for(world, *, on=None, months=13):
    """District and both streets, monthly, with coverage rising one point a month."""
    on = on or last_night()
    for back in range(months):
        day = on if back == 0 else on + relativedelta(months=-back, day=31)
        rise = months - back
        SnapshotFactory(date=day, org_covered=30 + rise)
        SnapshotFactory(
            date=day, scope_kind="street", scope_key=str(world.street_a.pk), enterprises=60, org_covered=20 + rise
        )
        SnapshotFactory(date=day, scope_kind="street", scope_key=str(world.street_b.pk), enterprises=40, org_covered=10)
        SnapshotFactory(date=day, above_scale_only=True, enterprises=10, org_covered=9)
    return on


def body(response) -> str:
    return response.content.decode()


# --- who sees what --------------------------------------------------------------


@pytest.mark.parametrize("role", ["district", "leader"])
def test_district_dashboard_for_district_staff_and_leader(world, login, role):
    on = snapshots_for(world)
    response = login(getattr(world, role)).get(DASH)
    assert response.status_code == 200
    html = body(response)
    assert "组织覆盖率" in html and "43.0%" in html  # 43 of 100 last night
    assert world.street_a.name in html and world.street_b.name in html
    assert f"date={on.isoformat()}" in html  # every number carries its date into the drill-down


def test_street_staff_land_on_their_street(world, login):
    snapshots_for(world)
    html = body(login(world.street_a_staff).get(DASH))
    assert f"{world.street_a.name} 统计看板" in html
    assert "55.0%" in html  # 33 of 60
    assert "各园区情况" in html
    assert world.org_a.name in html and world.org_b.name not in html


def test_street_staff_asking_for_another_street_get_404(world, login):
    snapshots_for(world)
    client = login(world.street_a_staff)
    assert client.get(DASH, {"street": world.street_b.pk}).status_code == 404
    assert client.get(reverse("orgs:dashboard_export", args=["rows"]), {"street": world.street_b.pk}).status_code == 404
    assert client.get(BULLETIN, {"street": world.street_b.pk}).status_code == 404


def test_street_leader_sees_only_their_street(world, login):
    snapshots_for(world)
    street_leader = grant(UserFactory(), Role.LEADER, region=world.street_b)
    client = login(street_leader)
    assert world.street_b.name in body(client.get(DASH))
    assert client.get(DASH, {"street": world.street_a.pk}).status_code == 404


@pytest.mark.parametrize("role", ["secretary_a", "instructor"])
@pytest.mark.parametrize(
    "url",
    [
        DASH,
        BULLETIN,
        reverse("orgs:dashboard_export", args=["rows"]),
        reverse("orgs:dashboard_export", args=["alerts"]),
    ],
)
def test_secretaries_and_instructors_get_404(world, login, role, url):
    snapshots_for(world)
    assert login(getattr(world, role)).get(url).status_code == 404


def test_secretary_asking_for_a_street_gets_404(world, login):
    snapshots_for(world)
    assert login(world.secretary_a).get(DASH, {"street": world.street_a.pk}).status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(DASH)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_dashboard_is_the_landing_page_for_leaders(world, login):
    response = login(world.leader).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == DASH


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_staff_land_on_their_workbench_one_click_from_the_dashboard(world, login, role):
    response = login(getattr(world, role)).get(reverse("home"))
    assert response.status_code == 200
    assert DASH in body(response)


def test_secretary_keeps_the_home_page(world, login):
    response = login(world.secretary_a).get(reverse("home"))
    assert response.status_code == 200
    assert DASH not in body(response)


def test_menu_offers_dashboard_and_bulletin_to_staff_only(world, login):
    html = body(login(world.district).get(DASH))
    assert f'href="{DASH}"' in html and f'href="{BULLETIN}"' in html
    html = body(login(world.secretary_a).get(reverse("home")))
    assert f'href="{DASH}"' not in html


# --- figures ------------------------------------------------------------------------


def test_no_snapshot_gives_a_clear_empty_state(world, login):
    html = body(login(world.district).get(DASH))
    assert "夜间统计尚未运行" in html
    assert 'data-testid="no-snapshot"' in html


def test_date_before_the_first_snapshot_is_an_empty_state(world, login):
    on = snapshots_for(world, months=1)
    html = body(login(world.district).get(DASH, {"date": (on - timedelta(days=3)).isoformat()}))
    assert "夜间统计尚未运行" in html


def test_date_filter_reads_the_snapshot_on_or_before_it(world, login):
    on = snapshots_for(world)
    month_end = on + relativedelta(months=-2, day=31)
    html = body(login(world.district).get(DASH, {"date": month_end.isoformat()}))
    assert f"数据截至 {month_end.year}年{month_end.month}月{month_end.day}日" in html
    assert "41.0%" in html  # 30 + 11 covered, two months ago


def test_kpis_show_the_change_since_last_month(world):
    on = snapshots_for(world)
    q = dashboards.dashboard_query(user=world.district, params={})
    data = dashboards.dashboard_data(q=q)
    kpis = {k["figure"]: k for k in data["overview"].kpis}
    assert kpis["org_coverage"]["value"] == 0.43
    assert kpis["org_coverage"]["delta"] == 0.01
    assert kpis["enterprises"]["delta"] == 0
    assert kpis["members"]["value"] == 320
    trend = data["overview"].trend
    assert len(trend) == 12 and trend[-1]["month"] == f"{on.year}-{on.month:02d}"
    assert trend[-1]["org_coverage"] == 0.43 and trend[0]["org_coverage"] == 0.32


def test_above_scale_filter_reads_the_above_scale_snapshot(world, login):
    snapshots_for(world)
    html = body(login(world.district).get(DASH, {"above_scale": "1"}))
    assert "90.0%" in html  # 9 of 10 above-scale enterprises


def test_industry_filter_reads_the_industry_snapshot(world, login):
    ensure_reference_data()
    on = snapshots_for(world, months=1)
    SnapshotFactory(date=on, scope_kind="industry", scope_key="C", enterprises=50, org_covered=10)
    html = body(login(world.district).get(DASH, {"industry": "C"}))
    assert "20.0%" in html
    assert "industry=C" in html  # drill-downs keep the filter


def test_street_table_sorts_by_any_column(world):
    snapshots_for(world)
    for sort, first in (("-org_coverage", world.street_a), ("org_coverage", world.street_b), ("name", None)):
        q = dashboards.dashboard_query(user=world.district, params={"sort": sort})
        rows = dashboards.dashboard_data(q=q)["rows"]
        if first is not None:
            assert rows[0]["region"] == first
        else:
            assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)


def test_streets_without_a_snapshot_show_dashes_not_errors(world, login):
    snapshots_for(world, months=1)
    StreetFactory(name="丙街道")
    html = body(login(world.district).get(DASH, {"sort": "-org_coverage"}))
    assert "丙街道" in html and "该日期没有此范围的快照" in html


def test_htmx_request_gets_only_the_dashboard_fragment(world, login):
    snapshots_for(world, months=1)
    response = login(world.district).get(DASH, {"above_scale": "1"}, HTTP_HX_REQUEST="true")
    html = body(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="dash"') and "<html" not in html


def test_star_distribution_counts_the_rating_in_force(world):
    on = snapshots_for(world, months=1)
    RatingFactory(
        organization=world.org_a,
        computed_stars=2,
        computed_on=on - timedelta(days=40),
        published_on=on - timedelta(days=40),
    )
    RatingFactory(organization=world.org_a, computed_stars=4, computed_on=on, published_on=on)
    RatingFactory(organization=world.org_b, computed_stars=3, override_stars=5, override_reason="复核", published_on=on)
    q = dashboards.dashboard_query(user=world.district, params={})
    stars = {r["stars"]: r["count"] for r in dashboards.dashboard_data(q=q)["stars"]}
    assert stars == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0, None: 0}


@pytest.mark.parametrize("params", [{"industry": "F"}, {"above_scale": "1"}, {"industry": "F", "above_scale": "1"}])
def test_industry_and_above_scale_filters_reach_the_stars_and_the_warnings(world, login, params):
    ensure_reference_data()
    on = snapshots_for(world, months=1)
    SnapshotFactory(date=on, scope_kind="industry", scope_key="F", enterprises=5, org_covered=1)
    SnapshotFactory(date=on, scope_kind="industry", scope_key="F", above_scale_only=True, enterprises=5, org_covered=1)
    trade = EnterpriseFactory(street=world.street_b, industry_id="F", above_scale=True, name="批发公司")
    trade_org = OrganizationFactory(street=world.street_b, enterprises=[trade])
    Enterprise.objects.filter(pk__in=[world.enterprise_a.pk, world.enterprise_b.pk]).update(
        industry_id="C", above_scale=False
    )
    RatingFactory(organization=world.org_a, computed_stars=4, computed_on=on, published_on=on)
    RatingFactory(organization=trade_org, computed_stars=2, computed_on=on, published_on=on)
    AlertFactory(street=world.street_b, enterprise=trade, message="批发公司预警", opened_on=on)
    AlertFactory(street=world.street_b, organization=trade_org, message="批发党组织预警", opened_on=on)
    AlertFactory(street=world.street_a, enterprise=world.enterprise_a, message="制造公司预警", opened_on=on)
    AlertFactory(street=world.street_a, message="数据质量预警", opened_on=on)
    q = dashboards.dashboard_query(user=world.district, params=params)
    data = dashboards.dashboard_data(q=q)
    assert {r["stars"]: r["count"] for r in data["stars"]} == {5: 0, 4: 0, 3: 0, 2: 1, 1: 0, None: 0}
    assert sum(c["count"] for c in data["alert_counts"]) == 2
    html = body(login(world.district).get(DASH, params))
    assert "批发公司预警" in html and "批发党组织预警" in html
    assert "制造公司预警" not in html and "数据质量预警" not in html
    # The fund does not follow these filters, and says so beside it.
    assert "不按行业、规上筛选" in html


def test_street_table_under_an_industry_says_it_counts_every_industry(world, login):
    ensure_reference_data()
    on = snapshots_for(world, months=1)
    SnapshotFactory(date=on, scope_kind="industry", scope_key="C", enterprises=50, org_covered=10)
    html = body(login(world.district).get(DASH, {"industry": "C"}))
    assert "不按所选行业筛选" in html[html.index('data-testid="rows-scope"') :]
    rows = html[html.index("<tbody>", html.index('data-testid="breakdown"')) :]
    rows = rows[: rows.index("</tbody>")]
    assert "/orgs/stats/coverage/" in rows and "industry=C" not in rows


def test_panel_lists_are_for_dashboard_users_only(world, login):
    on = snapshots_for(world, months=1)
    RatingFactory(organization=world.org_a, computed_stars=4, computed_on=on, published_on=on)
    url = reverse("orgs:dashboard_list", args=["stars"])
    html = body(login(world.street_a_staff).get(url, {"stars": "4"}))
    assert world.org_a.name in html and 'data-testid="total">1<' in html
    assert login(world.secretary_a).get(url, {"stars": "4"}).status_code == 404
    assert login(world.street_a_staff).get(url, {"stars": "4", "street": world.street_b.pk}).status_code == 404
    assert login(world.district).get(url, {"stars": "9"}).status_code == 404
    assert login(world.district).get(reverse("orgs:dashboard_list", args=["alerts"]), {"level": "x"}).status_code == 404


def test_warnings_are_scoped_and_red_first(world, login):
    on = snapshots_for(world, months=1)
    AlertFactory(street=world.street_a, level=Alert.Level.BLUE, message="甲蓝色预警", opened_on=on - timedelta(days=90))
    AlertFactory(street=world.street_a, level=Alert.Level.RED, message="甲红色预警", opened_on=on)
    AlertFactory(street=world.street_b, level=Alert.Level.RED, message="乙红色预警")
    AlertFactory(street=world.street_a, level=Alert.Level.RED, message="已解除预警", closed_on=on - timedelta(days=1))
    html = body(login(world.street_a_staff).get(DASH))
    assert html.index("甲红色预警") < html.index("甲蓝色预警")
    assert "乙红色预警" not in html and "已解除预警" not in html


def test_warning_links_stay_inside_the_site(world, login):
    on = snapshots_for(world, months=1)
    AlertFactory(street=world.street_a, message="站内链接", link=f"/orgs/organizations/{world.org_a.pk}/", opened_on=on)
    AlertFactory(street=world.street_a, message="脚本链接", link="javascript:alert(1)", opened_on=on)
    AlertFactory(street=world.street_a, message="外站链接", link="//evil.example/x", opened_on=on)
    html = body(login(world.district).get(DASH))
    assert f'href="/orgs/organizations/{world.org_a.pk}/"' in html
    assert "javascript:alert" not in html and "evil.example" not in html
    assert "脚本链接" in html and "外站链接" in html


def test_fund_summary_sums_the_scope_accounts(world, login):
    snapshots_for(world, months=1)
    source = external_account(FundAccount.Kind.EXTERNAL_SOURCE)
    for org, amount in ((world.org_a, "1200.50"), (world.org_b, "800.00")):
        account = account_open(organization=org, by=None)
        ledger_post(
            kind=TransactionKind.ENTERPRISE_DEPOSIT,
            occurred_on=timezone.localdate(),
            memo="企业预存",
            legs=[(source, f"-{amount}"), (account, amount)],
            by=None,
        )
    assert "2,000.50" in body(login(world.district).get(DASH))
    html = body(login(world.street_a_staff).get(DASH))
    assert "1,200.50" in html and "2,000.50" not in html


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date": "2026-13-45"}, "格式不正确"),
        ({"date": "<script>"}, "格式不正确"),
        ({"date": "2999-01-01"}, "晚于今天"),
        ({"street": "abc"}, "街道参数无效"),
        ({"park": "x"}, "园区参数无效"),
        ({"industry": "ZZ"}, "不存在"),
        ({"above_scale": "maybe"}, "规上参数无效"),
    ],
)
def test_bad_filter_values_are_harmless_with_a_message(world, login, params, message):
    snapshots_for(world, months=1)
    response = login(world.district).get(DASH, params)
    assert response.status_code == 200
    html = body(response)
    assert message in html and "<script>" not in html


def test_unknown_sort_is_ignored(world, login):
    snapshots_for(world, months=1)
    assert login(world.district).get(DASH, {"sort": "__class__"}).status_code == 200


def test_unknown_street_is_404(world, login):
    assert login(world.district).get(DASH, {"street": "999999"}).status_code == 404


def test_industry_filter_on_a_street_is_ignored_with_a_message(world, login):
    ensure_reference_data()
    snapshots_for(world, months=1)
    html = body(login(world.street_a_staff).get(DASH, {"industry": "C"}))
    assert "街道视图暂不支持按行业筛选" in html


def test_park_of_another_street_is_ignored_with_a_message(world, login):
    snapshots_for(world, months=1)
    park_b = Region.objects.create(name="乙园区", kind=Region.Kind.PARK, parent=world.street_b)
    client = login(world.district)
    html = body(client.get(DASH, {"street": world.street_a.pk, "park": park_b.pk}))
    assert "不属于所选街道" in html
    assert login(world.street_a_staff).get(DASH, {"park": park_b.pk}).status_code == 404


# --- drill-downs ------------------------------------------------------------------------


def test_drilldown_url_maps_figures_to_list_filters(world):
    on = last_night()
    # Street and 规上 scopes go to the statistics drill-down, with the reason per enterprise.
    stats = urlparse(dashboards.drilldown_url("should_form", date=on, street=world.street_a, above_scale=True))
    assert stats.path == reverse("orgs:stats_drilldown", args=["should_form_not_formed"])
    assert {k: v[0] for k, v in parse_qs(stats.query).items()} == {
        "date": on.isoformat(),
        "street": str(world.street_a.pk),
        "above_scale": "1",
    }
    # Other figures and scopes fall back to the filtered lists.
    url = dashboards.drilldown_list_url("should_form", date=on, street=world.street_a, above_scale=True)
    parsed = urlparse(url)
    params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    assert parsed.path == reverse("orgs:enterprise_list")
    assert params == {
        "status": "operating",
        "min_formal": "3",
        "covered": "false",
        "above_scale": "true",
        "street": str(world.street_a.pk),
        "figure": "should_form",
        "date": on.isoformat(),
    }
    assert urlparse(dashboards.drilldown_url("organizations", date=on)).path == reverse(
        "orgs:stats_drilldown", args=["organizations"]
    )


def test_drilldown_lands_on_the_right_enterprises(world, login):
    on = snapshots_for(world, months=1)
    should = EnterpriseFactory(street=world.street_a, name="应建未建甲公司", org_setup=OrgSetup.NONE, above_scale=True)
    # The survey says it has an organization, but none is recorded: recorded organizations win.
    EnterpriseFactory(street=world.street_a, name="填报已建甲公司", org_setup=OrgSetup.OWN, above_scale=True)
    EnterpriseFactory(street=world.street_b, name="应建未建乙公司", above_scale=True)
    EnterpriseFactory(street=world.street_a, name="小微甲公司", above_scale=False)
    EnterpriseFactory(
        street=world.street_a,
        name="党员少甲公司",
        above_scale=True,
        members_total=2,
        members_formal=2,
        members_probationary=0,
    )
    covered = EnterpriseFactory(street=world.street_a, name="已覆盖甲公司", above_scale=True)
    OrganizationFactory(street=world.street_a, enterprises=[covered])
    dissolved = EnterpriseFactory(street=world.street_a, name="组织已撤销甲公司", above_scale=True)
    OrganizationFactory(street=world.street_a, enterprises=[dissolved], dissolved_on=on)
    url = dashboards.drilldown_list_url("should_form", date=on, street=world.street_a, above_scale=True)
    html = body(login(world.district).get(url))
    listed = {"应建未建甲公司", "填报已建甲公司", "组织已撤销甲公司"}
    for name in listed:
        assert name in html
    for name in ("应建未建乙公司", "小微甲公司", "党员少甲公司", "已覆盖甲公司"):
        assert name not in html
    assert should.name in html
    assert "来自统计看板「应建未建」" in html and "无党组织覆盖" in html


@pytest.mark.parametrize(
    "params", [{"min_formal": "abc"}, {"covered": "maybe"}, {"min_formal": "-3"}, {"figure": "nope"}]
)
def test_bad_drilldown_values_on_the_list_are_harmless(world, login, params):
    response = login(world.district).get(reverse("orgs:enterprise_list"), params)
    assert response.status_code == 200
    assert world.enterprise_a.name in body(response)


def test_org_coverage_drilldown_lists_covered_enterprises(world, login):
    on = snapshots_for(world, months=1)
    html = body(login(world.district).get(dashboards.drilldown_list_url("org_coverage", date=on)))
    assert world.enterprise_a.name in html and world.enterprise_b.name in html
    uncovered = EnterpriseFactory(street=world.street_a, name="未覆盖公司")
    assert uncovered.name not in body(login(world.district).get(dashboards.drilldown_list_url("org_coverage", date=on)))


def test_every_number_in_the_street_table_links_to_a_drilldown(world, login):
    snapshots_for(world, months=1)
    html = body(login(world.district).get(DASH))
    assert html.count('data-figure="org_coverage"') == 3  # the KPI card and one per street
    assert reverse("orgs:stats_drilldown", args=["should_form_not_formed"]) + "?date=" in html


# --- exports ------------------------------------------------------------------------------


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return [list(r) for r in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("table", ["kpis", "rows", "stars", "alerts", "organizations", "should_form", "trend"])
def test_every_table_exports(world, login, table):
    snapshots_for(world)
    rows = read_xlsx(login(world.street_a_staff).get(reverse("orgs:dashboard_export", args=[table])))
    assert rows[0][0]  # a header row


def test_street_export_has_one_row_per_street(world, login):
    snapshots_for(world, months=2)
    rows = read_xlsx(login(world.district).get(reverse("orgs:dashboard_export", args=["rows"]), {"sort": "name"}))
    assert rows[0][0] == "街道" and rows[0][4] == "组织覆盖率"
    names = {r[0]: r for r in rows[1:]}
    assert names[world.street_a.name][4] == pytest.approx(22 / 60, abs=1e-4)  # a number, shown in percent
    assert len(rows) == 3
    sheet = load_workbook(
        BytesIO(login(world.district).get(reverse("orgs:dashboard_export", args=["rows"]), {"sort": "name"}).content)
    ).active
    assert sheet.cell(row=2, column=5).number_format == "0.0%"
    assert isinstance(sheet.cell(row=2, column=5).value, float)


def test_kpi_export_matches_the_cards(world, login):
    on = snapshots_for(world)
    rows = read_xlsx(login(world.district).get(reverse("orgs:dashboard_export", args=["kpis"])))
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["组织覆盖率"][1:3] == [pytest.approx(0.43), pytest.approx(0.01)]
    assert by_label["在营企业"][1] == 100
    assert by_label["在营企业"][3].date() == on


def test_export_neutralises_formulas(world, login):
    on = snapshots_for(world, months=1)
    AlertFactory(street=world.street_a, message='=HYPERLINK("http://evil","x")', opened_on=on)
    AlertFactory(street=world.street_a, message="@SUM(A1)", opened_on=on)
    rows = read_xlsx(login(world.district).get(reverse("orgs:dashboard_export", args=["alerts"])))
    messages = {r[5] for r in rows[1:]}
    assert '\'=HYPERLINK("http://evil","x")' in messages and "'@SUM(A1)" in messages


def test_export_without_snapshot_says_so(world, login):
    rows = read_xlsx(login(world.district).get(reverse("orgs:dashboard_export", args=["rows"])))
    assert "夜间统计尚未运行" in rows[1][0]


def test_unknown_export_is_404(world, login):
    assert login(world.district).get(reverse("orgs:dashboard_export", args=["users"])).status_code == 404


# --- the monthly bulletin -------------------------------------------------------------------


def test_bulletin_shows_the_month_rankings_and_should_form_list(world, login):
    on = snapshots_for(world)
    month = on + relativedelta(months=-1)
    AlertFactory(
        kind=Alert.Kind.SHOULD_FORM,
        level="red",
        street=world.street_a,
        enterprise=world.enterprise_a,
        opened_on=month.replace(day=1),
    )
    html = body(login(world.district).get(BULLETIN, {"month": f"{month.year}-{month.month:02d}"}))
    assert f"（{month.year}年{month.month}月）" in html
    assert html.index(world.street_a.name) < html.index(world.street_b.name)  # ranked by coverage
    assert world.enterprise_a.name in html
    assert "@media print" not in html  # print rules live in the stylesheet
    assert "print-button" in html


def test_bulletin_bad_month_is_harmless(world, login):
    snapshots_for(world, months=2)
    response = login(world.district).get(BULLETIN, {"month": "2026-99"})
    assert response.status_code == 200 and "格式不正确" in body(response)


def test_bulletin_street_staff_see_their_parks(world, login):
    snapshots_for(world, months=2)
    html = body(login(world.street_a_staff).get(BULLETIN))
    assert world.street_a.name in html and "各园区排名" in html


# --- query count ---------------------------------------------------------------------------


def grow(world, *, streets: int, per_street: int, on):
    ensure_reference_data()
    industry = Industry.objects.get(pk="C")
    for i in range(streets):
        street = StreetFactory(name=f"扩充{i}街道")
        park = Region.objects.create(name=f"扩充{i}园区", kind=Region.Kind.PARK, parent=street)
        enterprises = Enterprise.objects.bulk_create(
            EnterpriseFactory.build(street=street, park=park, industry=industry) for _ in range(per_street)
        )
        for e in enterprises[: per_street // 4]:
            org = OrganizationFactory(street=street, park=park, enterprises=[e])
            RatingFactory(organization=org, computed_on=on, published_on=on)
            AlertFactory(street=street, organization=org, opened_on=on)
            account_open(organization=org, by=None)
        for back in range(13):
            day = on if back == 0 else on + relativedelta(months=-back, day=31)
            SnapshotFactory(date=day, scope_kind="street", scope_key=str(street.pk))
            SnapshotFactory(date=day, scope_kind="park", scope_key=str(park.pk))


def count_queries(client, params) -> int:
    # The first request fills per-process caches (content types, settings rows); count the steady state.
    client.get(DASH, params)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(DASH, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"above_scale": "1", "sort": "-org_coverage"}])
def test_overview_query_count_does_not_grow_with_the_data(world, login, django_assert_num_queries, params):
    on = snapshots_for(world)
    client = login(world.district)
    small = count_queries(client, params)
    grow(world, streets=6, per_street=40, on=on)
    with django_assert_num_queries(small):
        assert client.get(DASH, params).status_code == 200


def test_street_view_query_count_does_not_grow_with_the_data(world, login, django_assert_num_queries):
    on = snapshots_for(world)
    client = login(world.district)
    small = count_queries(client, {"street": world.street_a.pk})
    for _ in range(30):
        org = OrganizationFactory(street=world.street_a, enterprises=[EnterpriseFactory(street=world.street_a)])
        RatingFactory(organization=org, computed_on=on, published_on=on)
    with django_assert_num_queries(small):
        assert client.get(DASH, {"street": world.street_a.pk}).status_code == 200


def test_scope_without_a_snapshot_after_a_run_says_so(world, login):
    snapshots_for(world, months=1)
    park = Region.objects.create(name="空园区", kind=Region.Kind.PARK, parent=world.street_a)
    html = body(login(world.district).get(DASH, {"street": world.street_a.pk, "park": park.pk}))
    assert "没有所选范围的快照" in html and "夜间统计尚未运行" not in html
