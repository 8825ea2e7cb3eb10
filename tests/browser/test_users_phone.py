"""The users and instructor assignment pages on a 390-px phone: nothing
makes the page scroll sideways, the menu's words do not wrap."""

from datetime import date

import pytest

from orgs.models import InstructorAssignment, InstructorVisit

from .conftest import shot
from .test_phone_layouts import _problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_pages_for_users_and_instructors_fit_a_phone(world, phone_as, live_server):
    world.instructor.display_name = "党建指导员欧阳明华"
    world.instructor.save(update_fields=["display_name"])
    assignment = InstructorAssignment.objects.create(
        enterprise=world.enterprise_a, instructor=world.instructor, start_on=date(2026, 1, 1)
    )
    InstructorVisit.objects.create(
        assignment=assignment, visited_on=date(2026, 2, 1), summary="宣讲政策" * 20, created_by=world.instructor
    )
    page = phone_as(world.district)
    paths = [
        "/orgs/users/",
        "/orgs/users/new/",
        f"/orgs/users/{world.secretary_a.pk}/",
        f"/orgs/users/{world.instructor.pk}/",
        "/orgs/assignments/",
        "/security/password/",
    ]
    problems = []
    for number, path in enumerate(paths):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        shot(page, f"phone-users-{number:02d}")
        problems.extend(_problems(page, path))
    assert not problems, "\n".join(problems)
