"""Staff assign instructors to enterprises and end assignments on a page:
district staff anywhere, street staff in their street; others get 404 and
nothing is written; bad dates are named."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from orgs.models import InstructorAssignment, InstructorVisit

URL = "orgs:assignment_list"


def _data(world, **over):
    data = {
        "enterprise": world.enterprise_a.credit_code,
        "instructor": world.instructor.pk,
        "start_on": "2026-01-05",
        "end_on": "",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_staff_assign_an_instructor(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse(URL)).status_code == 200
    response = client.post(reverse(URL), _data(world))
    assert response.status_code == 302
    assignment = InstructorAssignment.objects.get()
    assert (assignment.enterprise, assignment.instructor, assignment.start_on) == (
        world.enterprise_a,
        world.instructor,
        date(2026, 1, 5),
    )
    assert LogEntry.objects.filter(additional_data__event="instructor_assigned", object_pk=str(assignment.pk))
    # The instructor now reaches the enterprise.
    page = login(world.instructor).get(reverse("orgs:visit_list")).content.decode()
    assert world.enterprise_a.name in page


def test_the_enterprise_may_be_named_by_its_full_name(world, login):
    login(world.district).post(reverse(URL), _data(world, enterprise=world.enterprise_b.name))
    assert InstructorAssignment.objects.get().enterprise == world.enterprise_b


def test_street_staff_may_not_assign_outside_their_street(world, login):
    response = login(world.street_a_staff).post(reverse(URL), _data(world, enterprise=world.enterprise_b.credit_code))
    assert response.status_code == 200
    assert "找不到" in response.content.decode()
    assert not InstructorAssignment.objects.exists()


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"end_on": "2025-12-31"}, "结束日期：不能早于开始日期"),
        ({"instructor": "secretary"}, "指导员"),
        ({"enterprise": "不存在的公司"}, "企业："),
        ({"start_on": "2026-13-01"}, "开始日期"),
    ],
)
def test_bad_input_is_named_and_nothing_written(world, login, over, words):
    if over.get("instructor") == "secretary":
        over = {"instructor": world.secretary_a.pk}
    response = login(world.district).post(reverse(URL), _data(world, **over))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not InstructorAssignment.objects.exists()


def test_overlapping_assignment_is_refused(world, login):
    client = login(world.district)
    client.post(reverse(URL), _data(world))
    response = client.post(reverse(URL), _data(world, start_on="2026-03-01"))
    assert "已选派到这家企业" in response.content.decode()
    assert InstructorAssignment.objects.count() == 1


@pytest.mark.parametrize("role", ["secretary_a", "secretary_b", "instructor", "leader"])
def test_others_get_404_and_write_nothing(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse(URL)).status_code == 404
    assert client.post(reverse(URL), _data(world)).status_code == 404
    assert not InstructorAssignment.objects.exists()


def test_district_ends_an_assignment(world, login):
    assignment = InstructorAssignment.objects.create(
        enterprise=world.enterprise_a, instructor=world.instructor, start_on=date(2026, 1, 1)
    )
    InstructorVisit.objects.create(
        assignment=assignment, visited_on=date(2026, 2, 1), summary="走访", created_by=world.instructor
    )
    client = login(world.district)
    client.post(reverse("orgs:assignment_end", args=[assignment.pk]), {"end_on": "2026-01-20"})
    assignment.refresh_from_db()
    assert assignment.end_on is None  # before the last visit: refused
    client.post(reverse("orgs:assignment_end", args=[assignment.pk]), {"end_on": "2026-02-10"})
    assignment.refresh_from_db()
    assert assignment.end_on == date(2026, 2, 10)
    assert LogEntry.objects.filter(additional_data__event="instructor_assignment_ended", object_pk=str(assignment.pk))


@pytest.mark.parametrize("role", ["street_a_staff", "secretary_a", "instructor"])
def test_ending_an_assignment_outside_reach_is_404(world, login, role):
    assignment = (
        InstructorAssignment.objects.create(
            enterprise=world.enterprise_b, instructor=world.instructor, start_on=date(2026, 1, 1)
        )
        if role != "instructor"
        else InstructorAssignment.objects.create(enterprise=world.enterprise_b, start_on=date(2026, 1, 1))
    )
    response = login(getattr(world, role)).post(
        reverse("orgs:assignment_end", args=[assignment.pk]), {"end_on": "2026-02-10"}
    )
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.end_on is None


def test_instructor_may_not_end_their_own_assignment(world, login):
    assignment = InstructorAssignment.objects.create(
        enterprise=world.enterprise_a, instructor=world.instructor, start_on=date(2026, 1, 1)
    )
    response = login(world.instructor).post(
        reverse("orgs:assignment_end", args=[assignment.pk]), {"end_on": "2026-02-10"}
    )
    assert response.status_code in (302, 403)
    assignment.refresh_from_db()
    assert assignment.end_on is None


def test_district_follows_an_assignment_to_the_instructors_work(world, login):
    InstructorAssignment.objects.create(
        enterprise=world.enterprise_a, instructor=world.instructor, start_on=date(2026, 1, 1)
    )
    detail = reverse("orgs:user_detail", args=[world.instructor.pk])
    assert detail in login(world.district).get(reverse(URL)).content.decode()
    # Street staff see the assignment, not the account page.
    assert detail not in login(world.street_a_staff).get(reverse(URL)).content.decode()
