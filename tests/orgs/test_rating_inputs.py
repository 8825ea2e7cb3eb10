"""The rating's manual inputs entered on pages and through the API: the 六有
checklist by street staff of the organization's street (with photos), and
the 一票否决 by district staff, entered and lifted with a reason."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.i18n import in_chinese, listed
from orgs.models import Rating, RatingVeto, Role, VenueChecklist, VenuePhoto
from orgs.reference import ensure_reference_data
from tests.factories import grant

ALL_YES = {"place": True, "facilities": True, "sign": True, "flag": True, "books": True, "rules": False}
PAGE_ITEMS = {"has_place": "on", "has_facilities": "on", "has_sign": "on", "has_flag": "on", "has_reading": "on"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def photo(name="阵地.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def venue_url(org):
    return reverse("orgs:organization_venue_check", args=[org.pk])


def api_url(org):
    return f"/api/v1/organizations/{org.pk}/venue-checks/"


def venue_missing(org) -> str:
    rating = Rating.objects.filter(organization=org).latest("computed_on")
    line = next(c for c in rating.evidence["criteria"] if c["code"] == "venue")
    return in_chinese(listed(line["missing"]))


# --- 六有 on the page --------------------------------------------------------------------------


def test_street_staff_enter_checklist_and_the_rating_reads_it(world, login):
    ensure_reference_data()
    call_command("compute_stats")
    assert "街道尚未录入六有检查" in venue_missing(world.org_a)

    client = login(world.street_a_staff)
    today = timezone.localdate().isoformat()
    response = client.post(venue_url(world.org_a), {**PAGE_ITEMS, "checked_on": today, "photos": [photo()]})
    assert response.status_code == 302
    checklist = VenueChecklist.objects.get(organization=world.org_a)
    assert checklist.score == 5 and not checklist.has_rules and checklist.checked_by == world.street_a_staff
    assert checklist.photos.count() == 1

    call_command("compute_stats")
    missing = venue_missing(world.org_a)
    assert "街道尚未录入六有检查" not in missing
    assert "有制度" in missing

    page = client.get(venue_url(world.org_a))
    assert page.status_code == 200 and "阵地.png" in page.content.decode()


def test_photo_is_served_in_scope_only(world, login):
    client = login(world.street_a_staff)
    client.post(
        venue_url(world.org_a),
        {**PAGE_ITEMS, "checked_on": timezone.localdate().isoformat(), "photos": [photo()]},
    )
    stored = VenuePhoto.objects.get()
    url = reverse("orgs:organization_venue_photo", args=[world.org_a.pk, stored.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert login(world.secretary_b).get(url).status_code == 404
    # The photo asked for through another organization's address is not found either.
    other = reverse("orgs:organization_venue_photo", args=[world.org_b.pk, stored.pk])
    assert login(world.district).get(other).status_code == 404


def test_a_file_that_is_no_photo_is_refused_and_nothing_written(world, login):
    client = login(world.street_a_staff)
    fake = SimpleUploadedFile("阵地.png", b"<html>not a photo</html>", content_type="image/png")
    response = client.post(venue_url(world.org_a), {**PAGE_ITEMS, "checked_on": timezone.localdate(), "photos": [fake]})
    assert response.status_code == 400
    assert "不是照片" in response.content.decode()
    assert not VenueChecklist.objects.exists() and not VenuePhoto.objects.exists()


def test_future_check_date_is_refused_naming_the_field(world, login):
    client = login(world.street_a_staff)
    tomorrow = timezone.localdate().toordinal() + 1
    from datetime import date

    response = client.post(venue_url(world.org_a), {**PAGE_ITEMS, "checked_on": date.fromordinal(tomorrow)})
    assert response.status_code == 400 and "检查日期不能晚于今天" in response.content.decode()
    assert not VenueChecklist.objects.exists()


def test_page_outsider_gets_404_and_other_roles_403(world, login):
    assert login(world.street_a_staff).post(venue_url(world.org_b), PAGE_ITEMS).status_code == 404
    for user in (world.district, world.secretary_a):
        assert login(user).post(venue_url(world.org_a), PAGE_ITEMS).status_code == 403
    assert login(world.secretary_b).get(venue_url(world.org_a)).status_code == 404
    assert not VenueChecklist.objects.exists()


def test_form_shown_only_to_street_staff_of_the_street(world, login):
    assert 'name="has_place"' in login(world.street_a_staff).get(venue_url(world.org_a)).content.decode()
    assert 'name="has_place"' not in login(world.district).get(venue_url(world.org_a)).content.decode()


# --- 六有 through the API ----------------------------------------------------------------------


def test_api_street_staff_record_checklist(world, api):
    response = api(world.street_a_staff).post(api_url(world.org_a), ALL_YES, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 5 and response.json()["rules"] is False
    assert VenueChecklist.objects.get(organization=world.org_a).has_reading


def test_api_outsider_404_others_403_nothing_written(world, api):
    assert api(world.street_a_staff).post(api_url(world.org_b), ALL_YES, format="json").status_code == 404
    for user in (world.district, world.secretary_a, world.leader):
        assert api(user).post(api_url(world.org_a), ALL_YES, format="json").status_code == 403
    assert not VenueChecklist.objects.exists()


def test_api_missing_item_names_the_field(world, api):
    body = {k: v for k, v in ALL_YES.items() if k != "flag"}
    response = api(world.street_a_staff).post(api_url(world.org_a), body, format="json")
    assert response.status_code == 400 and "flag" in response.json()
    assert not VenueChecklist.objects.exists()


def test_organization_reached_but_outside_the_street_names_the_field(world, api):
    """Street staff of A who also keep org B as its secretary reach B, yet may not enter B's checklist."""
    grant(world.street_a_staff, Role.SECRETARY, organization=world.org_b)
    response = api(world.street_a_staff).post(api_url(world.org_b), ALL_YES, format="json")
    assert response.status_code == 400
    assert "不在您所在的街道" in str(response.json()["organization"])
    assert not VenueChecklist.objects.exists()


