"""Nobody approves their own money or their own record (filed, corrected
or submitted), and nobody approves an application twice, whatever grants
they hold; leaders, who only read, cannot hold money up with an objection."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from activities import services as activity_services
from activities.models import Activity
from funds import services
from funds.models import Application, Objection
from orgs.models import Role
from tests.factories import UserFactory, grant
from tests.helpers.funds import file_project, open_accounts, through_publicity
from tests.helpers.records import make_activity


@pytest.fixture
def everything(world):
    """One person holding the secretary's, the street's and the district's grants."""
    user = UserFactory(username="all_hats")
    grant(user, Role.SECRETARY, organization=world.org_a)
    grant(user, Role.STREET, region=world.street_a)
    grant(user, Role.DISTRICT)
    return user


def test_who_filed_approves_at_no_level(world, everything):
    open_accounts(world)
    app = file_project(world, "300.00", by=everything)
    with pytest.raises(ValidationError, match="不能审批本人提交的申请"):
        services.application_approve(application=app, by=everything, level="street")
    services.application_approve(application=app, by=world.street_a_staff, level="street")
    with pytest.raises(ValidationError, match="不能审批本人提交的申请"):
        services.application_approve(application=app, by=everything, level="district")
    app.refresh_from_db()
    assert app.status == Application.Status.DISTRICT_REVIEW


def test_who_approved_at_street_level_does_not_approve_at_district_level(world):
    street_and_district = grant(
        grant(UserFactory(username="two_hats"), Role.STREET, region=world.street_a), Role.DISTRICT
    )
    open_accounts(world)
    app = file_project(world, "300.00")
    services.application_approve(application=app, by=street_and_district, level="street")
    with pytest.raises(ValidationError, match="已做街道审批的人员不能再做区级审批"):
        services.application_approve(application=app, by=street_and_district, level="district")
    services.application_approve(application=app, by=world.district, level="district", publicity_days=5)
    app.refresh_from_db()
    assert app.status == Application.Status.PUBLICITY


def test_a_resubmitter_is_a_filer_too(world):
    """Whoever corrected and resubmitted the project filed it as much as the first filer."""
    second_secretary = grant(UserFactory(username="deputy"), Role.SECRETARY, organization=world.org_a)
    grant(second_secretary, Role.STREET, region=world.street_a)
    open_accounts(world)
    app = file_project(world, "300.00")
    services.application_return(application=app, by=world.street_a_staff, level="street", reason="预算不清")
    services.application_resubmit(
        application=app,
        by=second_secretary,
        activity=app.activity,
        activity_date=app.activity_date,
        participants=app.participants,
        budget_lines=[{"item": "场地", "amount": "300.00", "note": ""}],
        amount="300.00",
    )
    with pytest.raises(ValidationError, match="不能审批本人提交的申请"):
        services.application_approve(application=app, by=second_secretary, level="street")


def test_the_approve_button_is_not_offered_to_the_filer(world, everything, client):
    open_accounts(world)
    app = file_project(world, "300.00", by=everything)
    client.force_login(everything)
    page = client.get(reverse("funds:application_detail", args=[app.pk])).content.decode()
    assert reverse("funds:application_approve", args=[app.pk, "street"]) not in page
    client.force_login(world.street_a_staff)
    page = client.get(reverse("funds:application_detail", args=[app.pk])).content.decode()
    assert reverse("funds:application_approve", args=[app.pk, "street"]) in page


def test_the_api_refuses_the_filer_too(world, everything):
    open_accounts(world)
    app = file_project(world, "300.00", by=everything)
    api = APIClient()
    api.force_authenticate(everything)
    response = api.post(f"/api/v1/fund-applications/{app.pk}/street-approve/", {}, format="json")
    assert response.status_code == 400 and "不能审批本人提交的申请" in str(response.json())
    app.refresh_from_db()
    assert app.status == Application.Status.STREET_REVIEW


def test_who_filed_a_record_does_not_approve_it(world):
    secretary_and_street = grant(
        grant(UserFactory(username="sec_street"), Role.SECRETARY, organization=world.org_a),
        Role.STREET,
        region=world.street_a,
    )
    activity = make_activity(
        world.org_a, 1, status=Activity.Status.SUBMITTED, held_on=date(2026, 3, 2), created_by=secretary_and_street
    )
    with pytest.raises(ValidationError, match="不能审核本人填报、修改或提交的记录"):
        activity_services.activity_approve(activity=activity, by=secretary_and_street)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.SUBMITTED
    activity_services.activity_approve(activity=activity, by=world.street_a_staff)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED


