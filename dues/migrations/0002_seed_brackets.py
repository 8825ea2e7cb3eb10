"""The brackets of DESIGN.md §9 (the 2008 规定 of the 中央组织部), in force from 2008-04-01."""

from datetime import date
from decimal import Decimal

from django.db import migrations

FROM = date(2008, 4, 1)
BRACKETS = [
    # category, above, up to, rate, flat, label
    ("employed", None, "3000.00", "0.0050", None, "3,000元以下 0.5%"),
    ("employed", "3000.00", "5000.00", "0.0100", None, "3,000至5,000元 1%"),
    ("employed", "5000.00", "10000.00", "0.0150", None, "5,000至10,000元 1.5%"),
    ("employed", "10000.00", None, "0.0200", None, "10,000元以上 2%"),
    ("retired", None, "5000.00", "0.0050", None, "5,000元以下 0.5%"),
    ("retired", "5000.00", None, "0.0100", None, "5,000元以上 1%"),
    ("student", None, None, None, "0.20", "每月0.2元"),
    ("unemployed", None, None, None, "0.20", "每月0.2元"),
    ("subsistence", None, None, None, "0.20", "每月0.2元"),
]


def seed(apps, schema_editor):
    Bracket = apps.get_model("dues", "Bracket")
    for category, above, up_to, rate, flat, label in BRACKETS:
        Bracket.objects.get_or_create(
            category=category,
            valid_from=FROM,
            income_above=Decimal(above) if above else None,
            defaults={
                "income_up_to": Decimal(up_to) if up_to else None,
                "rate": Decimal(rate) if rate else None,
                "flat_amount": Decimal(flat) if flat else None,
                "label": label,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
