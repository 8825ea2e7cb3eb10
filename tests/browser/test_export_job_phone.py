"""The export job pages on a 390-px phone: the progress bar polls until the
job is done and the page then shows the download link; a failed, an expired
job and "my exports" fit the screen and offer what to do next."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportJob

from .conftest import shot
from .test_phone_layouts import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["width"] + 1, overflow


def test_export_job_pages_on_a_phone(world, phone_as, live_server, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client = Client()
    client.force_login(world.street_a_staff)
    client.get(reverse("orgs:survey_ledger_export"))
    done = ExportJob.objects.get()
    assert done.status == ExportJob.Status.DONE
    page = phone_as(world.street_a_staff)

    # Running: the bar polls; when the job finishes the page shows the link.
    ExportJob.objects.filter(pk=done.pk).update(status="running", progress=40, note="已写入 2000 / 5000 行")
    page.goto(live_server.url + reverse("exports:job", args=[done.pk]))
    assert page.locator("#export-progress progress").get_attribute("value") == "40"
    _fits(page)
    shot(page, "export-running-390")
    ExportJob.objects.filter(pk=done.pk).update(status="done", progress=100, note="")
    page.get_by_role("link", name="下载文件").wait_for(timeout=10000)
    _fits(page)
    shot(page, "export-done-390")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载文件").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # Failed: the reason and a retry button that works.
    ExportJob.objects.filter(pk=done.pk).update(status="failed", error="导出进程已中断，请重新导出")
    page.goto(live_server.url + reverse("exports:job", args=[done.pk]))
    assert page.get_by_text("导出进程已中断").is_visible()
    _fits(page)
    shot(page, "export-failed-390")
    page.get_by_role("button", name="重新导出").click()
    page.get_by_role("link", name="下载文件").wait_for(timeout=10000)

    # Expired: said plainly, with the button to export again.
    ExportJob.objects.filter(pk=done.pk).update(status="expired", expires_at=timezone.now() - timedelta(hours=1))
    page.goto(live_server.url + reverse("exports:job", args=[done.pk]))
    assert page.get_by_text("已过期并已删除").is_visible()
    assert page.get_by_role("button", name="重新导出").is_visible()
    _fits(page)
    shot(page, "export-expired-390")

    page.get_by_role("link", name="我的导出").click()
    assert page.get_by_role("link", name=done.title).is_visible()
    _fits(page)
    shot(page, "export-list-390")
