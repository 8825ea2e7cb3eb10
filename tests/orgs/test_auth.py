"""Login, logout, lockout and their audit trail."""

from auditlog.models import LogEntry
from django.urls import reverse

from tests.conftest import PASSWORD


def _events(name):
    return LogEntry.objects.filter(changes__event=name)


def test_login_page_logs_in_and_audits(client, world):
    response = client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD})
    assert response.status_code == 302
    assert _events("login").filter(actor=world.secretary_a).exists()
    home = client.get(reverse("home")).content.decode()
    assert "企业党组织书记" in home


def test_wrong_password_shows_chinese_message_and_is_audited(client, world):
    response = client.post(reverse("login"), {"username": "secretary_a", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert _events("login_failed").filter(object_pk="secretary_a").exists()


def test_five_failures_lock_the_account(client, world):
    for _ in range(5):
        client.post(reverse("login"), {"username": "secretary_a", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_is_audited(client, world):
    client.force_login(world.district)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert _events("logout").filter(actor=world.district).exists()
    assert client.get(reverse("home")).status_code == 302


def test_session_expires_after_idle_time(settings):
    # How it is kept alive without a write per request: tests/test_session_idle.py.
    assert settings.SESSION_COOKIE_AGE == 30 * 60
