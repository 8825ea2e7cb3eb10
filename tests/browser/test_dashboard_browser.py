"""The dashboards in a real browser: headless Chromium through Playwright
against the live test server, on a small seeded district whose nightly tables
are filled by the test stand-in.

Screenshots go to test-artifacts/ (or $PLAYWRIGHT_ARTIFACTS) at 1366×768 and
at a phone's 390 wide. Skipped when /usr/bin/chromium is missing, except under
REQUIRE_BROWSER=1, where a missing browser fails the run.
"""

import os
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from demo.seed import DEFAULT_PASSWORD, seed_demo
from orgs.models import Enterprise, PartyOrganization, Region
from tests.helpers.dashboard_data import fill_all

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("PLAYWRIGHT_ARTIFACTS", "test-artifacts"))
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def district(transactional_db, settings):
    settings.AXES_ENABLED = True
    seed_demo(enterprises=250, seed=11)
    on = timezone.localdate() - timedelta(days=1)
    fill_all(on=on)
    return on


class Session:
    """One browser context, logged in through the login page, collecting console errors."""

    def __init__(self, browser, live_server, viewport):
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        self.page = self.context.new_page()
        self.base = live_server.url
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def login(self, username):
        page = self.page
        page.goto(self.base + reverse("login"))
        page.fill("#id_username", username)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    def dashboard(self, username):
        """Log in and open the dashboard the way a user does: leaders land on it,
        staff land on their workbench and pick it from the main menu."""
        page = self.login(username)
        if not page.url.endswith(reverse("orgs:dashboard")):
            open_menu_item(page, "统计看板")
        return page

    def shot(self, name):
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, live_server):
    sessions = []

    def _open(viewport=DESKTOP):
        s = Session(browser, live_server, viewport)
        sessions.append(s)
        return s

    yield _open
    for s in sessions:
        s.close()


def open_menu_item(page, label):
    if page.locator("label.nav-toggle-label").is_visible():  # the phone menu is folded behind its toggle
        page.click("label.nav-toggle-label")
    page.locator("nav.mainnav a", has_text=label).click()
    page.wait_for_load_state("networkidle")


def charts_drawn(page):
    page.wait_for_selector("#chart-trend[data-drawn] canvas")
    page.wait_for_selector("#chart-stars[data-drawn] canvas")
    return True


@pytest.mark.parametrize(("username", "district_wide"), [("district", True), ("leader", True), ("street", False)])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_staff_log_in_and_reach_a_dashboard_with_charts(district, session, settings, username, district_wide, viewport):
    s = session(viewport)
    page = s.login(username)
    if username == "leader":
        # Leaders only read: their day starts on the dashboard.
        assert page.url.endswith(reverse("orgs:dashboard"))
    else:
        # Staff land on their workbench, one click from the dashboard.
        assert page.url.rstrip("/") == s.base
        open_menu_item(page, "统计看板")
        assert page.url.endswith(reverse("orgs:dashboard"))
    heading = page.locator("h1").inner_text()
    assert "统计看板" in heading
    assert heading.startswith(settings.DISTRICT_NAME) == district_wide
    assert charts_drawn(page)
    assert page.locator(".dash-kpis .kpi").count() == 10
    assert page.locator("table[data-testid=breakdown] tbody tr").count() >= 1
    s.shot(f"dashboard-{username}-{viewport['width']}")
    assert s.errors == []
    if viewport is PHONE:
        # Usable on a phone: nothing wider than the screen except inside scrolling tables.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_secretary_logs_in_to_the_home_page_and_has_no_dashboard(district, session):
    s = session()
    page = s.login("secretary")
    assert page.url.rstrip("/") == s.base
    assert page.locator("nav.mainnav >> text=统计看板").count() == 0
    response = page.goto(s.base + reverse("orgs:dashboard"))
    assert response.status == 404
    s.shot("secretary-home")


def test_drilldown_click_lands_on_the_streets_statistics_list(district, session):
    s = session()
    page = s.dashboard("district")
    row = page.locator("table[data-testid=breakdown] tbody tr").first
    street_name = row.locator("th").inner_text().strip()
    street = Region.objects.get(name=street_name, kind=Region.Kind.STREET)
    link = row.locator("a[data-figure=should_form]")
    shown = int(link.inner_text().replace(",", ""))
    link.click()
    page.wait_for_load_state("networkidle")
    # The number drills down to the nightly statistics' own list, with the reason per enterprise.
    assert page.url.startswith(s.base + reverse("orgs:stats_drilldown", args=["should_form_not_formed"]))
    assert f"street={street.pk}" in page.url and f"date={district.isoformat()}" in page.url
    assert page.locator("[data-testid=total]").inner_text() == str(shown)
    rows = page.locator("table.data tbody tr")
    assert rows.count() == max(min(shown, 50), 1)
    if shown:
        assert set(page.locator("table.data tbody tr td:nth-child(2)").all_inner_texts()) == {street_name}
        assert all(reason.strip() for reason in page.locator("table.data tbody tr td:nth-child(3)").all_inner_texts())
    s.shot("drilldown-should-form")
    assert s.errors == []


