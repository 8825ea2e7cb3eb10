from datetime import date

from django.urls import reverse


def test_admin_lists_go_through_scope(client, world):
    staff = world.street_a_staff
    staff.is_staff = True
    staff.is_superuser = False
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_enterprise", "view_member"]))
    client.force_login(staff)
    body = client.get(reverse("admin:orgs_enterprise_changelist")).content.decode()
    assert "甲企业有限公司" in body and "乙企业有限公司" not in body
    body = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert "张甲" in body and "李乙" not in body
    assert world.member_a.id_number not in body


def test_admin_object_outside_scope_is_not_found(client, world):
    staff = world.street_a_staff
    staff.is_staff = True
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename="view_enterprise"))
    client.force_login(staff)
    response = client.get(reverse("admin:orgs_enterprise_change", args=[world.enterprise_b.pk]))
    assert response.status_code in (302, 404)
    assert "乙企业有限公司" not in response.content.decode()


def test_admin_shows_how_warnings_are_worked(client, world):
    from orgs.alerts import alert_assign
    from tests.factories import UserFactory
    from tests.helpers.records import make_alert

    alert = make_alert(world.org_a)
    alert_assign(
        alert=alert, by=world.district, assignee=world.secretary_a, deadline=date(2099, 1, 1), note="请于月底前换届"
    )
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    body = client.get(reverse("admin:orgs_alert_changelist")).content.decode()
    assert "办理状态" in body and "责任人" in body and "已督办" in body
    body = client.get(reverse("admin:orgs_alert_change", args=[alert.pk])).content.decode()
    assert "预警办理记录" in body and "请于月底前换届" in body
    assert client.get(reverse("admin:orgs_changeproposal_changelist")).status_code == 200
