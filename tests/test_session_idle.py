"""Sessions end after SESSION_IDLE_SECONDS without use, and keeping them
alive writes the session row at most once every SESSION_TOUCH_SECONDS, so
reading pages does not write to the database."""

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD


def _session_writes(queries) -> int:
    return sum(
        1
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def _get_home(client, times: int = 1) -> int:
    """Ask for the home page; how many times the session row was written."""
    with CaptureQueriesContext(connection) as queries:
        for _ in range(times):
            assert client.get(reverse("home")).status_code == 200
    return _session_writes(queries.captured_queries)


def _log_in(client) -> None:
    response = client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD})
    assert response.status_code == 302
    # The first page after a login notes the second-factor check in the session (a write of its own).
    assert _get_home(client) == 1


def test_requests_within_a_minute_write_the_session_at_most_once(client, world, clock):
    client.force_login(world.secretary_a)
    assert _get_home(client, times=5) == 1
    clock.advance(seconds=50)
    assert _get_home(client, times=3) == 0


def test_a_request_after_the_touch_interval_writes_the_session_again(client, world, clock):
    _log_in(client)
    assert _get_home(client) == 0
    clock.advance(seconds=61)
    assert _get_home(client, times=2) == 1


def test_the_touch_interval_is_a_setting(client, world, clock, settings):
    settings.SESSION_TOUCH_SECONDS = 300
    _log_in(client)
    clock.advance(seconds=200)
    assert _get_home(client) == 0
    clock.advance(seconds=101)
    assert _get_home(client) == 1


def test_an_idle_session_is_logged_out(client, world, clock):
    _log_in(client)
    clock.advance(minutes=31)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The expired session is not replaced by a new, empty one.
    assert Session.objects.count() == 1


def test_use_keeps_the_session_alive_past_the_idle_time(client, world, clock):
    _log_in(client)
    for _ in range(4):  # a page every 20 minutes: 80 minutes in all
        clock.advance(minutes=20)
        assert client.get(reverse("home")).status_code == 200
    clock.advance(minutes=31)
    assert client.get(reverse("home")).status_code == 302


def test_anonymous_pages_create_no_session(client, world):
    assert client.get(reverse("login")).status_code == 200
    client.post(reverse("login"), {"username": "secretary_a", "password": "wrong-password"})
    assert not Session.objects.exists()
