"""The demand library's main path on a phone: street staff set a B project
up, the secretary records a member's claim, district staff check it, street
staff complete it with the proposer's satisfaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demands.models import DemandProject

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_set_up_claim_check_complete(world, phone_as, live_server):
    target = (timezone.localdate() + timedelta(days=90)).isoformat()

    page = phone_as(world.street_a_staff)
    page.goto(f"{live_server.url}/demands/")
    page.get_by_test_id("demand-new").click()
    page.select_option("#id_level", "B")
    page.select_option("#id_street", str(world.street_a.pk))
    page.fill("#id_title", "园区职工子女暑期托管")
    page.fill("#id_description", "职工座谈中提出，暑期孩子无人照看。")
    page.select_option("#id_proposer_kind", "employee")
    page.select_option("#id_collected_by", "forum")
    page.fill("#id_target_date", target)
    page.get_by_role("button", name="建单").click()
    page.wait_for_selector("text=需求项目已建单")
    project = DemandProject.objects.get()
    assert (project.level, project.street, project.state) == ("B", world.street_a, "open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page = phone_as(world.secretary_a)
    page.goto(f"{live_server.url}/demands/{project.pk}/")
    page.get_by_test_id("open-claim").click()
    page.get_by_label("张甲", exact=False).check()
    shot(page, "demand-01-claim-form")
    page.get_by_role("button", name="登记认领").click()
    page.wait_for_selector("text=已登记认领")
    assert "张甲" in page.get_by_test_id("claims").inner_text()
    assert page.get_by_test_id("open-check").count() == 0  # a secretary does not check

    page = phone_as(world.district)
    page.goto(f"{live_server.url}/demands/{project.pk}/")
    page.get_by_test_id("open-check").click()
    page.fill("#id_finding", "走访园区，托管班已开班，家长反映良好。")
    page.get_by_role("button", name="记录检查").click()
    page.wait_for_selector("text=已记录跟单检查")
    assert "季度跟单" in page.get_by_test_id("checks").inner_text()

    page = phone_as(world.street_a_staff)
    page.goto(f"{live_server.url}/demands/{project.pk}/")
    page.get_by_test_id("open-complete").click()
    page.get_by_label("4 满意").check()
    shot(page, "demand-02-complete-form")
    page.get_by_role("button", name="完成", exact=True).click()
    page.wait_for_selector("text=项目已完成，满意度已记录")
    assert page.get_by_test_id("satisfaction").inner_text().startswith("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "demand-03-completed")
    project.refresh_from_db()
    assert (project.state, project.satisfaction, project.claims.count(), project.checks.count()) == (
        "completed",
        4,
        1,
        1,
    )
