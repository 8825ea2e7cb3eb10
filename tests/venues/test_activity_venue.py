"""An activity record names its venue: only one its organization may use."""

from datetime import date

import pytest

from activities.forms import ActivityForm
from activities.models import Activity
from activities.services import activity_create, activity_update
from core.errors import ApplicationError
from venues import services


def _file(by, organization, **fields):
    return activity_create(
        organization=organization,
        by=by,
        attendance=[],
        activity_type="theme_day",
        held_on=fields.pop("held_on", date(2026, 3, 2)),
        topic="主题党日",
        **fields,
    )


def test_a_record_names_its_own_or_a_shared_venue(world, site):
    own = _file(world.secretary_a, world.org_a, venue=site.room)
    assert own.venue == site.room
    shared = _file(site.secretary_c, site.org_c, venue=site.center)
    assert list(site.center.activities.all()) == [shared]


def test_a_venue_the_organization_may_not_use_is_refused(world, site):
    with pytest.raises(ApplicationError) as exc:
        _file(site.secretary_c, site.org_c, venue=site.room)
    assert "venue" in exc.value.error_dict
    # Shared for 2026 only: a record of 2025 may not name it.
    with pytest.raises(ApplicationError):
        _file(site.secretary_c, site.org_c, venue=site.center, held_on=date(2025, 12, 1))
    assert Activity.objects.count() == 0
    record = _file(site.secretary_c, site.org_c)
    with pytest.raises(ApplicationError):
        activity_update(activity=record, by=site.secretary_c, attendance=[], venue=site.room)
    record.refresh_from_db()
    assert record.venue is None


def test_the_form_offers_only_usable_venues(world, site):
    assert set(ActivityForm(organization=site.org_c).fields["venue"].queryset) == {site.center}
    assert set(ActivityForm(organization=world.org_a).fields["venue"].queryset) == {site.room}
    services.venue_update(by=world.secretary_a, venue=site.room, active=False)
    assert set(ActivityForm(organization=world.org_a).fields["venue"].queryset) == set()


def test_the_api_files_a_record_with_its_venue(api, world, site):
    body = {"organization": world.org_a.pk, "type": "theme_day", "held_on": "2026-03-02", "topic": "主题党日"}
    client = api(world.secretary_a)
    response = client.post("/api/v1/activities/", {**body, "venue": site.center.pk}, format="json")
    assert response.status_code == 400 and "venue" in response.json()
    response = client.post("/api/v1/activities/", {**body, "venue": site.room.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["venue"] == site.room.pk and response.json()["venue_name"] == "甲企业党员活动室"
