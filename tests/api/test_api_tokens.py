"""API tokens: hashed at rest, ending when idle and at the latest
API_TOKEN_TTL_HOURS after login, refreshed without outliving that login,
revoked at logout (API and pages), at a password change and when two-factor
is enabled, and issued to a two-factor user only with the code."""

import hashlib
import importlib
from datetime import timedelta

from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from knox.models import AuthToken
from rest_framework.test import APIClient

from security.services import otp_enrol_begin, otp_enrol_confirm
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"
MEMBERS_URL = "/api/v1/members/"


def _obtain(username: str = "secretary_a", **extra) -> dict:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> bool:
    """The roster answers the token's user, or refuses the token (403: the
    session scheme comes first, so DRF sends no WWW-Authenticate challenge)."""
    status = _with(key).get(MEMBERS_URL).status_code
    assert status in (200, 401, 403), status
    return status == 200


def _reasons(user) -> list[str]:
    return [
        entry.changes["reason"]
        for entry in LogEntry.objects.filter(additional_data__event="token_revoked", object_pk=str(user.pk))
    ]


def _code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


# --- at rest -------------------------------------------------------------------


def test_the_database_keeps_a_digest_never_the_key(world):
    key = _obtain()["token"]
    row = AuthToken.objects.get(user=world.secretary_a)
    stored = [str(value) for value in AuthToken.objects.filter(pk=row.pk).values_list().get()]
    assert key not in stored
    assert row.digest == hashlib.sha512(key.encode()).hexdigest()
    assert _works(key)


def test_an_old_plain_text_token_is_refused(world):
    # The shape of a DRF authtoken key: 40 hex characters.
    assert not _works("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")


