"""The users pages: district staff manage accounts and roles without the
admin; outsiders get 404; refusals are shown on the form, nothing written;
an account whose password staff set must change it before anything else."""

from io import BytesIO

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Region, Role, RoleGrant, User
from tests.factories import DistrictFactory, StreetFactory, UserFactory, grant

GOOD_PASSWORD = "Qiang-Mima-2026"


def _create_data(world, **over):
    data = {
        "username": "lisi",
        "display_name": "李四",
        "password": GOOD_PASSWORD,
        "role": "secretary",
        "region": "",
        "organization": world.org_a.pk,
    }
    data.update(over)
    return data


def _counts():
    return User.objects.count(), RoleGrant.objects.count()


def test_district_creates_an_account_on_the_page(world, login):
    client = login(world.district)
    assert client.get(reverse("orgs:user_create")).status_code == 200
    response = client.post(reverse("orgs:user_create"), _create_data(world))
    account = User.objects.get(username="lisi")
    assert response.status_code == 302 and response.url == reverse("orgs:user_detail", args=[account.pk])
    assert account.must_change_password and account.check_password(GOOD_PASSWORD)
    assert list(account.role_grants.values_list("role", flat=True)) == ["secretary"]
    assert LogEntry.objects.filter(actor=world.district, object_pk=str(account.pk), action=LogEntry.Action.CREATE)


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"password": "1234567890"}, "密码"),
        ({"username": "secretary_a"}, "用户名"),
        ({"role": "emperor"}, "emperor"),
        ({"role": "street", "organization": ""}, "街道"),
    ],
)
def test_bad_input_is_shown_and_nothing_written(world, login, over, words):
    before = _counts()
    response = login(world.district).post(reverse("orgs:user_create"), _create_data(world, **over))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert _counts() == before


def test_grant_outside_reach_is_named_on_the_page_and_not_written(world, login):
    home = Region.objects.get(kind=Region.Kind.DISTRICT)
    other_street = StreetFactory(name="外区街道", parent=DistrictFactory(name="外区"))
    staff = grant(UserFactory(username="bounded"), Role.DISTRICT, region=home)
    before = _counts()
    response = login(staff).post(
        reverse("orgs:user_create"), _create_data(world, role="street", region=other_street.pk, organization="")
    )
    # The street of another district is not even offered: the form refuses it by name.
    assert response.status_code == 200
    assert "所辖区域" in response.content.decode() or "超出" in response.content.decode()
    assert _counts() == before
    response = login(staff).post(reverse("orgs:user_create"), _create_data(world, role="leader", organization=""))
    assert "超出您的管辖范围或层级" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("role", ["street_a_staff", "secretary_a", "secretary_b", "instructor"])
def test_outsiders_get_404(world, login, role):
    client = login(getattr(world, role))
    before = _counts()
    assert client.get(reverse("orgs:user_list")).status_code == 404
    assert client.get(reverse("orgs:user_export")).status_code == 404
    assert client.get(reverse("orgs:user_create")).status_code == 404
    assert client.post(reverse("orgs:user_create"), _create_data(world)).status_code == 404
    target = world.secretary_b
    assert client.get(reverse("orgs:user_detail", args=[target.pk])).status_code == 404
    assert client.post(reverse("orgs:user_active", args=[target.pk]), {"active": "0"}).status_code == 404
    assert client.post(reverse("orgs:user_password", args=[target.pk]), {"password": GOOD_PASSWORD}).status_code == 404
    assert _counts() == before
    target.refresh_from_db()
    assert target.is_active and target.check_password("Correct-Horse-9")


def test_leader_reads_the_list_and_may_not_write(world, login):
    client = login(world.leader)
    page = client.get(reverse("orgs:user_list")).content.decode()
    assert "secretary_b" in page and reverse("orgs:user_create") not in page
    assert client.get(reverse("orgs:user_create")).status_code == 403
    assert client.post(reverse("orgs:user_active", args=[world.secretary_b.pk]), {"active": "0"}).status_code == 403
    world.secretary_b.refresh_from_db()
    assert world.secretary_b.is_active


def test_grant_revoke_reset_deactivate_reactivate(world, login):
    client = login(world.district)
    account = world.secretary_a
    response = client.post(
        reverse("orgs:user_grant", args=[account.pk]), {"role": "street", "region": world.street_a.pk}
    )
    assert response.status_code == 302
    street_grant = account.role_grants.get(role="street")
    # Granting the same role twice is refused by name.
    response = client.post(
        reverse("orgs:user_grant", args=[account.pk]), {"role": "street", "region": world.street_a.pk}
    )
    assert "已有此角色" in response.content.decode()
    client.post(reverse("orgs:user_revoke", args=[account.pk, street_grant.pk]))
    assert not account.role_grants.filter(role="street").exists()
    client.post(reverse("orgs:user_password", args=[account.pk]), {"password": GOOD_PASSWORD})
    client.post(reverse("orgs:user_active", args=[account.pk]), {"active": "0"})
    account.refresh_from_db()
    assert account.must_change_password and account.check_password(GOOD_PASSWORD) and not account.is_active
    client.post(reverse("orgs:user_active", args=[account.pk]), {"active": "1"})
    account.refresh_from_db()
    assert account.is_active
    events = list(
        LogEntry.objects.filter(object_pk=str(account.pk), actor=world.district)
        .exclude(additional_data=None)
        .values_list("additional_data__event", flat=True)
    )
    assert {"role_granted", "role_revoked", "password_reset", "user_deactivated", "user_activated"} <= set(events)


