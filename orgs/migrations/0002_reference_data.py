"""Reference data: GB/T 4754-2017 industry sections and the default star
rating scheme (editable afterwards in the admin). See orgs/reference.py."""

from django.db import migrations


def load(apps, schema_editor):
    from orgs.reference import load_industries, load_rating_defaults

    load_industries(apps.get_model("orgs", "Industry"))
    load_rating_defaults(apps.get_model("orgs", "RatingCriterion"), apps.get_model("orgs", "StarThreshold"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
