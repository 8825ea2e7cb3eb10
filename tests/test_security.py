"""Audit log page and export, two-factor, the token endpoint, audit retention."""

from datetime import timedelta
from io import BytesIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from openpyxl import load_workbook
from rest_framework.test import APIClient

from security.services import otp_enrol_begin

PASSWORD = "Correct-Horse-9"


def _token_for(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


# --- audit log page ------------------------------------------------------------


def _rows(response) -> str:
    """The table body only (the filter form lists every event name)."""
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_audit_log_is_district_only(world, login):
    assert login(world.district).get(reverse("security:audit_log")).status_code == 200
    for role in ("secretary_a", "street_a_staff", "leader", "instructor"):
        assert login(getattr(world, role)).get(reverse("security:audit_log")).status_code == 403
        assert login(getattr(world, role)).get(reverse("security:audit_export")).status_code == 403


def test_logins_failures_logouts_writes_and_reveals_are_listed(world, client, api):
    client.post(reverse("login"), {"username": "secretary_a", "password": "wrong-password"})
    client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD})
    client.post(reverse("logout"))
    api(world.secretary_a).post(f"/api/v1/members/{world.member_a.pk}/reveal/")
    api(world.district).patch(f"/api/v1/enterprises/{world.enterprise_a.pk}/", {"employees": 77}, format="json")
    client.force_login(world.district)
    page = _rows(client.get(reverse("security:audit_log")))
    for label in ("登录失败", "登录成功", "退出登录", "查看完整证件号", "修改"):
        assert label in page, label
    assert "77" in page  # before/after of the write
    body = _rows(client.get(reverse("security:audit_log"), {"event": "member_reveal"}))
    assert "张甲" in body and "登录失败" not in body
    body = _rows(client.get(reverse("security:audit_log"), {"user": "secretary_a", "event": "login_failed"}))
    assert "登录失败" in body


def test_audit_log_names_events_and_fields_for_people(world, login):
    from orgs.audit import audit_event

    audit_event(actor=world.instructor, instance=world.enterprise_a, event="instructor_visit", detail={})
    audit_event(actor=world.district, instance=world.enterprise_a, event="fund.application.street_approve", detail={})
    api_client = APIClient()
    api_client.force_authenticate(world.district)
    api_client.patch(f"/api/v1/enterprises/{world.enterprise_a.pk}/", {"employees": 77}, format="json")
    page = _rows(login(world.district).get(reverse("security:audit_log")))
    assert "党建指导员走访" in page and "公积金申请流转" in page
    for code in ("instructor_visit", "fund.application", ">employees<", "None"):
        assert code not in page, code
    assert "从业人员数" in page  # the field's verbose name


def test_bad_audit_filters_are_ignored_not_500(world, login):
    response = login(world.district).get(reverse("security:audit_log"), {"date_from": "x", "model": "999999"})
    assert response.status_code == 200


