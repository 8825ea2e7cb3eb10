"""The alliance's main path on a phone: street staff set up an alliance and
add an N member; the lead organization's secretary raises a problem and
resolves it; the page shows 问题化解率 100%."""

import pytest

from alliances.models import Alliance, AllianceMember, AllianceProblem
from tests.factories import EnterpriseFactory

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_add_member_raise_and_resolve(world, phone_as, live_server):
    small = EnterpriseFactory(street=world.street_a, name="甲链上小微配套企业")
    page = phone_as(world.street_a_staff)
    page.goto(f"{live_server.url}/alliances/")
    page.get_by_role("link", name="＋ 建立联盟").click()
    page.fill("#id_name", "甲街道装备制造产业链党建联盟")
    page.fill("#id_chain", "装备制造")
    page.select_option("#id_region", str(world.street_a.pk))
    page.select_option("#id_lead_kind", "association")
    page.fill("#id_lead_association", "甲街道机械行业协会")
    page.select_option("#id_lead_organization", str(world.org_a.pk))
    page.fill("#id_first_secretary", "王立新")
    page.fill("#id_secretary_general", "孙丽")
    shot(page, "alliance-01-create")
    page.get_by_role("button", name="建立").click()
    page.wait_for_selector("text=联盟已建立")
    alliance = Alliance.objects.get()
    assert alliance.region == world.street_a and alliance.lead_organization == world.org_a

    page.get_by_text("＋ 加入成员").click()
    page.select_option("#member_enterprise", str(small.pk))
    page.locator("[data-testid=member-form]").get_by_role("button", name="加入").click()
    page.wait_for_selector("text=成员已加入")
    assert AllianceMember.objects.get().enterprise == small
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page = phone_as(world.secretary_a)
    page.goto(f"{live_server.url}/alliances/{alliance.pk}/")
    page.get_by_text("＋ 登记问题").click()
    page.select_option("#problem_enterprise", str(small.pk))
    page.fill("#problem_title", "技术工人招聘难")
    page.select_option("#problem_category", "labour")
    page.locator("[data-testid=problem-form]").get_by_role("button", name="登记").click()
    page.wait_for_selector("text=问题已登记")
    problem = AllianceProblem.objects.get()
    assert problem.resolved_on is None
    shot(page, "alliance-02-problem-open")

    page.locator("[data-testid=alliance-problems] summary", has_text="化解").first.click()
    page.fill("[data-testid=resolve-form] textarea[name=resolution]", "联盟对接人社局专场招聘会")
    page.get_by_role("button", name="确认化解").click()
    page.wait_for_selector("text=问题已化解")
    problem.refresh_from_db()
    assert problem.resolved_on is not None and problem.resolution == "联盟对接人社局专场招聘会"
    assert "100.0%" in page.inner_text("[data-testid=alliance-resolution]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "alliance-03-problem-resolved")
