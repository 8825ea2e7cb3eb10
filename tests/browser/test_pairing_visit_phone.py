"""A cadre logs a visit on a 390-px phone: date, kind, findings, follow-up,
problem found and a photo from the camera; the pairing page then shows the
visit, its photo and this quarter's progress."""

from datetime import date

import pytest
from django.urls import reverse
from PIL import Image

from pairings.models import Pairing, PairingKind, Visit, VisitPhoto

from .conftest import shot
from .test_phone_layouts import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_visit_on_a_phone(world, phone_as, live_server, tmp_path):
    pairing = Pairing.objects.create(
        kind=PairingKind.CADRE_POINT,
        side_kind="cadre",
        side_user=world.street_a_staff,
        enterprise=world.enterprise_a,
        street=world.street_a,
        starts_on=date(2025, 1, 1),
        quota_per_quarter=2,
    )
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (1200, 900), "orange").save(photo, format="JPEG")
    page = phone_as(world.street_a_staff)
    page.goto(live_server.url + reverse("pairings:detail", args=[pairing.pk]))
    page.get_by_role("link", name="登记联系").click()
    form = page.get_by_test_id("visit-form")
    assert form.locator("input[type=file]").get_attribute("accept") == "image/*"
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["width"] + 1, overflow
    page.get_by_label("联系方式").select_option("help")
    page.get_by_label("了解情况").fill("企业反映招工难")
    page.get_by_label("后续跟进").fill("对接人社部门")
    page.get_by_label("发现问题").check()
    form.locator("input[type=file]").set_input_files(str(photo))
    shot(page, "pairing-visit-390")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("quota-progress").wait_for()
    assert "已联系 1 次，定量 2 次" in page.get_by_test_id("quota-progress").inner_text()
    assert page.get_by_text("企业反映招工难").is_visible()
    assert page.get_by_text("发现问题，待解决").is_visible()
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["width"] + 1, overflow
    shot(page, "pairing-detail-390")
    visit = Visit.objects.get()
    assert visit.kind == Visit.Kind.HELP and visit.problem_found
    assert VisitPhoto.objects.get().visit == visit
