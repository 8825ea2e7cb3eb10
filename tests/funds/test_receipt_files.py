"""Receipts (报账票据): checked by content before anything is written,
stored under a random name, never served from MEDIA_URL, and sent only by
the scoped download view, always as a download."""

import re
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from funds import services
from funds.models import Application, FundTransaction, Receipt, TransactionKind
from tests.helpers import hostile_uploads as hostile
from tests.helpers.funds import file_project, open_accounts, through_publicity

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]+$")


@pytest.fixture
def disbursed(world):
    open_accounts(world, deposit="1000.00", pool="5000.00")
    application = file_project(world, "300.00")
    through_publicity(world, application, on=date(2026, 5, 1))
    return services.application_disburse(application=application, by=world.district, on=date(2026, 5, 6))


def _settle(client, application, *files: tuple[str, bytes]):
    uploads = [SimpleUploadedFile(name, content, content_type="application/pdf") for name, content in files]
    return client.post(
        reverse("funds:application_settle", args=[application.pk]), {"spent": "250", "receipts": uploads}, follow=True
    )


def _stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_receipt_is_stored_under_a_random_name_and_sent_as_a_download(world, login, disbursed):
    client = login(world.secretary_a)
    _settle(client, disbursed, ("2026年5月场地费发票.pdf", hostile.clean_pdf()))
    receipt = disbursed.receipts.get()
    stored = Path(receipt.file.name)
    assert RANDOM_NAME.match(stored.name) and stored.suffix == ".pdf"
    assert "发票" not in receipt.file.name
    assert receipt.description == "2026年5月场地费发票.pdf"

    url = reverse("funds:receipt_download", args=[disbursed.pk, receipt.pk])
    for user in (world.secretary_a, world.street_a_staff, world.district):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert quote("2026年5月场地费发票.pdf") in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == hostile.clean_pdf()


def test_outsider_gets_404_for_a_receipt(world, login, disbursed):
    _settle(login(world.secretary_a), disbursed, ("发票.pdf", hostile.clean_pdf()))
    receipt = disbursed.receipts.get()
    url = reverse("funds:receipt_download", args=[disbursed.pk, receipt.pk])
    assert login(world.secretary_b).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    other = file_project(world, "50.00")
    wrong_pair = reverse("funds:receipt_download", args=[other.pk, receipt.pk])
    assert login(world.district).get(wrong_pair).status_code == 404


def test_media_url_serves_no_receipt_even_under_debug(world, login, settings, disbursed):
    _settle(login(world.secretary_a), disbursed, ("发票.pdf", hostile.clean_pdf()))
    receipt = disbursed.receipts.get()
    paths = [f"/media/{receipt.file.name}", f"/media/funds/receipts/{disbursed.pk}/发票.pdf"]
    with hostile.urls_as_under_debug(settings):
        for client in (Client(), login(world.secretary_b)):
            for path in paths:
                response = client.get(path)
                assert response.status_code == 404, path
                assert b"%PDF-" not in response.content


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("发票.pdf", hostile.html_page, "内容不是PDF、OFD或图片"),
        ("发票.pdf", hostile.pdf_with_open_action_javascript, "含有脚本"),
        ("发票.pdf", hostile.png_image, "内容不是PDF、OFD或图片"),
        ("发票.jpg", hostile.windows_program, "内容不是PDF、OFD或图片"),
        ("发票.ofd", hostile.ofd_not_a_zip, "内容不是PDF、OFD或图片"),
        ("发票.ofd", hostile.zip_without_ofd, "内容不是PDF、OFD或图片"),
        ("发票.pdf", hostile.pdf_with_escaped_javascript_name, "/JavaScript"),
        ("发票.pdf", hostile.pdf_with_action_in_object_stream, "/Launch"),
        ("发票.pdf", hostile.pdf_with_encoded_object_stream, "无法检查"),
        ("发票.pdf", hostile.pdf_opening_a_web_page, "/OpenAction"),
        ("发票.html", hostile.html_page, "格式不支持"),
    ],
)
def test_hostile_receipt_is_refused_and_nothing_is_written(world, login, settings, disbursed, name, build, message):
    entries = FundTransaction.objects.count()
    response = _settle(login(world.secretary_a), disbursed, ("收据.pdf", hostile.clean_pdf()), (name, build()))
    body = response.content.decode()
    assert f"「{name}」" in body and message in body
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.DISBURSED
    assert not Receipt.objects.exists()
    assert FundTransaction.objects.count() == entries
    assert not FundTransaction.objects.filter(kind=TransactionKind.RETURN).exists()
    assert _stored_files(settings) == []


def test_each_receipt_is_stored_as_what_its_content_is(world, login, disbursed):
    _settle(
        login(world.secretary_a),
        disbursed,
        ("电子发票.ofd", hostile.ofd_document()),
        ("扫描件.jpeg", hostile.jpeg_image()),
        ("截图.png", hostile.png_image()),
        ("手机拍照.png", hostile.jpeg_image()),
        ("发票.pdf", hostile.pdf_opening_at_page_one()),
    )
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.SETTLEMENT_REVIEW
    stored = {r.description: Path(r.file.name).suffix for r in disbursed.receipts.all()}
    assert stored == {
        "电子发票.ofd": ".ofd",
        "扫描件.jpeg": ".jpg",
        "截图.png": ".png",
        "手机拍照.png": ".jpg",
        "发票.pdf": ".pdf",
    }
    photo = disbursed.receipts.get(description="手机拍照.png")
    response = login(world.secretary_a).get(reverse("funds:receipt_download", args=[disbursed.pk, photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert quote("手机拍照.jpg") in response["Content-Disposition"]