def test_audit_export_is_xlsx_and_itself_audited(world, login, api):
    api(world.secretary_a).post(f"/api/v1/members/{world.member_a.pk}/reveal/")
    response = login(world.district).get(reverse("security:audit_export"), {"event": "member_reveal"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "时间"
    # The reveal records the ID number and the phone, one row each.
    assert len(rows) == 3 and rows[1][1] == str(world.secretary_a)
    assert world.member_a.id_number not in str(rows)
    assert LogEntry.objects.filter(additional_data__event="audit_export", actor=world.district).exists()


def test_member_diffs_never_hold_the_plain_id_number(world, api):
    from tests.factories import make_id_number

    number = make_id_number(555)
    api(world.district).post(
        "/api/v1/members/",
        {
            "organization": world.org_a.pk,
            "id_number": number,
            "name": "赵审",
            "gender": "male",
            "stage": "applicant",
            "applied_on": "2025-01-01",
            "phone": "13700001234",
        },
        format="json",
    )
    dumped = " ".join(str(e.changes) for e in LogEntry.objects.all())
    assert "赵审" in dumped
    assert number not in dumped and "13700001234" not in dumped


# --- retention -------------------------------------------------------------------


def _entry(days_old: int) -> LogEntry:
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(LogEntry),
        object_pk="1",
        object_repr="x",
        action=LogEntry.Action.ACCESS,
        changes={"event": "t"},
        timestamp=timezone.now() - timedelta(days=days_old),
    )


def test_purge_keeps_everything_younger_than_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old, middle, young = _entry(400), _entry(200), _entry(10)
    call_command("purge_audit")
    remaining = set(LogEntry.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and {middle.pk, young.pk} <= remaining


def test_purge_refuses_less_than_180_days(db):
    with pytest.raises(CommandError, match="180"):
        call_command("purge_audit", "--days", "30")


def test_purge_dry_run_deletes_nothing(db):
    call_command("purge_audit", "--dry-run")


@pytest.mark.postgres
def test_postgres_refuses_edits_and_young_deletions(world, api):
    from django.db import DatabaseError, transaction

    api(world.secretary_a).post(f"/api/v1/members/{world.member_a.pk}/reveal/")
    entry = LogEntry.objects.filter(additional_data__event="member_reveal").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()


# --- two-factor ---------------------------------------------------------------


def test_two_factor_enrol_then_required_at_login(world, client):
    client.force_login(world.district)
    page = client.get(reverse("security:otp_setup")).content.decode()
    assert "otpauth://totp/" in page
    device = otp_enrol_begin(user=world.district)
    response = client.post(reverse("security:otp_setup"), {"token": "000000"})
    assert "验证码不正确" in response.content.decode()
    client.post(reverse("security:otp_setup"), {"token": _token_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert LogEntry.objects.filter(additional_data__event="otp_enabled").exists()

    client.logout()
    client.post(reverse("login"), {"username": "district", "password": PASSWORD})
    response = client.get(reverse("orgs:enterprise_list"))
    assert response.status_code == 302 and reverse("security:otp_verify") in response["Location"]
    assert client.get("/api/v1/enterprises/").status_code == 403
    response = client.post(reverse("security:otp_verify"), {"token": "123456", "next": "/orgs/enterprises/"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()
    response = client.post(reverse("security:otp_verify"), {"token": _token_for(device), "next": "/orgs/enterprises/"})
    assert response.status_code == 302 and response["Location"] == "/orgs/enterprises/"
    assert client.get(reverse("orgs:enterprise_list")).status_code == 200


def test_two_factor_is_for_district_staff(world, login):
    assert login(world.secretary_a).get(reverse("security:otp_setup")).status_code == 403


def test_verify_does_not_redirect_off_site(world, client):
    client.force_login(world.secretary_a)
    response = client.get(reverse("security:otp_verify"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


# --- token endpoint -------------------------------------------------------------


def test_token_endpoint(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "secretary_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/members/").json()["count"] == 1
    assert LogEntry.objects.filter(additional_data__event="token_issued").exists()


def test_token_endpoint_refuses_bad_password_and_locks(world, settings):
    client = APIClient()
    for _ in range(5):
        response = client.post("/api/v1/auth/token/", {"username": "secretary_a", "password": "nope"}, format="json")
        assert response.status_code in (403, 429)
        assert "不正确" in str(response.json()) or "锁定" in str(response.json())
    response = client.post("/api/v1/auth/token/", {"username": "secretary_a", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert LogEntry.objects.filter(additional_data__event="login_failed").count() >= 5


def test_token_endpoint_asks_for_the_second_factor(world):
    device = otp_enrol_begin(user=world.district)
    device.confirmed = True
    device.save()
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "district", "password": PASSWORD}, format="json")
    assert response.status_code in (401, 403) and "otp_token" in str(response.json())
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "district", "password": PASSWORD, "otp_token": _token_for(device)},
        format="json",
    )
    assert response.status_code == 200


def test_token_writes_name_their_actor(world):
    from security.services import token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=world.district)[1]}")
    response = client.patch(f"/api/v1/enterprises/{world.enterprise_a.pk}/", {"employees": 66}, format="json")
    assert response.status_code == 200
    entry = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_pk=str(world.enterprise_a.pk)).latest("pk")
    assert entry.actor == world.district
    assert entry.changes_dict["employees"] == ["20", "66"]


def test_admin_never_shows_whole_numbers(world, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    for url in ("/admin/members/member/", f"/admin/members/member/{world.member_a.pk}/change/"):
        body = client.get(url).content.decode()
        assert world.member_a.id_number not in body and "13812345678" not in body
        assert world.member_a.id_number_masked in body


@pytest.mark.parametrize(
    ("password", "ok"),
    [("Ab3$efgh9", False), ("password123", False), ("1234567890123", False), ("Dangjian@2026", True)],
)
def test_password_rules(db, password, ok):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from orgs.models import User

    user = User(username="someone")
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)