def test_weak_reset_password_is_refused_on_the_page(world, login):
    response = login(world.district).post(
        reverse("orgs:user_password", args=[world.secretary_a.pk]), {"password": "abc"}
    )
    assert response.status_code == 200 and "密码" in response.content.decode()
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.check_password("Correct-Horse-9") and not world.secretary_a.must_change_password


def test_district_may_not_deactivate_or_revoke_themselves(world, login):
    client = login(world.district)
    client.post(reverse("orgs:user_active", args=[world.district.pk]), {"active": "0"})
    own = world.district.role_grants.get()
    client.post(reverse("orgs:user_revoke", args=[world.district.pk, own.pk]))
    world.district.refresh_from_db()
    assert world.district.is_active and world.district.role_grants.exists()


def test_users_export_is_an_xlsx_of_the_filtered_list(world, login):
    response = login(world.district).get(reverse("orgs:user_export"), {"role": "secretary"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "用户名"
    assert sorted(r[0] for r in rows[1:]) == ["secretary_a", "secretary_b"]
    assert any(world.org_a.name in r[2] for r in rows[1:])


def test_a_display_name_that_looks_like_a_formula_is_neutralised_in_the_export(world, login):
    world.secretary_a.display_name = "=HYPERLINK(1)"
    world.secretary_a.save()
    response = login(world.district).get(reverse("orgs:user_export"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "'=HYPERLINK(1)" in [r[1] for r in rows]


# --- the password the owner must change -------------------------------------------------------


def test_an_account_created_by_staff_must_change_its_password_first(world, client):
    account = grant(UserFactory(username="fresh"), Role.SECRETARY, organization=world.org_a)
    account.must_change_password = True
    account.save()
    client.force_login(account)
    response = client.get(reverse("members:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("security:password_change"))
    assert client.get("/api/v1/members/").status_code == 403
    # A wrong old password, or a weak new one: still held.
    client.post(
        reverse("security:password_change"),
        {"old_password": "nope", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    response = client.post(
        reverse("security:password_change"),
        {"old_password": "Correct-Horse-9", "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.must_change_password
    response = client.post(
        reverse("security:password_change"),
        {"old_password": "Correct-Horse-9", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password and account.check_password(GOOD_PASSWORD)
    # The session survives the change, and the pages open again.
    assert client.get(reverse("members:list")).status_code == 200
    assert LogEntry.objects.filter(object_pk=str(account.pk), additional_data__event="password_changed").exists()


def test_the_new_password_may_not_be_the_one_staff_set(world, client):
    account = world.secretary_a
    account.must_change_password = True
    account.save()
    client.force_login(account)
    response = client.post(
        reverse("security:password_change"),
        {"old_password": "Correct-Horse-9", "new_password1": "Correct-Horse-9", "new_password2": "Correct-Horse-9"},
    )
    assert response.status_code == 200 and "不能与原密码相同" in response.content.decode()
    account.refresh_from_db()
    assert account.must_change_password


def test_district_user_sees_no_admin_link(world, login):
    # Even with the staff flag (the demo's district user had it), the admin is not theirs.
    world.district.is_staff = True
    world.district.save(update_fields=["is_staff"])
    page = login(world.district).get(reverse("orgs:user_list")).content.decode()
    assert reverse("admin:index") not in page
    assert reverse("orgs:user_list") in page


def test_superuser_sees_the_admin_link(world, login):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert reverse("admin:index") in login(root).get(reverse("orgs:user_list")).content.decode()


def test_instructor_work_is_listed_on_their_account_page(world, login):
    from datetime import date

    from orgs.models import InstructorAssignment, InstructorVisit

    assignment = InstructorAssignment.objects.create(
        enterprise=world.enterprise_a, instructor=world.instructor, start_on=date(2026, 1, 1)
    )
    InstructorVisit.objects.create(
        assignment=assignment, visited_on=date(2026, 2, 1), summary="宣讲政策", created_by=world.instructor
    )
    page = login(world.district).get(reverse("orgs:user_detail", args=[world.instructor.pk])).content.decode()
    assert world.enterprise_a.name in page and "宣讲政策" in page
