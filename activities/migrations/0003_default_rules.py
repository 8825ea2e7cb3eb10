"""The compliance engine's default expectations (DESIGN.md §2 table)."""

from django.db import migrations

RULES = [
    ("general_meeting", "quarter", 1, "always"),
    ("committee_meeting", "month", 1, "has_committee"),
    ("group_meeting", "month", 1, "has_groups"),
    ("party_lecture", "quarter", 1, "always"),
    ("theme_day", "month", 1, "always"),
    ("life_meeting", "year", 1, "always"),
    ("appraisal", "year", 1, "always"),
]


def load(apps, schema_editor):
    ComplianceRule = apps.get_model("activities", "ComplianceRule")
    for activity_type, period, minimum, applies_to in RULES:
        ComplianceRule.objects.update_or_create(
            activity_type=activity_type,
            defaults={"period": period, "minimum": minimum, "applies_to": applies_to},
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
