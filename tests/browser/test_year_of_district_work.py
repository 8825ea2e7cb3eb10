"""A year of district work in the pages, with no superuser and never the
admin: the district creates a street user, who signs in (changing the
password staff chose) and enters a 六有 checklist; a 换届 for an
organization whose term has expired opens its new secretary's account and
the term warning closes at the next run; a warning assigned to that
secretary is answered on a phone and closed by the street; an enterprise
is corrected with a reason and the change shows in its history."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.reference import ensure_reference_data as ensure_rules
from orgs.models import Alert, Role, User, VenueChecklist
from orgs.reference import ensure_reference_data

from .conftest import PHONE, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
FIRST = "Jiedao-Chushi-2026"
OWN = "Jiedao-Ziji-2026!"


@pytest.fixture
def open_page(browser, live_server, media):
    """A fresh browser (no session) at a desktop's or a phone's size."""
    contexts = []

    def _open(*, phone=False):
        if phone:
            context = browser.new_context(
                viewport=PHONE, device_scale_factor=1, locale="zh-CN", is_mobile=True, has_touch=True
            )
        else:
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield _open
    for context in contexts:
        context.close()


def _sign_in(page, base, username, password):
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button:has-text('登录')")
    page.wait_for_load_state("domcontentloaded")


def _change_forced_password(page, old, new):
    """An account whose password staff chose is held on the password page until it changes it."""
    page.wait_for_url("**/security/password/**")
    page.fill("#id_old_password", old)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    page.click("form button:has-text('修改密码')")
    page.wait_for_selector("text=密码已修改")


def test_a_year_of_district_work_without_the_admin(world, open_page, live_server):
    base = live_server.url
    ensure_reference_data()
    ensure_rules()
    today = timezone.localdate()
    org = world.org_a
    org.term_start, org.term_end = today - relativedelta(years=4), today - relativedelta(years=1)
    org.save()
    call_command("compute_stats")
    term_alert = Alert.objects.get(kind=Alert.Kind.TERM_EXPIRING, organization=org, closed_on=None)
    assert not User.objects.filter(is_superuser=True).exists()
    visited = []

    def go(page, path):
        visited.append(path)
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path

    # The district signs in like anyone else.
    district = open_page()
    _sign_in(district, base, world.district.username, "Correct-Horse-9")

    # 1. A street staff account, made on the users pages.
    go(district, reverse("orgs:user_create"))
    district.fill("#id_username", "jiedao_wang")
    district.fill("#id_display_name", "王街道")
    district.fill("#id_password", FIRST)
    district.select_option("#id_role", Role.STREET)
    district.select_option("#id_region", label=world.street_a.name)
    district.click("form button:has-text('创建账号')")
    district.wait_for_selector("text=账号 jiedao_wang 已创建")
    street_user = User.objects.get(username="jiedao_wang")
    assert street_user.must_change_password
    assert street_user.role_grants.get().region == world.street_a

    # 2. The street user signs in, changes the password, and enters the 六有 checklist.
    street = open_page()
    _sign_in(street, base, "jiedao_wang", FIRST)
    _change_forced_password(street, FIRST, OWN)
    go(street, reverse("orgs:organization_venue_check", args=[org.pk]))
    for item in ("has_place", "has_facilities", "has_sign", "has_flag", "has_rules"):
        street.check(f"#id_{item}")
    street.click("form button[type=submit]:has-text('保存')")
    street.wait_for_selector("text=六有检查已保存")
    check = VenueChecklist.objects.get(organization=org)
    assert (check.has_place, check.has_reading, check.checked_by) == (True, False, street_user)

    # 3. The district records the 换届 and opens the new secretary's account with it.
    go(district, reverse("orgs:organization_election", args=[org.pk]))
    district.fill("#id_secretary", "王新")
    district.fill("#id_committee", "吴委员、郑委员")
    district.fill("#id_account_username", "wangxin")
    district.fill("#id_account_password", FIRST)
    district.click("form button[type=submit]:has-text('保存')")
    district.wait_for_selector("text=换届选举已登记")
    district.wait_for_selector("text=已为新书记开通账号“wangxin”")
    assert "吴委员" in district.content()
    secretary = User.objects.get(username="wangxin")
    assert secretary.role_grants.get().organization == org

    # The next run finds the term renewed: the warning is closed, its history kept.
    call_command("compute_stats")
    go(district, reverse("orgs:warning_detail", args=[term_alert.pk]))
    facts = district.locator("dl.facts")
    assert "已解除" in facts.inner_text() and today.isoformat() in facts.inner_text()
    district.wait_for_selector("text=自动解除")

    # 4. Another warning of that organization goes to its new secretary with a deadline.
    alert = Alert.objects.filter(organization=org, closed_on=None).exclude(kind=Alert.Kind.TERM_EXPIRING).first()
    assert alert is not None, "the run should leave a warning open for an organization without activities"
    go(district, reverse("orgs:warning_detail", args=[alert.pk]))
    district.select_option("#id_assignee", str(secretary.pk))
    district.fill("#id_deadline", (today + timedelta(days=14)).isoformat())
    district.fill("form[action$='/assign/'] #id_note", "请两周内补开组织生活并反馈")
    district.click("form[action$='/assign/'] button[type=submit]")
    district.wait_for_selector("dd:has-text('已督办')")
    assert "王新" in district.locator("dl.facts").inner_text()

    # The secretary signs in on a phone, changes the password and answers.
    phone = open_page(phone=True)
    _sign_in(phone, base, "wangxin", FIRST)
    _change_forced_password(phone, FIRST, OWN)
    go(phone, reverse("orgs:warning_detail", args=[alert.pk]))
    phone.fill("#id_text", "已于本月召开支部党员大会，补开主题党日活动")
    phone.click("button:has-text('提交反馈')")
    phone.wait_for_selector("dd:has-text('已反馈')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "year-secretary-answers")

    # The street user reads the answer and closes the warning.
    go(street, reverse("orgs:warning_detail", args=[alert.pk]))
    street.wait_for_selector("text=已于本月召开支部党员大会")
    street.fill("form:has(button:has-text('解除预警')) #id_note", "经核实已整改")
    street.click("button:has-text('解除预警')")
    street.wait_for_selector("dd:has-text('已解除')")
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED and not alert.closed_by_refresh

    # 5. An enterprise corrected with its reason; the enterprise page shows the change.
    enterprise = world.enterprise_a
    go(district, reverse("orgs:enterprise_edit", args=[enterprise.pk]))
    district.fill("#id_employees", "137")
    district.fill("#id_reason", "年中走访核实从业人数")
    district.click("form button[type=submit]:has-text('保存')")
    district.wait_for_selector("text=企业信息已修改")
    change = district.locator("[data-testid=history] tr", has_text="年中走访核实从业人数").first
    change.wait_for()
    assert "从业人员数" in change.inner_text() and "137" in change.inner_text()

    assert not any(path.startswith("/admin") for path in visited)
    assert not User.objects.filter(is_superuser=True).exists()
