"""The read replica (DATABASE_REPLICA_URL, core.db_router): the dashboards,
their drill-downs and the .xlsx exports read from it; sessions, logins and
every write stay on the primary, as do all other pages; with no replica
configured nothing changes.

The test settings (config/test_settings.py) define a "replica" alias that
mirrors the primary's test database through a connection of its own, so
these tests commit their data (transaction=True) for it to be seen there.
"""

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core import db_router
from core.db_router import ReplicaRouter, reads_from_replica
from orgs.models import Enterprise, RoleGrant, User

from .pages.test_dashboard import snapshots_for

ROOT = Path(__file__).resolve().parent.parent
ROUTER = "core.db_router.ReplicaRouter"
both_databases = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def router_on(settings):
    """What DATABASE_REPLICA_URL switches on (the alias itself is always there in tests)."""
    settings.DATABASE_ROUTERS = [ROUTER]


def _get(client, url, params=None):
    """The response, and the SQL each database ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url, params or {})
    return response, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in replica.captured_queries]


def _logged_in(client, user):
    client.force_login(user)
    # The first page after a login writes the session (second-factor check, idle timestamp).
    assert client.get(reverse("home")).status_code == 200
    return client


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


def _is_write(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))


AUTH_TABLES = ("django_session", "orgs_user", "orgs_rolegrant")


def _auth_only(sql: str) -> bool:
    """A read of who the user is and what they may reach: the session row, the user, their roles."""
    return _is_select(sql) and any(f'FROM "{table}"' in sql for table in AUTH_TABLES)


@both_databases
def test_dashboard_reads_come_from_the_replica(world, client, router_on):
    snapshots_for(world, months=1)
    response, primary, replica = _get(_logged_in(client, world.district), reverse("orgs:dashboard"))
    assert response.status_code == 200
    assert "31.0%" in response.content.decode()  # 31 of 100, as read through the replica
    assert replica and not any(_is_write(sql) for sql in replica), [q for q in replica if not _is_select(q)]
    assert any('"orgs_coveragesnapshot"' in sql for sql in replica)
    assert not any('"django_session"' in sql for sql in replica)
    assert primary and all(_auth_only(sql) for sql in primary)


@both_databases
def test_drilldown_reads_come_from_the_replica(world, client, router_on):
    snapshots_for(world, months=1)
    url = reverse("orgs:stats_drilldown", args=["organizations"])
    response, primary, replica = _get(_logged_in(client, world.district), url)
    assert response.status_code == 200
    assert replica and not any(_is_write(sql) for sql in replica), [q for q in replica if not _is_select(q)]
    assert all(_auth_only(sql) for sql in primary), [s for s in primary if not _auth_only(s)]


@both_databases
def test_dashboard_panel_list_reads_come_from_the_replica(world, client, router_on):
    snapshots_for(world, months=1)
    url = reverse("orgs:dashboard_list", args=["alerts"])
    response, primary, replica = _get(_logged_in(client, world.district), url)
    assert response.status_code == 200
    assert replica and all(_auth_only(sql) for sql in primary)


@both_databases
def test_an_export_reads_from_the_replica_and_writes_its_audit_record_on_the_primary(world, client, router_on):
    response, primary, replica = _get(_logged_in(client, world.district), reverse("members:export"))
    assert response.status_code == 200
    names = {row[0] for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)}
    assert {world.member_a.name, world.member_b.name} <= names
    assert replica and not any(_is_write(sql) for sql in replica), [q for q in replica if not _is_select(q)]
    assert any('"members_member"' in sql for sql in replica)
    writes = [sql for sql in primary if not _is_select(sql)]
    assert any('INSERT INTO "auditlog_logentry"' in sql for sql in writes)
    assert all(_auth_only(sql) for sql in primary if _is_select(sql))


@both_databases
def test_other_pages_read_only_the_primary(world, client, router_on):
    client = _logged_in(client, world.district)
    for url in (reverse("home"), reverse("orgs:enterprise_list"), reverse("members:list")):
        response, primary, replica = _get(client, url)
        assert response.status_code == 200, url
        assert replica == [], url
        assert any('"orgs_enterprise"' in sql or '"members_member"' in sql for sql in primary), url


@both_databases
def test_an_outsider_still_gets_404_on_a_replica_page(world, client, router_on):
    url = reverse("orgs:dashboard_export", args=["rows"])
    response, _primary, _replica = _get(_logged_in(client, world.street_a_staff), url, {"street": world.street_b.pk})
    assert response.status_code == 404
    # The flag does not outlive the view, even when it ends in an exception.
    assert ReplicaRouter().db_for_read(Enterprise) == "default"


@both_databases
def test_without_a_replica_configured_every_read_stays_on_the_primary(world, client):
    snapshots_for(world, months=1)
    client = _logged_in(client, world.district)
    for url in (reverse("orgs:dashboard"), reverse("members:export")):
        response, primary, replica = _get(client, url)
        assert response.status_code == 200
        assert replica == []
        assert any(not _auth_only(sql) for sql in primary)


def test_the_router_sends_only_flagged_reads_to_the_replica():
    router = ReplicaRouter()
    assert router.db_for_read(Enterprise) == "default"
    with reads_from_replica():
        assert router.db_for_read(Enterprise) == "replica"
        # Who the user is and what they may reach are read where they are written.
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(RoleGrant) == "default"
        assert router.db_for_write(Enterprise) == "default"
    assert router.db_for_read(Enterprise) == "default"
    assert router.allow_migrate("default", "orgs") is True
    assert router.allow_migrate("replica", "orgs") is False


def test_the_router_ignores_the_flag_without_a_replica_alias(monkeypatch):
    monkeypatch.setattr(db_router, "settings", SimpleNamespace(DATABASES={"default": {}}))
    with reads_from_replica():
        assert ReplicaRouter().db_for_read(Enterprise) == "default"


def _settings_seen(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_REPLICA_URL", "DEBUG", "SECRET_KEY")}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    code = "from django.conf import settings; print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)"
    command = [sys.executable, "manage.py", "shell", "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_database_replica_url_adds_the_alias_and_the_router():
    assert _settings_seen() == "['default'] []"
    seen = _settings_seen(DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/partybuilding")
    assert seen == f"['default', 'replica'] ['{ROUTER}']"
