"""Who writes a record and who reviews it: only the organization's own (or
parent organization's) secretary files, corrects and submits; staff review
and are refused the edit page; every line of the history names its person;
the review queue waits longest-first and flags records over 7 days."""

import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from activities.backfill import backfill_steps
from activities.models import Activity, ActivityStep
from activities.services import activity_create, activity_return, activity_submit
from tests.factories import OrganizationFactory, UserFactory, grant
from tests.helpers.records import activity_form, make_activity

# The day the records these tests file are held on, as is the `returned` record.
HELD_ON = "2026-03-02"


@pytest.fixture
def returned(world):
    """Filed and submitted by the secretary, returned by the street."""
    activity = activity_create(
        organization=world.org_a, by=world.secretary_a, attendance=[], activity_type="theme_day",
        held_on=date(2026, 3, 2), topic="学习党章",
    )  # fmt: skip
    activity_submit(activity=activity, by=world.secretary_a)
    return activity_return(activity=activity, by=world.street_a_staff, reason="缺少照片")


def test_street_staff_are_refused_the_edit_page_of_a_returned_record(world, login, returned):
    client = login(world.street_a_staff)
    assert client.get(reverse("activities:edit", args=[returned.pk])).status_code == 403
    response = client.post(
        reverse("activities:edit", args=[returned.pk]), activity_form(world, held_on=HELD_ON, topic="街道改的")
    )
    assert response.status_code == 403
    client.post(reverse("activities:submit", args=[returned.pk]))
    returned.refresh_from_db()
    assert (returned.topic, returned.status) == ("学习党章", Activity.Status.RETURNED)
    assert not returned.steps.filter(by=world.street_a_staff).exclude(action="returned").exists()
    # The page offers them no edit or submit button either.
    page = client.get(reverse("activities:detail", args=[returned.pk])).content.decode()
    assert reverse("activities:edit", args=[returned.pk]) not in page
    assert reverse("activities:submit", args=[returned.pk]) not in page


@pytest.mark.parametrize("role", ["street_a_staff", "district"])
def test_staff_file_edit_and_submit_nothing_through_the_api(world, api, returned, role):
    client = api(getattr(world, role))
    response = client.patch(f"/api/v1/activities/{returned.pk}/", {"topic": "街道改的"}, format="json")
    assert response.status_code in (400, 403)
    assert "书记" in str(response.json())
    assert client.post(f"/api/v1/activities/{returned.pk}/submit/").status_code in (400, 403)
    response = client.post(
        "/api/v1/activities/",
        {"organization": world.org_a.pk, "type": "theme_day", "held_on": "2026-03-03", "topic": "街道填的"},
        format="json",
    )
    assert response.status_code == 400 and "organization" in response.json()
    returned.refresh_from_db()
    assert (returned.topic, returned.status) == ("学习党章", Activity.Status.RETURNED)
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("role", ["street_a_staff", "district"])
def test_staff_have_no_filing_page(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse("activities:create")).status_code == 404
    assert client.get(reverse("activities:create"), {"organization": world.org_a.pk}).status_code == 403
    assert client.post(reverse("activities:create"), activity_form(world, held_on=HELD_ON)).status_code == 403
    assert client.get(reverse("activities:attendance_picker"), {"organization": world.org_a.pk}).status_code == 403
    assert not Activity.objects.exists()


def test_the_parent_organizations_secretary_files_for_a_sub_organization(world, login):
    branch = OrganizationFactory(street=world.street_a, parent=world.org_a, name="中共甲企业第一支部")
    client = login(world.secretary_a)
    response = client.post(
        reverse("activities:create"), activity_form(world, held_on=HELD_ON, organization=branch.pk, present=[])
    )
    assert response.status_code == 302
    activity = Activity.objects.get(organization=branch)
    assert (activity.status, activity.submitted_by) == (Activity.Status.SUBMITTED, world.secretary_a)
    # The other organization's secretary reaches neither.
    response = login(world.secretary_b).get(reverse("activities:edit", args=[activity.pk]))
    assert response.status_code == 404


