"""On PostgreSQL the fund's journal and the audit trail refuse TRUNCATE too:
the row triggers (funds' pgtrigger guards, 0001 here) do not fire for a
TRUNCATE, which empties a table in one statement. The statement trigger
fires for whoever connects, the owner included. The owner may say in a
session that it means it (`SET partybuilding.allow_truncate = on`: the test
suite's flush between tests does); that changes nothing for the application,
whose role has no TRUNCATE privilege on these tables at all (ops/app_role.sql)."""

from django.db import migrations

TABLES = ("funds_fundtransaction", "funds_fundentry", "auditlog_logentry")

CREATE = """
CREATE OR REPLACE FUNCTION append_only_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('partybuilding.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION append_only_no_truncate();
"""
    for table in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS append_only_no_truncate();\n"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0002_drop_plain_text_api_tokens"),
        ("funds", "0004_default_star_rules"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
