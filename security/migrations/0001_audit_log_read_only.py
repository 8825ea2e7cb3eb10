"""On PostgreSQL the audit table refuses edits, and deletions of records
younger than 180 days, whoever connects: the application, the admin, or a
person at a psql prompt with the application's role."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- The one change allowed: deleting a user sets their entries' actor to
        -- NULL (the entry keeps the actor's e-mail and the text of what happened).
        IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
           AND row(NEW.timestamp, NEW.action, NEW.object_pk, NEW.object_repr, NEW.changes::text, NEW.remote_addr)
               IS NOT DISTINCT FROM
               row(OLD.timestamp, OLD.action, OLD.object_pk, OLD.object_repr, OLD.changes::text, OLD.remote_addr) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit log records are read-only';
    END IF;
    IF OLD.timestamp > now() - interval '180 days' THEN
        RAISE EXCEPTION 'audit log records younger than 180 days cannot be deleted';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_log_guard ON auditlog_logentry;
CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_log_guard ON auditlog_logentry;
DROP FUNCTION IF EXISTS audit_log_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunPython(forwards, backwards)]