def test_filter_change_updates_the_page_and_the_url(district, session):
    s = session()
    page = s.dashboard("district")
    charts_drawn(page)
    before = page.locator(".kpi[data-figure=enterprises] .kpi-value").inner_text()
    page.check("input[name=above_scale]")
    page.wait_for_url(re.compile(r"above_scale=1"))
    # The pushed URL holds the filter and nothing empty or pinned to today.
    assert "industry=" not in page.url and "date=" not in page.url
    page.wait_for_selector("input[name=above_scale]:checked")
    page.wait_for_function(
        "v => document.querySelector('.kpi[data-figure=enterprises] .kpi-value').textContent.trim() !== v", arg=before
    )
    assert charts_drawn(page)
    assert "仅规上" in page.locator(".dash-date").inner_text()
    # The state is in the URL: reloading it gives the same view.
    page.reload()
    assert page.locator("input[name=above_scale]").is_checked()
    # Choosing a street turns it into that street's view.
    page.select_option("select[name=street]", index=1)
    page.wait_for_url(re.compile(r"street=\d+"))
    page.wait_for_selector("text=各园区情况")
    page.wait_for_selector("text=本街道党组织")
    assert charts_drawn(page)
    # Sorting by a column is a click on its header.
    page.locator("table[data-testid=breakdown] thead a", has_text="组织覆盖率").click()
    page.wait_for_url(re.compile(r"sort=-org_coverage"))
    s.shot("dashboard-filtered-street")
    assert s.errors == []


def test_street_table_sorts_on_header_click(district, session):
    s = session()
    page = s.dashboard("district")
    page.locator("table[data-testid=breakdown] thead a", has_text="组织覆盖率").click()
    page.wait_for_url(re.compile(r"sort=-org_coverage"))
    values = page.locator("table[data-testid=breakdown] tbody a[data-figure=org_coverage]").all_inner_texts()
    numbers = [float(v.rstrip("%")) for v in values]
    assert numbers == sorted(numbers, reverse=True)
    assert s.errors == []


def test_export_download_is_a_real_workbook(district, session):
    s = session()
    page = s.dashboard("district")
    with page.expect_download() as info:
        page.locator("section:has(table[data-testid=breakdown]) a.export").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    rows = list(load_workbook(BytesIO(Path(download.path()).read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][0] == "街道" and "组织覆盖率" in rows[0]
    assert len(rows) == 1 + Region.objects.filter(kind=Region.Kind.STREET).count()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_print_view_of_the_monthly_bulletin(district, session, viewport):
    s = session(viewport)
    page = s.login("district")
    open_menu_item(page, "月通报")
    page.wait_for_selector("[data-testid=bulletin]")
    assert "两新组织党建工作通报" in page.locator(".bulletin h1").inner_text()
    # The figures, the ranking, the should-form list, 群团 coverage; demands, alliances, pairings.
    assert page.locator(".bulletin table").count() == 7
    s.shot(f"bulletin-screen-{viewport['width']}")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator(".bulletin-tools").is_visible()
    assert page.locator(".bulletin h1").is_visible()
    s.shot(f"bulletin-print-{viewport['width']}")
    if viewport is DESKTOP:
        pdf = page.pdf(format="A4", print_background=True)
        (ARTIFACTS / "bulletin.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF")
    assert s.errors == []


def test_organization_and_enterprise_pages(district, session):
    org = PartyOrganization.objects.filter(ratings__isnull=False, fund_account__isnull=False).first()
    enterprise = Enterprise.objects.filter(
        members_formal__gte=3, organizations__isnull=True, status="operating"
    ).first()
    for viewport in (DESKTOP, PHONE):
        s = session(viewport)
        page = s.login("district")
        page.goto(s.base + reverse("orgs:organization_detail", args=[org.pk]))
        assert "★" in page.locator("[data-testid=rating]").inner_text()
        assert page.locator("[data-testid=fund] table tbody tr").count() >= 1
        s.shot(f"organization-{viewport['width']}")
        page.goto(s.base + reverse("orgs:enterprise_detail", args=[enterprise.pk]))
        assert "应建未建" in page.locator("[data-testid=coverage]").inner_text()
        s.shot(f"enterprise-{viewport['width']}")
        assert s.errors == []


def test_date_filter_shows_an_earlier_snapshot(district, session):
    s = session()
    page = s.login("leader")
    # The end of the month before last: a day the nightly run wrote.
    earlier = (district.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    page.fill("input[name=date]", earlier.isoformat())
    page.wait_for_url(re.compile(rf"date={earlier.isoformat()}"))
    expected = f"数据截至 {earlier.year}年{earlier.month}月{earlier.day}日"
    page.wait_for_function("t => document.querySelector('.dash-date').textContent.includes(t)", arg=expected)
    assert charts_drawn(page)
    assert s.errors == []
