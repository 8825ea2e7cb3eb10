"""Records built directly (no service), for tests that need rows to read:
activities, instructor assignments, ratings, yearly surveys, warnings."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from activities.models import Activity, ActivityStep
from orgs.models import Alert, EnterpriseSurvey, InstructorAssignment, Rating, SurveyFacts
from tests.factories import make_id_number


def make_activity(org, n=0, **over):
    """A record as the services leave it: one that went through submission
    carries its submission time (and its submitter, with the history line
    naming them, when `submitted_by` is given)."""
    fields = {
        "organization": org,
        "activity_type": "theme_day",
        "held_on": date(2026, 3, 1 + n % 28),
        "topic": f"主题党日{n}",
        "status": "approved",
    }
    fields.update(over)
    if fields["status"] != Activity.Status.DRAFT:
        fields.setdefault("submitted_at", timezone.now() - timedelta(days=1))
    activity = Activity.objects.create(**fields)
    if activity.created_by_id:
        ActivityStep.objects.create(activity=activity, action="created", by=activity.created_by, at=activity.created_at)
    if activity.submitted_by_id and activity.submitted_at:
        ActivityStep.objects.create(
            activity=activity, action="submitted", by=activity.submitted_by, at=activity.submitted_at
        )
    return activity


def activity_form(world, **overrides):
    """The record page's form as a secretary fills it: a 主题党日 of
    world.org_a held today with world.member_a present, to submit."""
    data = {
        "organization": world.org_a.pk,
        "activity_type": "theme_day",
        "held_on": timezone.localdate().isoformat(),
        "topic": "学习党章",
        "place": "会议室",
        "host": "张甲",
        "recorder": "张甲",
        "minutes": "学习了党章第一章",
        "decisions": "",
        "present": [str(world.member_a.pk)],
        "action": "submit",
    }
    data.update(overrides)
    return data


def make_assignment(world, enterprise, n=0):
    return InstructorAssignment.objects.create(
        instructor=world.instructor, enterprise=enterprise, start_on=date(2026, 1, 1)
    )


def make_rating(org, n=0):
    return Rating.objects.create(
        organization=org,
        year=2025,
        computed_on=date(2025, 1, 1) + timedelta(days=n),
        published_on=date(2025, 1, 1) + timedelta(days=n),
        score=Decimal("81.50"),
        computed_stars=4,
    )


def make_survey(enterprise, year=2025):
    facts = {name: getattr(enterprise, name) for name in SurveyFacts.fact_field_names()}
    return EnterpriseSurvey.objects.create(enterprise=enterprise, year=year, survey_date=date(year, 12, 31), **facts)


def make_alert(org, n=0):
    return Alert.objects.create(
        kind="no_secretary",
        level="yellow",
        street=org.street,
        organization=org,
        subject_key=f"org:{org.pk}:{n}",
        message="未配备书记",
        opened_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 2),
    )


def member_form_data(world, **overrides) -> dict:
    """What the roster page's form posts for a new applicant of organization A."""
    data = {
        "organization": world.org_a.pk,
        "name": "王新",
        "id_number": make_id_number(777),
        "gender": "male",
        "phone": "13912345678",
        "stage": "applicant",
        "applied_on": "2025-03-01",
        "mobility": "",
    }
    data.update(overrides)
    return data