class _Editor:
    """What the migration uses of a schema editor (SQLite refuses a real one
    inside the test's transaction)."""

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_drops_the_plain_text_table(db):
    drop = importlib.import_module("security.migrations.0002_drop_plain_text_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint)")
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', %s)",
            [timezone.now()],
        )
    drop.forwards(None, _Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone()[0] == 0


def test_no_migration_is_missing(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# --- expiry ------------------------------------------------------------------------


def test_the_answer_says_when_the_token_ends(world, clock):
    answer = _obtain()
    from rest_framework.fields import DateTimeField

    field = DateTimeField()
    assert field.to_internal_value(answer["expiry"]) == clock.now + timedelta(minutes=30)
    assert field.to_internal_value(answer["max_expiry"]) == clock.now + timedelta(hours=8)


def test_an_idle_token_stops_working(world, clock):
    key = _obtain()["token"]
    clock.advance(minutes=31)
    assert not _works(key)
    assert not AuthToken.objects.filter(user=world.secretary_a).exists()


def test_each_use_keeps_the_token_alive_for_another_idle_window(world, clock):
    key = _obtain()["token"]
    clock.advance(minutes=25)
    assert _works(key)
    clock.advance(minutes=25)  # 50 minutes after issue, 25 after the last use
    assert _works(key)
    clock.advance(minutes=31)
    assert not _works(key)


def test_a_token_older_than_its_lifetime_is_refused_however_busy(world, clock):
    key = _obtain()["token"]
    for _ in range(23):  # a use every 20 minutes: 7 h 40 min
        clock.advance(minutes=20)
        assert _works(key)
    clock.advance(minutes=19)
    assert _works(key)
    clock.advance(minutes=2)  # 8 h 1 min after the login
    assert not _works(key)


def test_the_lifetime_is_a_setting(world, clock, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "AUTO_REFRESH_MAX_TTL": timedelta(hours=1)}
    key = _obtain()["token"]
    for _ in range(3):
        clock.advance(minutes=20)
        assert _works(key)
    clock.advance(minutes=1)
    assert not _works(key)


# --- refresh -----------------------------------------------------------------------


def test_refresh_gives_a_new_key_and_revokes_the_old(world, clock):
    first = _obtain()
    clock.advance(minutes=10)
    response = _with(first["token"]).post(REFRESH_URL)
    assert response.status_code == 200
    second = response.json()
    assert second["token"] != first["token"]
    assert second["max_expiry"] == first["max_expiry"]
    assert _works(second["token"]) and not _works(first["token"])
    assert AuthToken.objects.filter(user=world.secretary_a).count() == 1
    assert LogEntry.objects.filter(additional_data__event="token_refreshed", actor=world.secretary_a).exists()


def test_refreshing_never_outlives_the_login(world, clock):
    key = _obtain()["token"]
    for _ in range(23):
        clock.advance(minutes=20)
        key = _with(key).post(REFRESH_URL).json()["token"]
    clock.advance(minutes=19)
    assert _works(key)
    clock.advance(minutes=2)  # 8 h 1 min after the password was checked
    assert _with(key).post(REFRESH_URL).status_code in (401, 403)
    assert not _works(key)


def test_refresh_and_logout_take_a_token_not_a_session(world, client):
    client.force_login(world.secretary_a)
    assert client.post(REFRESH_URL).status_code in (401, 403)
    assert client.post(LOGOUT_URL).status_code in (401, 403)
    assert APIClient().post(REFRESH_URL).status_code == 401


def test_refresh_refuses_a_body(world):
    key = _obtain()["token"]
    response = _with(key).post(REFRESH_URL, {"token": key}, format="json")
    assert response.status_code == 400
    assert _works(key)


# --- revocation ----------------------------------------------------------------------


def test_api_logout_revokes_the_callers_token_only(world):
    mine, other = _obtain()["token"], _obtain()["token"]
    assert _with(mine).post(LOGOUT_URL).status_code == 204
    assert not _works(mine)
    assert _works(other)
    assert _reasons(world.secretary_a) == ["api_logout"]


def test_logging_out_of_the_pages_revokes_every_token(world, client):
    keys = [_obtain()["token"], _obtain()["token"]]
    client.force_login(world.secretary_a)
    assert client.post(reverse("logout")).status_code == 302
    assert not any(_works(key) for key in keys)
    assert _reasons(world.secretary_a) == ["logout"]


def test_a_new_password_revokes_every_token(world):
    key = _obtain()["token"]
    world.secretary_a.set_password("Another-Horse-10")
    world.secretary_a.save()
    assert not _works(key)
    assert _reasons(world.secretary_a) == ["password_changed"]


def test_an_administrator_setting_the_password_revokes_the_tokens(world, client):
    from tests.factories import UserFactory

    key = _obtain()["token"]
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    url = reverse("admin:auth_user_password_change", args=[world.secretary_a.pk])
    response = client.post(url, {"password1": "Another-Horse-10", "password2": "Another-Horse-10"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not _works(key)
    entry = LogEntry.objects.get(additional_data__event="token_revoked", object_pk=str(world.secretary_a.pk))
    assert entry.actor == root


def test_an_unusable_password_revokes_the_tokens(world):
    key = _obtain()["token"]
    world.secretary_a.set_unusable_password()
    world.secretary_a.save()
    assert not _works(key)


def test_saves_that_keep_the_password_keep_the_tokens(world):
    key = _obtain()["token"]
    user = type(world.secretary_a).objects.get(pk=world.secretary_a.pk)
    user.display_name = "改名"
    user.save()
    user.save(update_fields=["last_login"])
    assert _works(key)
    assert _reasons(world.secretary_a) == []


def test_a_superuser_revokes_a_token_in_the_admin_and_cannot_mint_one(world, client):
    from tests.factories import UserFactory

    key = _obtain()["token"]
    token = AuthToken.objects.get(user=world.secretary_a)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403
    response = client.post(reverse("admin:knox_authtoken_delete", args=[token.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not _works(key)
    assert _reasons(world.secretary_a) == ["admin"]


# --- two-factor ------------------------------------------------------------------------


def test_a_two_factor_user_gets_no_token_without_the_code(world):
    device = otp_enrol_begin(user=world.district)
    otp_enrol_confirm(user=world.district, token=_code(device))
    device.refresh_from_db()
    device.last_t = -1  # the code just used may be used again, as if in the next period
    device.save()
    client = APIClient()
    for extra in ({}, {"otp_token": "000000"}):
        response = client.post(TOKEN_URL, {"username": "district", "password": PASSWORD, **extra}, format="json")
        assert response.status_code in (401, 403)
        assert "token" not in response.json()
    assert not AuthToken.objects.filter(user=world.district).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    key = _obtain("district", otp_token=_code(device))["token"]
    assert _works(key)


def test_enabling_two_factor_revokes_the_tokens_issued_without_it(world):
    key = _obtain("district")["token"]
    device = otp_enrol_begin(user=world.district)
    otp_enrol_confirm(user=world.district, token=_code(device))
    assert not _works(key)
    assert _reasons(world.district) == ["otp_enabled"]


# --- audit ------------------------------------------------------------------------------


def test_issue_refresh_and_revoke_are_on_the_audit_page(world, client):
    key = _obtain()["token"]
    key = _with(key).post(REFRESH_URL).json()["token"]
    _with(key).post(LOGOUT_URL)
    client.force_login(world.district)
    html = client.get(reverse("security:audit_log")).content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    for label in ("签发API令牌", "更换API令牌", "吊销API令牌"):
        assert label in body, label
