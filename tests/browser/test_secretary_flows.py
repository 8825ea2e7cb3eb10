"""A secretary on a phone files a meeting; street staff review it; a member
is transferred between two organizations."""

import io
import time

import pytest
from PIL import Image

from activities.models import Activity
from members.models import Member, Transfer
from tests.factories import MemberFactory

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(tmp_path):
    path = tmp_path / "现场照片.jpg"
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (180, 40, 40)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_secretary_files_a_meeting_with_attendance_and_photo(world, phone_as, live_server, tmp_path):
    absent = MemberFactory(organization=world.org_a, name="王缺席")
    page = phone_as(world.secretary_a)
    started = time.monotonic()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="＋ 填报组织生活").click()
    page.select_option("#id_activity_type", "theme_day")
    page.fill("#id_topic", "主题党日：学习党章")
    page.fill("#id_place", "三楼会议室")
    page.get_by_label("王缺席", exact=False).first.uncheck()
    page.fill(f"input[name=reason_{absent.pk}]", "出差")
    page.set_input_files("#id_files", str(_photo(tmp_path)))
    assert "应到 2 人，实到 1 人，缺席 1 人" in page.inner_text(".att-count")
    shot(page, "01-secretary-activity-form")
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_selector("text=已提交，等待街道审核")
    elapsed = time.monotonic() - started
    shot(page, "02-secretary-activity-submitted")
    activity = Activity.objects.get()
    assert activity.status == Activity.Status.SUBMITTED
    assert (activity.due_count, activity.attended_count, activity.absent_count) == (2, 1, 1)
    assert activity.attachments.count() == 1
    assert page.locator(".thumbs img").evaluate("img => img.naturalWidth") == 1600
    # No horizontal scrolling on a 390-px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert elapsed < 60


def test_street_staff_review_and_approve(world, phone_as, live_server):
    for topic in ("党课：企业发展与党建", "支部党员大会"):
        Activity.objects.create(
            organization=world.org_a,
            activity_type="party_lecture",
            held_on="2026-01-05",
            topic=topic,
            status="submitted",
        )
    page = phone_as(world.street_a_staff)
    page.goto(f"{live_server.url}/activities/review/")
    shot(page, "03-street-review-queue")
    first = Activity.objects.get(topic="党课：企业发展与党建")
    page.locator(f"#queue-{first.pk}").get_by_role("button", name="通过").click()
    page.wait_for_selector(f"#queue-{first.pk} .status-approved")
    first.refresh_from_db()
    assert first.status == Activity.Status.APPROVED
    second = Activity.objects.get(topic="支部党员大会")
    page.goto(f"{live_server.url}/activities/{second.pk}/")
    page.fill("#id_reason", "缺少会议照片")
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_selector("text=已退回")
    shot(page, "04-street-returned")
    second.refresh_from_db()
    assert second.status == Activity.Status.RETURNED and second.return_reason == "缺少会议照片"


def test_transfer_request_and_confirm(world, phone_as, live_server):
    page = phone_as(world.secretary_a)
    page.goto(f"{live_server.url}/members/{world.member_a.pk}/")
    page.get_by_text("组织关系转接").first.click()
    # The receiving organization is found by typing part of its name.
    page.fill("#transfer-search", "乙企业")
    page.locator(f"input[name=to_organization][value='{world.org_b.pk}']").check()
    page.fill("#id_reason", "工作调动")
    shot(page, "05-transfer-request")
    page.get_by_role("button", name="发起转接").click()
    page.wait_for_selector("text=转接申请已发出")
    assert Transfer.objects.get().status == Transfer.Status.REQUESTED
    receiver = phone_as(world.secretary_b)
    receiver.goto(f"{live_server.url}/members/transfers/")
    shot(receiver, "06-transfer-incoming")
    receiver.get_by_role("button", name="确认接收").click()
    receiver.wait_for_selector("text=已确认接收")
    shot(receiver, "07-transfer-confirmed")
    assert Member.objects.get(pk=world.member_a.pk).organization_id == world.org_b.pk


def test_missing_absence_reason_is_explained_and_nothing_written(world, phone_as, live_server):
    MemberFactory(organization=world.org_a, name="王缺席")
    page = phone_as(world.secretary_a)
    page.goto(f"{live_server.url}/activities/new/")
    page.select_option("#id_activity_type", "party_lecture")
    page.fill("#id_topic", "党课")
    page.get_by_label("王缺席", exact=False).first.uncheck()
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_selector("text=请填写缺席原因：王缺席")
    shot(page, "08-secretary-missing-reason")
    assert not Activity.objects.exists()
    # What was typed is still there.
    assert page.input_value("#id_topic") == "党课"
