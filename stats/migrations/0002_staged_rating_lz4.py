"""The staged ratings' evidence compressed with lz4 where the server has it.

At 100,000 enterprises a run stages about 90 MB of evidence; PostgreSQL's
default compression (pglz) is several times slower than lz4 at writing it,
and INSERT … SELECT copies a compressed value into orgs_rating as it is. A
server built without lz4 keeps pglz (nothing else changes)."""

from django.db import migrations, transaction


def lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE stats_stagedrating ALTER COLUMN evidence SET COMPRESSION lz4,"
                " ALTER COLUMN next_star_gap SET COMPRESSION lz4"
            )
    except Exception:  # noqa: BLE001 - a server without lz4 support: pglz stays
        pass


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_staging_tables")]

    operations = [migrations.RunPython(lz4, migrations.RunPython.noop)]
