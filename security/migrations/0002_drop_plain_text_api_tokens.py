"""DRF's authtoken app is gone (API tokens are django-rest-knox's, stored as
digests). Its table held every key in plain text and keys that never expired;
drop it, and its migration records, so nothing of it is left to read or to
mistake for applied if the app ever came back."""

from django.db import migrations

DROP = """
DROP TABLE IF EXISTS authtoken_token;
DELETE FROM django_migrations WHERE app = 'authtoken';
"""


def forwards(apps, schema_editor):
    for statement in DROP.strip().splitlines():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_audit_log_read_only")]

    # Old keys are not carried over, on purpose: they never expired and may
    # have been issued without the second factor. Scripts fetch a new token.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
