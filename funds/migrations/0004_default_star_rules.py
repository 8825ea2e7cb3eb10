from django.db import migrations


def load(apps, schema_editor):
    from funds.reference import load_star_rules

    load_star_rules(apps.get_model("funds", "StarRule"))


class Migration(migrations.Migration):
    dependencies = [("funds", "0003_applications_and_star_rules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