def _timeline(page: str) -> list[str]:
    section = page.split('class="plain timeline"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", line).split() for line in re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)]


def test_every_history_line_names_its_person(world, login, client):
    deputy = grant(UserFactory(username="deputy", display_name="王副书记"), "secretary", organization=world.org_a)
    login(world.secretary_a).post(reverse("activities:create"), activity_form(world, held_on=HELD_ON))
    activity = Activity.objects.get()
    login(world.street_a_staff).post(reverse("activities:return", args=[activity.pk]), {"reason": "缺少照片"})
    login(deputy).post(
        reverse("activities:edit", args=[activity.pk]), activity_form(world, held_on=HELD_ON, topic="学习党章（补）")
    )
    login(world.street_a_staff).post(reverse("activities:approve", args=[activity.pk]))
    activity.refresh_from_db()
    assert (activity.status, activity.submitted_by) == (Activity.Status.APPROVED, deputy)
    lines = _timeline(client.get(reverse("activities:detail", args=[activity.pk])).content.decode())
    who = [str(world.secretary_a), str(world.secretary_a), str(world.street_a_staff), str(deputy), str(deputy)]
    who.append(str(world.street_a_staff))
    assert [line[2:4] for line in lines] == [
        ["填报", who[0]],
        ["提交", who[1]],
        ["退回", who[2]],
        ["修改", who[3]],
        ["提交", who[4]],
        ["审核通过", who[5]],
    ]
    assert "缺少照片" in lines[2]


def test_the_queue_waits_longest_first_and_flags_a_week(world, login):
    now = timezone.now()
    specs = [("三天前", 3), ("十天前", 10), ("未记录", None), ("二十天前", 20), ("一小时前", 0)]
    for n, (topic, days) in enumerate(specs):
        make_activity(
            world.org_a,
            n,
            topic=topic,
            status=Activity.Status.SUBMITTED,
            submitted_at=None if days is None else now - timedelta(days=days, hours=1),
            submitted_by=world.secretary_a,
        )
    page = login(world.street_a_staff).get(reverse("activities:review_queue")).content.decode()
    items = re.findall(r'<li class="card item" id="queue-\d+">(.*?)</li>', page, re.S)
    order = [re.search(r"<strong>(.*?)</strong>", item).group(1) for item in items]
    assert order == ["未记录", "二十天前", "十天前", "三天前", "一小时前"]
    flagged = [topic for topic, item in zip(order, items, strict=True) if "超过7天未审核" in item]
    assert flagged == ["二十天前", "十天前"]
    assert all(str(world.secretary_a) in item for topic, item in zip(order, items, strict=True) if topic != "未记录")
    assert "2 条记录提交超过 7 天仍未审核" in page


def test_the_history_of_older_records_is_rebuilt_from_the_audit_trail(world, returned):
    deputy = grant(UserFactory(username="deputy"), "secretary", organization=world.org_a)
    activity_submit(activity=returned, by=deputy)
    # As the records stood before their history was kept.
    ActivityStep.objects.all().delete()
    Activity.objects.filter(pk=returned.pk).update(submitted_by=None)
    written = backfill_steps(
        activity_model=Activity, step_model=ActivityStep, log_model=LogEntry, content_type_model=ContentType
    )
    returned.refresh_from_db()
    steps = list(returned.steps.values_list("action", "by", "note"))
    assert written == 4
    assert steps == [
        ("created", world.secretary_a.pk, ""),
        ("submitted", world.secretary_a.pk, ""),
        ("returned", world.street_a_staff.pk, "缺少照片"),
        ("submitted", deputy.pk, ""),
    ]
    assert returned.submitted_by == deputy
    # Run twice, written once.
    assert (
        backfill_steps(
            activity_model=Activity, step_model=ActivityStep, log_model=LogEntry, content_type_model=ContentType
        )
        == 0
    )
