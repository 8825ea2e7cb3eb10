"""/api/v1/activities/ writes: a secretary files and corrects a draft and
submits it, street staff approve or return it with a reason. The outsider
gets 404, bad input a Chinese message with nothing written."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Attendance
from tests.helpers.records import make_activity

URL = "/api/v1/activities/"


def filing(world, **over):
    data = {
        "organization": world.org_a.pk,
        "type": "theme_day",
        "held_on": "2026-03-05",
        "topic": "学习党的二十届三中全会精神",
        "place": "三楼会议室",
        "attendance": [{"member": world.member_a.pk, "attended": True}],
    }
    data.update(over)
    return data


def messages(response) -> str:
    return str(response.json())


def test_secretary_files_a_draft_with_attendance(world, api):
    response = api(world.secretary_a).post(URL, filing(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["status_display"] == "草稿"
    assert body["type_display"] and body["organization_name"] == world.org_a.name
    assert (body["due_count"], body["attended_count"], body["absent_count"]) == (1, 1, 0)
    activity = Activity.objects.get(pk=body["id"])
    assert activity.created_by == world.secretary_a
    assert Attendance.objects.filter(activity=activity, member=world.member_a, attended=True).exists()


def test_outsider_cannot_file_for_another_organization(world, api):
    response = api(world.secretary_b).post(URL, filing(world), format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"held_on": str(timezone.localdate() + timedelta(days=3))}, "活动日期不能晚于今天"),
        ({"attendance": [{"member": 0, "attended": True}]}, "attendance"),
        ("absent", "请填写缺席原因"),
        ("stranger", "不属于本党组织"),
        ({"status": "approved"}, "未知或不可写入的字段"),
        ({"topic": ""}, "topic"),
    ],
)
def test_bad_filing_is_refused_in_chinese_and_writes_nothing(world, api, over, message):
    if over == "absent":
        over = {"attendance": [{"member": world.member_a.pk, "attended": False, "absence_reason": " "}]}
    elif over == "stranger":
        over = {"attendance": [{"member": world.member_b.pk, "attended": True}]}
    response = api(world.secretary_a).post(URL, filing(world, **over), format="json")
    assert response.status_code == 400
    assert message in messages(response)
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_secretary_corrects_a_draft_and_keeps_attendance_on_patch(world, api):
    client = api(world.secretary_a)
    pk = client.post(URL, filing(world), format="json").json()["id"]
    response = client.patch(f"{URL}{pk}/", {"topic": "改后的主题"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["topic"] == "改后的主题"
    assert response.json()["attended_count"] == 1
    absent = [{"member": world.member_a.pk, "attended": False, "absence_reason": "出差"}]
    response = client.put(f"{URL}{pk}/", filing(world, attendance=absent), format="json")
    # The organization is fixed at filing: sending it back is refused, not ignored.
    assert response.status_code == 400 and "未知或不可写入的字段" in messages(response)
    data = filing(world, attendance=absent)
    del data["organization"]
    response = client.put(f"{URL}{pk}/", data, format="json")
    assert response.status_code == 200
    assert response.json()["absent_count"] == 1


def test_update_is_scoped_and_refused_after_submission(world, api):
    activity = make_activity(world.org_a, status="draft")
    assert api(world.secretary_b).patch(f"{URL}{activity.pk}/", {"topic": "x"}, format="json").status_code == 404
    assert api(world.leader).patch(f"{URL}{activity.pk}/", {"topic": "x"}, format="json").status_code == 403
    api(world.secretary_a).post(f"{URL}{activity.pk}/submit/")
    response = api(world.secretary_a).patch(f"{URL}{activity.pk}/", {"topic": "x"}, format="json")
    assert response.status_code == 400 and "不能修改" in messages(response)
    activity.refresh_from_db()
    assert activity.topic != "x"


def test_submit_then_street_approves(world, api):
    activity = make_activity(world.org_a, status="draft")
    assert api(world.secretary_b).post(f"{URL}{activity.pk}/submit/").status_code == 404
    response = api(world.secretary_a).post(f"{URL}{activity.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    again = api(world.secretary_a).post(f"{URL}{activity.pk}/submit/")
    assert again.status_code == 400 and "不能重复提交" in messages(again)
    response = api(world.street_a_staff).post(f"{URL}{activity.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["reviewed_by"] == world.street_a_staff.pk


def test_approval_out_of_turn_or_by_the_filer_is_refused(world, api):
    draft = make_activity(world.org_a, status="draft")
    response = api(world.street_a_staff).post(f"{URL}{draft.pk}/approve/")
    assert response.status_code == 400 and "尚未提交" in messages(response)
    submitted = make_activity(world.org_a, n=1, status="submitted")
    response = api(world.secretary_a).post(f"{URL}{submitted.pk}/approve/")
    assert response.status_code == 400 and "只有街道或区两新工委工作人员" in messages(response)
    assert api(world.secretary_b).post(f"{URL}{submitted.pk}/approve/").status_code == 404
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == ("submitted", "draft")


def test_return_needs_a_reason(world, api):
    activity = make_activity(world.org_a, status="submitted", held_on=date(2026, 3, 1))
    client = api(world.street_a_staff)
    response = client.post(f"{URL}{activity.pk}/return/", {"reason": "  "}, format="json")
    assert response.status_code == 400 and "退回时必须填写退回理由" in messages(response)
    activity.refresh_from_db()
    assert activity.status == "submitted"
    assert api(world.secretary_b).post(f"{URL}{activity.pk}/return/", {"reason": "x"}).status_code == 404
    response = client.post(f"{URL}{activity.pk}/return/", {"reason": "缺少会议记录"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "returned" and response.json()["return_reason"] == "缺少会议记录"


def test_records_are_never_deleted_through_the_api(world, api):
    activity = make_activity(world.org_a, status="draft")
    assert api(world.secretary_a).delete(f"{URL}{activity.pk}/").status_code == 405
    assert Activity.objects.filter(pk=activity.pk).exists()
