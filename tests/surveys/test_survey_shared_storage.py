"""A survey uploaded on the web host is checked and imported by a worker on
another host (DESIGN.md §11): the two share object storage, not a disk.

What proves it: the storage is one with no local path (`path()` refused,
as S3's), and every attempt to ask for one is recorded; each "host" builds
its own storage instance from its own settings (its own MEDIA_ROOT), and
the only thing both reach is the shared bucket. The web host's folder is
removed before the worker runs, and neither host's folder ever holds a
file. The message between them carries ids only, as a broker would. The
control: a worker whose storage is its own disk (not shared) finds the file
gone and says so, so the passing tests are not passing by accident. The
test with a real worker process and a real broker is
tests/jobs/test_worker_sigkill.py."""

import io
import shutil

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core import jobs
from orgs.models import Enterprise, ImportBatch
from surveys.batches import survey_batch_confirm, survey_batch_submit
from tests.helpers.shared_storage import BACKEND, SharedBucketStorage
from tests.helpers.survey_files import survey_row, write_xlsx

SHARED = {"BACKEND": BACKEND}
LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.fixture(autouse=True)
def _bucket():
    SharedBucketStorage.empty()
    yield
    SharedBucketStorage.empty()


def _files_in(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _host(settings, media_root, storage: dict) -> object:
    """Become a host: its own MEDIA_ROOT and its own storage instance."""
    settings.MEDIA_ROOT = media_root
    settings.STORAGES = {**settings.STORAGES, "default": {**storage, "OPTIONS": {"location": str(media_root)}}}
    return default_storage._setup() or default_storage._wrapped


@pytest.fixture
def broker(monkeypatch) -> list:
    """The queue between the hosts: the web host's jobs.send puts the task
    and its ids here; the worker host runs them."""
    messages: list = []
    monkeypatch.setattr(jobs, "send", lambda task, *args, **kwargs: messages.append((task, args, kwargs)))
    return messages


def _work(messages: list) -> None:
    while messages:
        task, args, kwargs = messages.pop(0)
        task.apply(args=args, kwargs=kwargs, throw=True)


def test_through_the_pages_nothing_asks_the_storage_for_a_local_path(world, login, tmp_path, settings):
    media = tmp_path / "media"
    _host(settings, media, SHARED)
    client = login(world.district)
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道"), survey_row(2, "甲街道", **{"正式党员数": 8})])
    client.post(reverse("orgs:survey_import"), {"file": SimpleUploadedFile("s.xlsx", path.read_bytes()), "year": 2026})
    batch = ImportBatch.objects.get()
    assert batch.status == "preview" and (batch.created, batch.rejected) == (1, 1)
    assert batch.source.name in SharedBucketStorage.names()
    # The report is sent from the bucket through the scoped view.
    report = client.get(reverse("orgs:survey_batch_report", args=[batch.pk]))
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert "正式党员数" in str(list(sheet.iter_rows(values_only=True)))

    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed" and Enterprise.objects.filter(name="测试排查企业1有限公司").exists()
    assert batch.undo_file.name in SharedBucketStorage.names()
    client.post(reverse("orgs:survey_batch_rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "rolled_back" and not Enterprise.objects.filter(name="测试排查企业1有限公司").exists()

    assert SharedBucketStorage.path_calls == []
    assert _files_in(media) == []


def test_a_worker_with_its_own_media_root_imports_what_the_web_host_kept(world, tmp_path, settings, broker):
    web_root, worker_root = tmp_path / "web", tmp_path / "worker"
    web = _host(settings, web_root, SHARED)
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(n, "甲街道") for n in range(1, 4)])
    batch = survey_batch_submit(
        upload=SimpleUploadedFile("s.xlsx", path.read_bytes()), year=2026, by=world.district, street=None
    )
    assert batch.status == "checking" and len(broker) == 1

    shutil.rmtree(web_root, ignore_errors=True)
    worker = _host(settings, worker_root, SHARED)
    assert worker is not web and worker.location != web.location
    _work(broker)
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.created == 3

    _host(settings, web_root, SHARED)
    survey_batch_confirm(batch=batch, by=world.district)
    _host(settings, worker_root, SHARED)
    _work(broker)
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.created == 3, batch.report
    assert Enterprise.objects.filter(name__startswith="测试排查企业").count() == 3
    assert {batch.source.name, batch.details.name, batch.undo_file.name} <= set(SharedBucketStorage.names())

    assert SharedBucketStorage.path_calls == []
    assert _files_in(web_root) == [] and _files_in(worker_root) == []


def test_control_a_worker_that_does_not_share_the_storage_finds_the_file_gone(world, tmp_path, settings, broker):
    _host(settings, tmp_path / "web", SHARED)
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")])
    batch = survey_batch_submit(
        upload=SimpleUploadedFile("s.xlsx", path.read_bytes()), year=2026, by=world.district, street=None
    )
    _host(settings, tmp_path / "worker", LOCAL)
    _work(broker)
    batch.refresh_from_db()
    assert batch.status == "failed" and "上传的文件已不在存储中" in batch.report["error"]
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()
