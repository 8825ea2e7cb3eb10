"""PostgreSQL refuses two live bookings of one venue whose times meet, as a
second guard behind the service's check (which runs under a lock on the
venue row, on SQLite too). The exclusion constraint needs btree_gist for the
equality on the venue and the day; a server where the extension cannot be
created keeps the service's check alone. SQLite has no such constraint."""

from django.db import migrations, transaction

CONSTRAINT = "booking_no_overlap"


def add(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            cursor.execute(
                f"ALTER TABLE venues_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
                " venue_id WITH =,"
                " tsrange(booked_on + starts_at, booked_on + ends_at, '[)') WITH &&"
                ") WHERE (status = 'booked')"
            )
    except Exception:  # noqa: BLE001 - no btree_gist on this server: the service's check stays
        pass


def remove(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
