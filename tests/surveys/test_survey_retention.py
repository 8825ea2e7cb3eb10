"""Uploaded survey files are deleted SURVEY_FILE_RETENTION_DAYS after the
upload; the batch keeps the file's SHA-256, its report and its rollback data,
and its page says why the file is gone and offers no retry."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from orgs.models import ImportBatch
from surveys.batches import survey_batch_confirm, survey_batch_retry, survey_batch_submit
from surveys.retention import survey_files_purge
from tests.helpers.survey_files import survey_row, write_xlsx


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.SURVEY_FILE_RETENTION_DAYS = 180


def _batch(world, tmp_path, *, commit: bool = False, age_days: int = 0, name: str = "s.xlsx") -> ImportBatch:
    path = write_xlsx(tmp_path / name, [survey_row(1, "甲街道"), survey_row(2, "甲街道")])
    batch = survey_batch_submit(
        upload=SimpleUploadedFile(name, path.read_bytes()), year=2026, by=world.district, street=None
    )
    if commit:
        batch = survey_batch_confirm(batch=batch, by=world.district)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    batch.refresh_from_db()
    return batch


def test_an_old_file_is_deleted_and_its_hash_report_and_rollback_data_kept(world, login, tmp_path):
    batch = _batch(world, tmp_path, commit=True, age_days=181)
    assert batch.status == "committed" and batch.source and batch.undo_file and batch.details
    stored, file_hash = batch.source.name, batch.file_hash
    storage = batch.source.storage

    assert survey_files_purge().batch_ids == [batch.pk]

    batch.refresh_from_db()
    assert not batch.source and not storage.exists(stored)
    assert batch.source_purged_at is not None and batch.file_hash == file_hash
    assert batch.undo_file and storage.exists(batch.undo_file.name)
    assert batch.details and storage.exists(batch.details.name)
    page = login(world.district).get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "上传的文件已超过保存期限" in page
    # The rollback works from its own data, not the file.
    login(world.district).post(reverse("orgs:survey_batch_rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "rolled_back"


def test_a_failed_batch_whose_file_was_deleted_offers_no_retry(world, login, tmp_path):
    batch = _batch(world, tmp_path, age_days=200)
    ImportBatch.objects.filter(pk=batch.pk).update(status="failed", phase="write", report={"error": "进程被终止"})
    survey_files_purge()
    batch.refresh_from_db()
    page = login(world.district).get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "上传的文件已超过保存期限" in page and reverse("orgs:survey_batch_retry", args=[batch.pk]) not in page
    with pytest.raises(ApplicationError, match="已不在存储中"):
        survey_batch_retry(batch=batch, by=world.district)
    batch.refresh_from_db()
    assert batch.status == "failed"


def test_an_old_preview_cannot_be_confirmed_once_its_file_is_deleted(world, login, tmp_path):
    batch = _batch(world, tmp_path, age_days=200)
    assert batch.status == "preview"
    survey_files_purge()
    page = login(world.district).get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert reverse("orgs:survey_batch_confirm", args=[batch.pk]) not in page
    with pytest.raises(ApplicationError, match="已不在存储中"):
        survey_batch_confirm(batch=batch, by=world.district)
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_young_files_and_files_a_worker_is_busy_with_are_kept(world, tmp_path):
    young = _batch(world, tmp_path, age_days=179, name="young.xlsx")
    young_preview = _batch(world, tmp_path, age_days=10, name="young_preview.xlsx")
    busy = _batch(world, tmp_path, age_days=400, name="busy.xlsx")
    ImportBatch.objects.filter(pk=busy.pk).update(status="running", started_at=timezone.now())
    checking = _batch(world, tmp_path, age_days=400, name="checking.xlsx")
    ImportBatch.objects.filter(pk=checking.pk).update(status="checking")

    assert survey_files_purge().batch_ids == []

    for batch in (young, young_preview, busy, checking):
        batch.refresh_from_db()
        assert batch.source and batch.source.storage.exists(batch.source.name)
        assert batch.source_purged_at is None


def test_a_dry_run_changes_nothing(world, tmp_path):
    batch = _batch(world, tmp_path, age_days=365)
    out = StringIO()
    call_command("purge_survey_files", "--dry-run", stdout=out)
    assert str(batch.pk) in out.getvalue() and "将删除 1 个" in out.getvalue()
    batch.refresh_from_db()
    assert batch.source and batch.source.storage.exists(batch.source.name) and batch.source_purged_at is None

    out = StringIO()
    call_command("purge_survey_files", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    batch.refresh_from_db()
    assert not batch.source and batch.source_purged_at is not None


def test_the_retention_comes_from_the_setting(world, tmp_path, settings):
    batch = _batch(world, tmp_path, age_days=40)
    assert survey_files_purge().batch_ids == []
    settings.SURVEY_FILE_RETENTION_DAYS = 30
    assert survey_files_purge().batch_ids == [batch.pk]


def test_beat_runs_the_purge_daily(world, tmp_path, settings):
    from config.celery_app import app
    from surveys.tasks import purge_survey_files_task

    entry = settings.CELERY_BEAT_SCHEDULE["purge-survey-files"]
    assert entry["task"] == purge_survey_files_task.name and entry["task"] in app.tasks
    batch = _batch(world, tmp_path, age_days=181)
    assert purge_survey_files_task.delay().get() == 1
    batch.refresh_from_db()
    assert not batch.source and batch.source_purged_at is not None
