"""The journal and the audit trail are append-only in the database itself:
TRUNCATE is refused to whoever connects, and the application's role
(ops/app_role.sql) may not update, delete, truncate or alter them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from funds.models import FundEntry
from tests.helpers.funds import open_accounts

pytestmark = pytest.mark.postgres

APPEND_ONLY = ("funds_fundtransaction", "funds_fundentry", "auditlog_logentry")
APP_ROLE = "partybuilding_app_test"


def _refused(sql: str) -> str:
    """Run `sql` in a savepoint; the database's refusal, or '' if it ran."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_truncate_is_refused_even_to_the_owner(world, table):
    open_accounts(world)
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this test's own inserts would block any TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL partybuilding.allow_truncate = off")
    assert "append-only" in _refused(f"TRUNCATE {table} CASCADE")
    assert FundEntry.objects.exists()


@pytest.fixture
def app_role(db):
    """The application's role, with the grants of ops/app_role.sql, for this test only."""
    script = (Path(settings.BASE_DIR) / "ops" / "app_role.sql").read_text()
    statements = [
        line.replace(':"app_role"', f'"{APP_ROLE}"')
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith("--")
    ]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{APP_ROLE}" NOLOGIN')
        for statement in statements:
            cursor.execute(statement)
    yield APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_the_application_role_cannot_rewrite_history(world, app_role):
    account = open_accounts(world)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'SET ROLE "{app_role}"')
        cursor.execute("SET LOCAL partybuilding.allow_truncate = on")  # no help without the privilege
    for table in APPEND_ONLY:
        assert "permission denied" in _refused(f"UPDATE {table} SET id = id")
        assert "permission denied" in _refused(f"DELETE FROM {table}")
        assert "permission denied" in _refused(f"TRUNCATE {table}")
        assert "must be owner" in _refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    # What the application does need still works: reading, and writing ordinary tables.
    assert _refused("SELECT count(*) FROM funds_fundentry") == ""
    assert _refused(f"UPDATE funds_fundaccount SET name = name WHERE id = {account.pk}") == ""
    assert _refused("INSERT INTO orgs_industry (code, name) VALUES ('Z', '测试门类')") == ""
