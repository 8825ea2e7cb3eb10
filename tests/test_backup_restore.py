"""ops/backup.sh and ops/restore.sh: a seeded database and its media go into a
backup, come back into an empty database, and everything is there, including
member ID numbers that decrypt with the same keys."""

import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from activities.models import Activity, Attachment
from core.crypto import decrypt_text
from funds.models import TransactionKind
from funds.services import account_open, external_account, ledger_post

ROOT = Path(__file__).resolve().parent.parent
TABLES = [
    "orgs_enterprise",
    "orgs_partyorganization",
    "members_member",
    "activities_activity",
    "activities_attachment",
    "funds_fundentry",
    "auditlog_logentry",
]


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _admin_sql(sql: str) -> None:
    s = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"] or "127.0.0.1", port=s["PORT"]
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def _counts(dsn: str) -> dict[str, int]:
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        counts = {}
        for table in TABLES:
            cur.execute(f"select count(*) from {table}")  # noqa: S608 (fixed names)
            counts[table] = cur.fetchone()[0]
    conn.close()
    return counts


@pytest.mark.postgres
def test_backup_then_restore_into_an_empty_database(transactional_db, world, tmp_path, settings):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    activity = Activity.objects.create(
        organization=world.org_a, activity_type="theme_day", held_on=date(2026, 3, 1), topic="备份演练"
    )
    attachment = Attachment(activity=activity, kind="pdf", original_name="纪要.pdf", size=9)
    attachment.file.save("minutes.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    account = account_open(organization=world.org_a, by=None)
    ledger_post(
        kind=TransactionKind.ENTERPRISE_DEPOSIT,
        occurred_on=date(2026, 1, 5),
        memo="企业预存",
        legs=[(external_account("external_source"), Decimal("-500.00")), (account, Decimal("500.00"))],
        by=None,
    )
    source_counts = _counts(_url(connection.settings_dict["NAME"]))
    assert all(source_counts[t] > 0 for t in TABLES), source_counts

    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"]), "MEDIA_ROOT": str(media)}
    backup = subprocess.run(
        ["bash", "ops/backup.sh", str(tmp_path / "backups")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = backup.stdout.strip().splitlines()[-1]

    target = connection.settings_dict["NAME"] + "_restore"
    _admin_sql(f'drop database if exists "{target}"')
    _admin_sql(f'create database "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        env = {**os.environ, "DATABASE_URL": _url(target), "MEDIA_ROOT": str(restored_media)}
        restore = subprocess.run(
            ["bash", "ops/restore.sh", backup_dir], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert restore.returncode == 0, restore.stderr
        assert _counts(_url(target)) == source_counts
        conn = psycopg2.connect(_url(target))
        with conn.cursor() as cur:
            cur.execute("select id_number from members_member where id = %s", [world.member_a.pk])
            assert decrypt_text(cur.fetchone()[0]) == world.member_a.id_number
            cur.execute("select balance from funds_fundaccount where id = %s", [account.pk])
            assert cur.fetchone()[0] == Decimal("500.00")
        conn.close()
        assert (restored_media / attachment.file.name).read_bytes() == b"%PDF-1.4\n"
        # A second restore over the now-filled database is refused.
        again = subprocess.run(
            ["bash", "ops/restore.sh", backup_dir], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert again.returncode != 0 and "empty database" in again.stderr
    finally:
        _admin_sql(f'drop database if exists "{target}"')
