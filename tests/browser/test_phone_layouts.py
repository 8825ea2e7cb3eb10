"""Every page a secretary or an instructor reaches, on a 390-px phone: nothing
makes the page scroll sideways (wide tables scroll inside their own box),
the menu's words do not wrap, and phone numbers are typed in one-line inputs.

The pages are found the way a person finds them: from the home page, every
link of the site two clicks deep, plus the forms of a fund application at
each of its steps (filed, being settled)."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from funds import services
from tests.helpers.funds import file_project, open_accounts, through_publicity
from tests.helpers.records import make_activity

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a crawl must not follow: leaving, downloads, the admin and the API.
SKIP = (
    "/accounts/logout",
    "/logout",
    "/admin/",
    "/api/",
    "/static/",
    "/media/",
    "export",
    "download",
    ".xlsx",
    "/i18n/",
    "/template/",
)

# Elements whose right edge passes the screen's, outside a box that scrolls on its own.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let scroller = el.parentElement, inside = false;
    while (scroller && scroller !== document.body) {
      const style = getComputedStyle(scroller);
      if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) { inside = true; break; }
      scroller = scroller.parentElement;
    }
    const cls = el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '';
    if (!inside) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls +
                          ' right=' + Math.round(box.right));
  }
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""

# A menu item whose words wrap is taller than one line of its own text.
WRAPPED_MENU_JS = """() => Array.from(document.querySelectorAll('header a, header button, nav a, nav button'))
  .filter(el => el.offsetParent !== null)
  .filter(el => {
    const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
    const pad = parseFloat(getComputedStyle(el).paddingTop) + parseFloat(getComputedStyle(el).paddingBottom);
    return el.getBoundingClientRect().height - pad > line * 1.5;
  }).map(el => el.innerText.trim())"""


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or any(s in parts.path for s in SKIP):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _crawl(page, origin: str, start: list[str], depth: int = 2, limit: int = 60) -> list[str]:
    seen: list[str] = []
    frontier = list(start)
    for _ in range(depth + 1):
        following = []
        for path in frontier:
            # A list's pages and filters are the same page: one of each path.
            if urlsplit(path).path in {urlsplit(s).path for s in seen} or len(seen) >= limit:
                continue
            response = page.goto(origin + path)
            if response is None or response.status != 200 or "html" not in response.headers.get("content-type", ""):
                continue
            seen.append(path)
            following.extend(_links(page, origin))
        frontier = following
    return seen


def _problems(page, path: str) -> list[str]:
    found = []
    layout = page.evaluate(OVERFLOW_JS)
    if layout["scroll"] > layout["width"]:
        found.append(f"{path}: page is {layout['scroll']} px wide on a {layout['width']}-px screen: {layout['out']}")
    wrapped = page.evaluate(WRAPPED_MENU_JS)
    if wrapped:
        found.append(f"{path}: menu items wrap: {wrapped}")
    textareas = page.eval_on_selector_all(
        "textarea[name*=phone], textarea[name*=id_number]", "els => els.map(e => e.name)"
    )
    if textareas:
        found.append(f"{path}: phone or ID number typed in a textarea: {textareas}")
    return found


def _world_with_work(world):
    """Records behind every page a secretary opens: an activity, a roster, a
    fund account, one application filed and one disbursed (so its 报账 form shows)."""
    # Names as long as the demo's, which push the header's words onto two lines.
    long_names = ((world.secretary_a, "王建国（温州瓯海新材料科技有限…）"), (world.instructor, "党建指导员欧阳明华"))
    for user, name in long_names:
        user.display_name = name
        user.save(update_fields=["display_name"])
    make_activity(world.org_a)
    account = open_accounts(world, deposit="5000.00", pool="20000.00")
    file_project(world, "300.00")
    paid = through_publicity(world, file_project(world, "800.00"), on=date(2026, 5, 1))
    services.application_disburse(application=paid, by=world.district, on=date(2026, 5, 10))
    _warning_assigned_to_the_secretary(world)
    return account


def _warning_assigned_to_the_secretary(world):
    """A warning on the workbench with a link to answer it, and a 整顿 plan beside it."""
    from django.utils import timezone

    from orgs.alerts import alert_assign, rectification_plan_create
    from orgs.models import Alert

    alert = Alert.objects.create(
        kind=Alert.Kind.NO_ACTIVITY_90,
        level=Alert.Level.RED,
        street=world.street_a,
        organization=world.org_a,
        subject_key=f"org:{world.org_a.pk}",
        message="中共温州瓯海新材料科技有限公司支部委员会自2026-01-01以来120天无已审核的组织生活记录",
        opened_on=date(2026, 5, 1),
        last_seen_on=date(2026, 5, 1),
    )
    due = timezone.localdate() + timedelta(days=14)
    alert_assign(
        alert=alert, by=world.street_a_staff, assignee=world.secretary_a, deadline=due, note="请尽快恢复组织生活"
    )
    rectification_plan_create(
        organization=world.org_a,
        by=world.street_a_staff,
        reason="weak",
        title="恢复三会一课，配齐支部委员会班子成员",
        steps=[("召开支部党员大会，补选支部委员", due), ("按月召开支委会并上传会议记录", due)],
    )


@pytest.mark.parametrize("who", ["secretary_a", "instructor"])
def test_no_page_a_secretary_or_instructor_uses_scrolls_sideways_on_a_phone(world, phone_as, live_server, who):
    _world_with_work(world)
    page = phone_as(getattr(world, who))
    pages = _crawl(page, live_server.url, ["/"])
    assert len(pages) >= (8 if who == "secretary_a" else 3), pages
    problems = []
    for number, path in enumerate(pages):
        page.goto(live_server.url + path)
        shot(page, f"phone-{who}-{number:02d}")
        found = _problems(page, path)
        if found:
            shot(page, f"phone-overflow-{who}-{number:02d}")
        problems.extend(found)
    assert not problems, "\n".join(problems)