def test_page_and_api_agree(world, api, login):
    api(world.street_a_staff).post(api_url(world.org_a), ALL_YES, format="json")
    by_api = VenueChecklist.objects.get(organization=world.org_a)
    values_api = [getattr(by_api, i) for i in VenueChecklist.ITEMS]
    by_api.delete()
    login(world.street_a_staff).post(venue_url(world.org_a), {**PAGE_ITEMS, "checked_on": timezone.localdate()})
    by_page = VenueChecklist.objects.get(organization=world.org_a)
    assert [getattr(by_page, i) for i in VenueChecklist.ITEMS] == values_api


# --- 一票否决 -----------------------------------------------------------------------------------


def veto_url(org):
    return reverse("orgs:organization_veto", args=[org.pk])


def test_district_enters_and_lifts_a_veto_with_reasons(world, login):
    client = login(world.district)
    response = client.post(veto_url(world.org_a), {"reason": "发生严重违纪"}, follow=True)
    assert "一票否决已录入" in response.content.decode()
    veto = RatingVeto.objects.get(organization=world.org_a)
    assert veto.year == timezone.localdate().year and veto.entered_by == world.district

    lift = reverse("orgs:organization_veto_lift", args=[world.org_a.pk, veto.pk])
    response = client.post(lift, {"revoke_reason": ""}, follow=True)
    assert "撤销一票否决须填写理由" in response.content.decode()
    veto.refresh_from_db()
    assert veto.revoked_at is None

    client.post(lift, {"revoke_reason": "经复核不属实"})
    veto.refresh_from_db()
    assert veto.revoked_at is not None and veto.revoke_reason == "经复核不属实" and veto.revoked_by == world.district


def test_veto_without_reason_is_refused_and_nothing_written(world, login):
    response = login(world.district).post(veto_url(world.org_a), {"reason": "  "}, follow=True)
    assert "录入一票否决须填写事由" in response.content.decode()
    assert not RatingVeto.objects.exists()


def test_veto_by_others_is_refused(world, login):
    assert login(world.street_a_staff).post(veto_url(world.org_a), {"reason": "x"}).status_code == 403
    assert login(world.street_a_staff).post(veto_url(world.org_b), {"reason": "x"}).status_code == 404
    assert login(world.secretary_a).post(veto_url(world.org_a), {"reason": "x"}).status_code == 403
    assert login(world.leader).post(veto_url(world.org_a), {"reason": "x"}).status_code == 403
    assert not RatingVeto.objects.exists()


def test_veto_caps_the_next_run_and_lifting_it_restores(world, login):
    ensure_reference_data()
    client = login(world.district)
    client.post(veto_url(world.org_a), {"reason": "严重违纪"})
    call_command("compute_stats")
    assert Rating.objects.filter(organization=world.org_a).latest("computed_on").vetoed
    veto = RatingVeto.objects.get()
    client.post(reverse("orgs:organization_veto_lift", args=[world.org_a.pk, veto.pk]), {"revoke_reason": "复核撤销"})
    call_command("compute_stats")
    assert not Rating.objects.filter(organization=world.org_a).latest("computed_on").vetoed


# --- the street's overview of the year's checks --------------------------------------------------


def test_overview_lists_the_streets_organizations_and_export_matches(world, login):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.factories import OrganizationFactory

    for n in range(3):
        OrganizationFactory(street=world.street_a, name=f"中共甲{n}支部")
    client = login(world.street_a_staff)
    client.post(venue_url(world.org_a), {**PAGE_ITEMS, "checked_on": timezone.localdate()})
    for query, expected in (({}, 4), ({"entered": "1"}, 1), ({"entered": "0"}, 3)):
        listed = client.get(reverse("orgs:venue_check_list"), query)
        assert listed.context["page"].paginator.count == expected
        assert world.org_b.name not in listed.content.decode()
        export = client.get(reverse("orgs:venue_check_export"), query)
        rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))[1:]
        assert len(rows) == expected
    page = client.get(reverse("orgs:venue_check_list"), {"entered": "1"}).content.decode()
    assert "5/6" in page
