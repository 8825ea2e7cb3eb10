"""Steps for the records filed before their history was kept. See activities/backfill.py."""

from django.db import migrations


def backfill(apps, schema_editor):
    from activities.backfill import backfill_steps

    backfill_steps(
        activity_model=apps.get_model("activities", "Activity"),
        step_model=apps.get_model("activities", "ActivityStep"),
        log_model=apps.get_model("auditlog", "LogEntry"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_activity_steps_and_submitter"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
