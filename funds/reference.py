"""The default star table of DESIGN.md §5, loaded by a data migration and by
tests or seeds whose flushed database has lost it."""

from datetime import date
from decimal import Decimal

DEFAULTS_FROM = date(2000, 1, 1)
# stars: (match rate on this year's deposits, yearly subsidy cap in yuan)
DEFAULT_STAR_RULES = {
    1: (Decimal("0.0000"), Decimal("0.00")),
    2: (Decimal("0.2000"), Decimal("1000.00")),
    3: (Decimal("0.5000"), Decimal("2000.00")),
    4: (Decimal("0.8000"), Decimal("3000.00")),
    5: (Decimal("1.0000"), Decimal("5000.00")),
}


def load_star_rules(StarRule) -> None:
    for stars, (rate, cap) in DEFAULT_STAR_RULES.items():
        StarRule.objects.get_or_create(
            stars=stars,
            effective_from=DEFAULTS_FROM,
            defaults={"match_rate": rate, "subsidy_cap": cap, "note": "DESIGN §5 默认标准"},
        )


def ensure_reference_data() -> None:
    from .models import StarRule

    load_star_rules(StarRule)