def test_a_leader_cannot_hold_money_up_with_an_objection(world):
    open_accounts(world)
    app = through_publicity(world, file_project(world, "300.00"), on=date(2026, 5, 1))
    with pytest.raises(ValidationError, match="只有管辖范围内的工作人员可以提出异议"):
        services.objection_raise(application=app, by=world.leader, text="我有意见", on=date(2026, 5, 2))
    api = APIClient()
    api.force_authenticate(world.leader)
    response = api.post(f"/api/v1/fund-applications/{app.pk}/object/", {"text": "我有意见"}, format="json")
    assert response.status_code in (400, 403)
    assert not Objection.objects.exists()


@pytest.fixture
def filed(world):
    """A draft the organization's secretary filed."""
    return activity_services.activity_create(
        organization=world.org_a, by=world.secretary_a, attendance=[], activity_type="theme_day",
        held_on=date(2026, 3, 2), topic="学习党章",
    )  # fmt: skip


def _deputy(world):
    """A second secretary of the organization."""
    return grant(UserFactory(username="deputy"), Role.SECRETARY, organization=world.org_a)


def test_who_edited_a_record_does_not_approve_it(world, filed, client):
    """The deputy only corrected the record (someone else filed and submitted it)."""
    deputy = grant(_deputy(world), Role.STREET, region=world.street_a)
    activity_services.activity_update(activity=filed, by=deputy, attendance=[], topic="学习党章（补）")
    activity_services.activity_submit(activity=filed, by=world.secretary_a)
    with pytest.raises(ValidationError, match="不能审核本人填报、修改或提交的记录"):
        activity_services.activity_approve(activity=filed, by=deputy)
    api = APIClient()
    api.force_authenticate(deputy)
    response = api.post(f"/api/v1/activities/{filed.pk}/approve/")
    assert response.status_code == 400 and "不能审核本人填报、修改或提交的记录" in str(response.json())
    client.force_login(deputy)
    assert (
        reverse("activities:approve", args=[filed.pk])
        not in client.get(reverse("activities:detail", args=[filed.pk])).content.decode()
    )
    response = client.post(reverse("activities:review_queue"), {"pick": [filed.pk]}, follow=True)
    assert "已批量审核通过 0 条记录" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == Activity.Status.SUBMITTED
    client.force_login(world.street_a_staff)
    assert (
        reverse("activities:approve", args=[filed.pk])
        in client.get(reverse("activities:detail", args=[filed.pk])).content.decode()
    )
    activity_services.activity_approve(activity=filed, by=world.street_a_staff)
    filed.refresh_from_db()
    assert (filed.status, filed.reviewed_by) == (Activity.Status.APPROVED, world.street_a_staff)


def test_who_submitted_a_record_approves_it_at_no_level(world, filed, everything):
    """The district's grant does not lift it: who submitted never approves."""
    activity_services.activity_submit(activity=filed, by=everything)
    with pytest.raises(ValidationError, match="不能审核本人填报、修改或提交的记录"):
        activity_services.activity_approve(activity=filed, by=everything)
    filed.refresh_from_db()
    assert (filed.status, filed.submitted_by) == (Activity.Status.SUBMITTED, everything)
    activity_services.activity_approve(activity=filed, by=world.district)
    filed.refresh_from_db()
    assert filed.status == Activity.Status.APPROVED


def test_who_corrected_a_returned_record_does_not_approve_its_resubmission(world, filed):
    """The deputy corrected the returned record and its secretary resubmitted
    it: the correction counts, not only the last hands on the record."""
    deputy = grant(_deputy(world), Role.DISTRICT)
    activity_services.activity_submit(activity=filed, by=world.secretary_a)
    activity_services.activity_return(activity=filed, by=world.street_a_staff, reason="缺少照片")
    activity_services.activity_update(activity=filed, by=deputy, attendance=[], topic="学习党章（补）")
    activity_services.activity_submit(activity=filed, by=world.secretary_a)
    with pytest.raises(ValidationError, match="不能审核本人填报、修改或提交的记录"):
        activity_services.activity_approve(activity=filed, by=deputy)
    activity_services.activity_approve(activity=filed, by=world.street_a_staff)
    filed.refresh_from_db()
    assert filed.status == Activity.Status.APPROVED
