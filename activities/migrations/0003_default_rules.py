"""The compliance engine's default expectations. See activities/reference.py."""

from django.db import migrations


def load(apps, schema_editor):
    from activities.reference import load_default_rules

    load_default_rules(apps.get_model("activities", "ComplianceRule"))


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
