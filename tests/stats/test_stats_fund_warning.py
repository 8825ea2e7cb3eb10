"""The nightly warnings pick up fund applications waiting on someone too long."""

from datetime import timedelta

from django.utils import timezone

from orgs.models import Alert
from stats.warnings import warnings_refresh


def _application(world, waiting_days: int):
    from funds.models import Application
    from tests.helpers.funds import file_project, open_accounts

    open_accounts(world, deposit="1000.00")
    application = file_project(world, "100.00")
    # Filed some days ago and still with the street.
    Application.objects.filter(pk=application.pk).update(waiting_since=timezone.now() - timedelta(days=waiting_days))
    application.refresh_from_db()
    return application


def test_application_waiting_more_than_ten_days_opens_then_closes_a_red_or_yellow_alert(world):
    application = _application(world, waiting_days=12)
    warnings_refresh(on=timezone.localdate())
    alert = Alert.objects.get(kind=Alert.Kind.FUND_WAITING, closed_on__isnull=True)
    assert alert.organization == world.org_a and alert.street == world.street_a
    assert "待街道审批" in alert.message and str(application.pk) in alert.link
    application.status = "settled"
    application.save(update_fields=["status"])
    warnings_refresh(on=timezone.localdate())
    alert.refresh_from_db()
    assert alert.closed_on == timezone.localdate()


def test_application_waiting_a_few_days_raises_nothing(world):
    _application(world, waiting_days=3)
    warnings_refresh(on=timezone.localdate())
    assert not Alert.objects.filter(kind=Alert.Kind.FUND_WAITING).exists()
