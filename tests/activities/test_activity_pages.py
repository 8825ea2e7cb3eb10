"""Filing, reviewing and locking activity records through the pages."""

import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.models import Activity, Attachment
from tests.factories import MemberFactory
from tests.helpers.records import activity_form

from .conftest import make_photo


@pytest.fixture
def absent_member(world):
    return MemberFactory(organization=world.org_a, name="王缺")


def test_secretary_files_meeting_with_attendance_and_photo(world, login, absent_member):
    client = login(world.secretary_a)
    assert client.get(reverse("activities:create")).status_code == 200
    photo = SimpleUploadedFile("现场.jpg", make_photo(), content_type="image/jpeg")
    data = activity_form(world, **{f"reason_{absent_member.pk}": "出差"}, files=[photo])
    response = client.post(reverse("activities:create"), data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert (activity.due_count, activity.attended_count, activity.absent_count) == (2, 1, 1)
    assert activity.status == Activity.Status.SUBMITTED and activity.submitted_at
    attachment = activity.attachments.get()
    assert attachment.kind == Attachment.Kind.IMAGE
    with Image.open(attachment.file.open("rb")) as stored:
        assert max(stored.size) == 1600
    assert LogEntry.objects.filter(changes__icontains="activity_submitted").exists()
    assert client.get(reverse("activities:attachment", args=[activity.pk, attachment.pk])).status_code == 200


def test_outsider_gets_404_everywhere(world, login):
    activity = Activity.objects.create(
        organization=world.org_a, activity_type="theme_day", held_on="2026-01-05", topic="甲"
    )
    client = login(world.secretary_b)
    for name in ("activities:detail", "activities:edit"):
        assert client.get(reverse(name, args=[activity.pk])).status_code == 404
    for name in ("activities:submit", "activities:approve", "activities:return"):
        assert client.post(reverse(name, args=[activity.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("activities:create"), {"organization": world.org_a.pk}).status_code == 404
    assert "甲" not in client.get(reverse("activities:list")).content.decode().split("组织生活纪实")[1]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.DRAFT


def test_future_date_is_refused(world, login):
    client = login(world.secretary_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("activities:create"), activity_form(world, held_on=tomorrow))
    assert response.status_code == 200
    assert "活动日期不能晚于今天" in response.content.decode()
    assert not Activity.objects.exists()


def test_absence_without_reason_is_refused(world, login, absent_member):
    response = login(world.secretary_a).post(reverse("activities:create"), activity_form(world))
    assert "请填写缺席原因：王缺" in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.jpg", b"MZ\x90\x00 this is a program", "不是照片或PDF文件"),
        ("a.pdf", b"<html>not a pdf</html>", "不是照片或PDF文件"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * 2048, "超过大小限制"),
    ],
)
def test_wrong_type_or_oversized_file_is_refused(world, login, settings, name, content, message):
    settings.ACTIVITY_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = login(world.secretary_a).post(reverse("activities:create"), activity_form(world, files=[upload]))
    assert message in response.content.decode()
    assert not Activity.objects.exists() and not Attachment.objects.exists()


def test_pdf_is_accepted_by_content(world, login):
    upload = SimpleUploadedFile("纪要.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/octet-stream")
    login(world.secretary_a).post(reverse("activities:create"), activity_form(world, files=[upload]))
    assert Activity.objects.get().attachments.get().kind == Attachment.Kind.PDF


def test_png_with_transparency_is_stored_as_jpeg(world, login):
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(out, format="PNG")
    upload = SimpleUploadedFile("t.png", out.getvalue(), content_type="image/png")
    login(world.secretary_a).post(reverse("activities:create"), activity_form(world, files=[upload]))
    with Image.open(Activity.objects.get().attachments.get().file.open("rb")) as stored:
        assert stored.format == "JPEG"


@pytest.fixture
def submitted(world, login):
    login(world.secretary_a).post(reverse("activities:create"), activity_form(world))
    return Activity.objects.get()


def test_street_approves_then_record_is_locked(world, login, client, submitted):
    login(world.street_a_staff)
    assert client.get(reverse("activities:review_queue")).status_code == 200
    client.post(reverse("activities:approve", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.status == Activity.Status.APPROVED and submitted.reviewed_by == world.street_a_staff
    # A second approval is refused with a message and changes nothing.
    reviewed_at = submitted.reviewed_at
    response = client.post(reverse("activities:approve", args=[submitted.pk]), follow=True)
    assert "已审核通过，无需重复审核" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.reviewed_at == reviewed_at
    # The secretary can no longer edit it.
    login(world.secretary_a)
    response = client.post(
        reverse("activities:edit", args=[submitted.pk]), activity_form(world, topic="改"), follow=True
    )
    assert "已审核通过并锁定" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.topic == "学习党章"


def test_return_needs_a_reason(world, login, client, submitted):
    login(world.street_a_staff)
    response = client.post(reverse("activities:return", args=[submitted.pk]), {"reason": "  "}, follow=True)
    assert "退回时必须填写退回理由" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Activity.Status.SUBMITTED
    client.post(reverse("activities:return", args=[submitted.pk]), {"reason": "缺少照片"})
    submitted.refresh_from_db()
    assert submitted.status == Activity.Status.RETURNED and submitted.return_reason == "缺少照片"
    # Returned: the secretary edits and resubmits.
    login(world.secretary_a)
    client.post(reverse("activities:edit", args=[submitted.pk]), activity_form(world, topic="学习党章（补充）"))
    submitted.refresh_from_db()
    assert submitted.status == Activity.Status.SUBMITTED and submitted.topic == "学习党章（补充）"


def test_secretary_cannot_approve_own_record(world, login, client, submitted):
    response = login(world.secretary_a).post(reverse("activities:approve", args=[submitted.pk]), follow=True)
    assert "只有街道或区两新工委工作人员可以审核" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Activity.Status.SUBMITTED


def test_other_street_staff_gets_404_and_empty_queue(world, login, submitted):
    from tests.factories import UserFactory, grant

    other = grant(UserFactory(), "street", region=world.street_b)
    client = login(other)
    assert client.post(reverse("activities:approve", args=[submitted.pk])).status_code == 404
    assert "学习党章" not in client.get(reverse("activities:review_queue")).content.decode()


def test_bulk_approval(world, login, client, submitted):
    second = Activity.objects.create(
        organization=world.org_a, activity_type="party_lecture", held_on="2026-01-05", topic="党课", status="submitted"
    )
    login(world.street_a_staff)
    response = client.post(reverse("activities:review_queue"), {"pick": [submitted.pk, second.pk]}, follow=True)
    assert "已批量审核通过 2 条记录" in response.content.decode()
    assert set(Activity.objects.values_list("status", flat=True)) == {"approved"}


def test_secretary_has_no_review_queue(world, login):
    assert login(world.secretary_a).get(reverse("activities:review_queue")).status_code == 404


def test_review_queue_does_not_grow_with_records(world, login, django_assert_max_num_queries):
    for n in range(30):
        Activity.objects.create(
            organization=world.org_a,
            activity_type="theme_day",
            held_on="2026-01-05",
            topic=f"记录{n}",
            status="submitted",
        )
    client = login(world.street_a_staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("activities:review_queue")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("activities:list")).status_code == 200


def test_leader_sees_records_but_cannot_change_them(world, login, submitted):
    client = login(world.leader)
    assert client.get(reverse("activities:detail", args=[submitted.pk])).status_code == 200
    assert client.post(reverse("activities:approve", args=[submitted.pk])).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Activity.Status.SUBMITTED


def test_attendance_picker_is_scoped(world, login):
    client = login(world.secretary_a)
    body = client.get(reverse("activities:attendance_picker"), {"organization": world.org_a.pk}).content.decode()
    assert "张甲" in body
    response = client.get(reverse("activities:attendance_picker"), {"organization": world.org_b.pk})
    assert response.status_code == 404 and "李乙" not in response.content.decode()


def test_attendance_from_another_organization_is_refused(world, login):
    from activities.services import AttendancePick, activity_create
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        activity_create(
            organization=world.org_a,
            by=world.secretary_a,
            attendance=[AttendancePick(member_id=world.member_b.pk, attended=True)],
            activity_type="theme_day",
            held_on=timezone.localdate(),
            topic="x",
        )
    assert "不属于本党组织" in str(exc.value)
    assert not Activity.objects.exists()


def test_queue_filters_by_organization_name_and_street(world, login):
    Activity.objects.create(
        organization=world.org_a, activity_type="theme_day", held_on="2026-01-05", topic="甲记录", status="submitted"
    )
    Activity.objects.create(
        organization=world.org_b, activity_type="theme_day", held_on="2026-01-05", topic="乙记录", status="submitted"
    )
    client = login(world.district)
    body = client.get(reverse("activities:review_queue"), {"q": "甲企业"}).content.decode()
    assert "甲记录" in body and "乙记录" not in body
    body = client.get(reverse("activities:list"), {"street": world.street_b.pk}).content.decode()
    assert "乙记录" in body and "甲记录" not in body
    body = client.get(reverse("activities:list"), {"street": "abc", "date_from": "not-a-date"}).content.decode()
    assert "乙记录" in body and "甲记录" in body


def test_attachment_delete_for_the_editor_only_and_the_file_goes_on_commit(
    world, login, django_capture_on_commit_callbacks
):
    secretary = login(world.secretary_a)
    photo = SimpleUploadedFile("现场.jpg", make_photo(800, 600), content_type="image/jpeg")
    secretary.post(reverse("activities:create"), activity_form(world, action="draft", files=[photo]))
    activity = Activity.objects.get()
    attachment = activity.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    url = reverse("activities:attachment_delete", args=[activity.pk, attachment.pk])

    assert login(world.secretary_b).post(url).status_code == 404
    assert activity.attachments.exists() and storage.exists(name)

    secretary = login(world.secretary_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = secretary.post(url)
        assert response.status_code == 302
        assert not activity.attachments.exists()
        assert storage.exists(name)  # a rolled-back delete must not leave a row without its file
    for callback in callbacks:
        callback()
    assert not storage.exists(name)


def test_attachment_of_a_submitted_record_is_not_deleted(world, login):
    secretary = login(world.secretary_a)
    photo = SimpleUploadedFile("现场.jpg", make_photo(800, 600), content_type="image/jpeg")
    secretary.post(reverse("activities:create"), activity_form(world, files=[photo]))
    activity = Activity.objects.get()
    attachment = activity.attachments.get()
    url = reverse("activities:attachment_delete", args=[activity.pk, attachment.pk])
    page = secretary.post(url, follow=True).content.decode()
    assert "审核结果出来前不能修改" in page
    assert activity.attachments.exists() and attachment.file.storage.exists(attachment.file.name)
