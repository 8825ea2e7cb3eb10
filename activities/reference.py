"""The compliance engine's default expectations (DESIGN.md §2 table)."""

RULES = [
    ("general_meeting", "quarter", 1, "always"),
    ("committee_meeting", "month", 1, "has_committee"),
    ("group_meeting", "month", 1, "has_groups"),
    ("party_lecture", "quarter", 1, "always"),
    ("theme_day", "month", 1, "always"),
    ("life_meeting", "year", 1, "always"),
    ("appraisal", "year", 1, "always"),
]


def load_default_rules(ComplianceRule) -> None:
    for activity_type, period, minimum, applies_to in RULES:
        ComplianceRule.objects.get_or_create(
            activity_type=activity_type, defaults={"period": period, "minimum": minimum, "applies_to": applies_to}
        )


def ensure_reference_data() -> None:
    from .models import ComplianceRule

    if not ComplianceRule.objects.exists():
        load_default_rules(ComplianceRule)
