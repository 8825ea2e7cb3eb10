"""Attachments of activity records, and what holds for every uploaded file:
it is stored under a random name, MEDIA_URL serves nothing (not even under
DEBUG), a scoped view sends it as a download, and a hostile file is refused
by its content with nothing written."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Attachment
from exports.models import ExportJob
from funds.models import Receipt
from orgs.models import AlertStep, ImportBatch, VenueChecklist, VenuePhoto
from pairings.models import Visit, VisitPhoto
from tests.factories import UserFactory
from tests.helpers import hostile_uploads as hostile
from tests.helpers.records import activity_form

from .conftest import make_photo

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}(\.[a-z]+)?$")


def _file(world, login, name: str, content: bytes):
    files = [SimpleUploadedFile(name, content, content_type="application/octet-stream")]
    data = activity_form(world, action="save", files=files)
    return login(world.secretary_a).post(reverse("activities:create"), data)


def _stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_photo_is_stored_under_a_random_name_and_sent_as_a_download(world, login):
    _file(world, login, "全体党员合影.jpg", make_photo(800, 600))
    activity = Activity.objects.get()
    attachment = activity.attachments.get()
    assert attachment.original_name == "全体党员合影.jpg"
    stored = Path(attachment.file.name)
    assert RANDOM_NAME.match(stored.name) and stored.suffix == ".jpg"
    assert "合影" not in attachment.file.name

    url = reverse("activities:attachment", args=[activity.pk, attachment.pk])
    response = login(world.secretary_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("全体党员合影.jpg") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_pdf_is_sent_as_a_download_never_inline(world, login):
    _file(world, login, "会议纪要.pdf", hostile.clean_pdf())
    activity = Activity.objects.get()
    attachment = activity.attachments.get()
    assert Path(attachment.file.name).suffix == ".pdf" and "纪要" not in attachment.file.name
    response = login(world.district).get(reverse("activities:attachment", args=[activity.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "inline" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_outsider_and_anonymous_get_no_attachment(world, login):
    _file(world, login, "会议纪要.pdf", hostile.clean_pdf())
    activity = Activity.objects.get()
    url = reverse("activities:attachment", args=[activity.pk, activity.attachments.get().pk])
    assert login(world.secretary_b).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_behind_nginx_the_view_answers_with_x_accel_redirect(world, login, settings):
    settings.PROTECTED_MEDIA_REDIRECT = "/protected/"
    _file(world, login, "会议纪要.pdf", hostile.clean_pdf())
    activity = Activity.objects.get()
    attachment = activity.attachments.get()
    url = reverse("activities:attachment", args=[activity.pk, attachment.pk])
    response = login(world.secretary_a).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{attachment.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login(world.secretary_b).get(url).status_code == 404


def test_media_url_serves_no_upload_even_under_debug(world, login, settings):
    _file(world, login, "现场.jpg", make_photo(400, 300))
    attachment = Attachment.objects.get()
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.SURVEY, year=2026, file_name="排查表.xlsx", file_hash="", created_by=world.district
    )
    batch.source.save("2026年排查表（含联系电话）.xlsx", ContentFile(b"PK\x03\x04 a survey with phones"), save=True)
    assert "排查表" not in batch.source.name
    paths = [
        f"/media/{attachment.file.name}",
        f"/media/{batch.source.name}",
        # The paths spelled from the names people gave their files, as they were stored before.
        f"/media/activities/{world.org_a.pk}/{attachment.activity_id}/现场.jpg",
        f"/media/imports/{timezone.localdate():%Y/%m}/2026年排查表（含联系电话）.xlsx",
    ]
    with hostile.urls_as_under_debug(settings):
        for client in (Client(), login(world.secretary_b)):
            for path in paths:
                response = client.get(path)
                assert response.status_code == 404, path
                assert b"phones" not in response.content and b"\xff\xd8\xff" not in response.content


def test_admin_links_attachments_to_the_scoped_view(world, login, client):
    _file(world, login, "会议纪要.pdf", hostile.clean_pdf())
    attachment = Attachment.objects.get()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    body = client.get(reverse("admin:activities_activity_change", args=[attachment.activity_id])).content.decode()
    assert reverse("activities:attachment", args=[attachment.activity_id, attachment.pk]) in body
    assert "会议纪要.pdf" in body and "/media/" not in body


def test_every_upload_to_gives_a_random_name():
    original = "2026年全体党员名单（含电话13812345678）.xlsx"
    instances = {
        Attachment: Attachment(activity=Activity(pk=2, organization_id=1)),
        Receipt: Receipt(application_id=3),
        ImportBatch: ImportBatch(),
        VenuePhoto: VenuePhoto(checklist=VenueChecklist(pk=4, organization_id=1)),
        AlertStep: AlertStep(alert_id=5),
        ExportJob: ExportJob(),
        VisitPhoto: VisitPhoto(visit=Visit(pk=6, pairing_id=7)),
    }
    file_fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    # A new file field must say how it names what it stores: add it here.
    assert {model for model, _field in file_fields} == set(instances)
    for model, field in file_fields:
        first = Path(field.generate_filename(instances[model], original))
        second = Path(field.generate_filename(instances[model], original))
        assert RANDOM_NAME.match(first.name), first
        assert first != second
        assert "党员" not in str(first)


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("会议签到表.pdf", hostile.html_page, "不是照片或PDF文件"),
        ("会议纪要.pdf", hostile.pdf_with_open_action_javascript, "含有脚本"),
        ("会议签到表.pdf", hostile.png_image, "不是照片或PDF文件"),
        ("现场.jpg", hostile.windows_program, "不是照片或PDF文件"),
        ("会议纪要.ofd", hostile.ofd_not_a_zip, "不是照片或PDF文件"),
        ("会议纪要.ofd", hostile.ofd_document, "不是照片或PDF文件"),
        ("会议纪要.pdf", hostile.pdf_with_escaped_javascript_name, "/JavaScript"),
        ("会议纪要.pdf", hostile.pdf_with_action_in_object_stream, "/Launch"),
        ("会议纪要.pdf", hostile.pdf_with_encoded_object_stream, "无法检查"),
        ("会议纪要.pdf", hostile.pdf_opening_a_web_page, "/OpenAction"),
    ],
)
def test_hostile_file_is_refused_and_nothing_is_written(world, login, settings, name, build, message):
    response = _file(world, login, name, build())
    body = response.content.decode()
    assert response.status_code == 200
    assert f"「{name}」" in body and message in body
    assert not Activity.objects.exists() and not Attachment.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    "build", [hostile.clean_pdf, hostile.pdf_with_compressed_page, hostile.pdf_opening_at_page_one]
)
def test_honest_pdf_is_accepted(world, login, build):
    content = build()
    _file(world, login, "会议纪要.pdf", content)
    attachment = Activity.objects.get().attachments.get()
    assert attachment.kind == Attachment.Kind.PDF
    assert attachment.file.read() == content
