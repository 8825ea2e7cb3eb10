"""Instructors log visits to their assigned enterprises, and only to those."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from orgs.models import InstructorAssignment, InstructorVisit


def _assignment(world, instructor=None, enterprise=None):
    return InstructorAssignment.objects.create(
        instructor=instructor or world.instructor,
        enterprise=enterprise or world.enterprise_a,
        start_on=date(2025, 1, 1),
    )


def test_instructor_logs_a_visit(world, login):
    assignment = _assignment(world)
    client = login(world.instructor)
    assert "甲企业有限公司" in client.get(reverse("home")).content.decode()
    response = client.post(
        reverse("orgs:visit_list"),
        {"assignment": assignment.pk, "visited_on": timezone.localdate().isoformat(), "summary": "指导建立党组织"},
    )
    assert response.status_code == 302
    assert InstructorVisit.objects.get().created_by == world.instructor
    assert "指导建立党组织" in client.get(reverse("orgs:visit_list")).content.decode()


def test_future_visit_and_empty_summary_are_refused(world, login):
    assignment = _assignment(world)
    client = login(world.instructor)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = client.post(
        reverse("orgs:visit_list"), {"assignment": assignment.pk, "visited_on": tomorrow, "summary": "x"}
    ).content.decode()
    assert "走访日期不能晚于今天" in body
    assert not InstructorVisit.objects.exists()


def test_instructor_cannot_log_for_someone_elses_enterprise(world, login):
    from tests.factories import UserFactory, grant

    other = grant(UserFactory(), "instructor")
    assignment = _assignment(world, instructor=other, enterprise=world.enterprise_b)
    _assignment(world)
    client = login(world.instructor)
    assert "乙企业有限公司" not in client.get(reverse("orgs:visit_list")).content.decode()
    response = client.post(
        reverse("orgs:visit_list"),
        {"assignment": assignment.pk, "visited_on": timezone.localdate().isoformat(), "summary": "x"},
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not InstructorVisit.objects.exists()


def test_home_panels(world, login):
    from activities.models import Activity

    Activity.objects.create(
        organization=world.org_a, activity_type="theme_day", held_on="2026-01-05", topic="甲草稿", status="draft"
    )
    Activity.objects.create(
        organization=world.org_a, activity_type="theme_day", held_on="2026-01-06", topic="甲待审", status="submitted"
    )
    body = login(world.secretary_a).get(reverse("home")).content.decode()
    assert "甲草稿" in body and "入党积极分子" in body
    body = login(world.street_a_staff).get(reverse("home")).content.decode()
    assert "组织生活待审核" in body
    body = login(world.secretary_b).get(reverse("home")).content.decode()
    assert "甲草稿" not in body
