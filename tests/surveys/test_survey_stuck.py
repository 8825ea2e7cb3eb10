"""No survey batch stays "running" forever (DESIGN.md §11). Each of the four
ways a batch got stuck in the fault tests is reproduced here, and each ends
in a state a person can act on: failed with a message, then retried to
success or discarded, or never started at all with a clear message.

1. the worker SIGKILLed during the write (the real kill is in
   tests/jobs/test_worker_sigkill.py; here the state it leaves behind);
2. the database connection terminated during the check;
3. the broker down at upload;
4. the broker down at confirm.
"""

from datetime import timedelta

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core import jobs
from orgs.models import Enterprise, ImportBatch
from surveys import batches
from surveys.tasks import survey_batch_task
from tests.helpers.survey_files import survey_row, write_xlsx

ROWS = [survey_row(1, "甲街道"), survey_row(2, "甲街道")]
NAMES = ["测试排查企业1有限公司", "测试排查企业2有限公司"]
GONE = "后台处理进程在处理中途停止"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", ROWS)
    with open(path, "rb") as fh:
        payload = {"file": SimpleUploadedFile(path.name, fh.read()), "year": 2026}
    return client.post(reverse("orgs:survey_import"), payload)


def _previewed(client, tmp_path) -> ImportBatch:
    _upload(client, tmp_path)
    batch = ImportBatch.objects.get()
    assert batch.status == "preview"
    return batch


def _as_killed_mid_write(batch: ImportBatch) -> None:
    """What a worker SIGKILLed inside the write leaves: its transaction rolled
    back by the server, the batch still saying it is writing."""
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="running", phase="write", attempt=batch.attempt + 1, queued_at=now, started_at=now,
        heartbeat_at=now, progress=70, progress_note="正在写入数据库",
    )  # fmt: skip


def _second_connection():
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    other.autocommit = True
    return other


@pytest.mark.postgres
def test_a_batch_whose_worker_died_mid_write_fails_and_is_retried_to_success(world, login, tmp_path):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    _as_killed_mid_write(batch)
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "正在写入数据库" in page

    assert batches.sweep_survey_batches() == 1
    batch.refresh_from_db()
    assert batch.status == "failed" and GONE in batch.report["error"]
    assert not Enterprise.objects.filter(name__in=NAMES).exists()
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert GONE in page and "重试导入" in page and "放弃此批次" in page
    # Swept once is enough: the next sweep finds nothing to do.
    assert batches.sweep_survey_batches() == 0

    client.post(reverse("orgs:survey_batch_retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.created == 2 and "error" not in batch.report
    assert Enterprise.objects.filter(name__in=NAMES).count() == 2


@pytest.mark.postgres
def test_a_batch_whose_worker_holds_its_lock_is_left_alone(world, login, tmp_path):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    _as_killed_mid_write(batch)
    worker = _second_connection()
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [jobs._namespace(batches.BATCH_JOB), batch.pk])
        assert batches.sweep_survey_batches() == 0
        batch.refresh_from_db()
        assert batch.status == "running"
    finally:
        worker.close()
    # The worker's connection is gone, and with it the lock.
    assert batches.sweep_survey_batches() == 1


def test_where_locks_cannot_tell_a_silent_batch_fails_after_its_hard_limit(world, login, tmp_path, monkeypatch):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    _as_killed_mid_write(batch)

    class Unknown:
        def __init__(self, *args):
            pass

        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(jobs, "probe", Unknown)
    assert batches.sweep_survey_batches() == 0
    silent = timezone.now() - timedelta(seconds=jobs.hard_limit("survey") + 301)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=silent)
    assert batches.sweep_survey_batches() == 1
    batch.refresh_from_db()
    assert batch.status == "failed" and GONE in batch.report["error"]


def test_a_batch_no_worker_took_fails_after_the_queue_timeout(world, login, tmp_path, settings):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="checking", phase="check", started_at=None, queued_at=timezone.now() - timedelta(minutes=5)
    )
    assert batches.sweep_survey_batches() == 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        queued_at=timezone.now() - timedelta(seconds=settings.JOB_QUEUE_TIMEOUT_SECONDS + 1)
    )
    assert jobs.sweep()["survey_batches"] == 1
    batch.refresh_from_db()
    assert batch.status == "failed" and "后台处理进程可能没有运行" in batch.report["error"]
    # Its message, delivered late, finds its attempt failed and does nothing.
    survey_batch_task(batch.pk, False, batch.attempt)
    batch.refresh_from_db()
    assert batch.status == "failed"
    # Retried, the check runs again.
    client.post(reverse("orgs:survey_batch_retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.attempt == 2 and "error" not in batch.report


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_during_the_check_is_recorded_on_a_fresh_one(world, login, tmp_path, monkeypatch):
    from orgs.reference import ensure_reference_data
    from surveys import services

    # An earlier transactional test's flush took the industries the migration loaded.
    ensure_reference_data()
    real_plan = services.survey_plan

    def dying_plan(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other = _second_connection()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(services, "survey_plan", dying_plan)
    client = login(world.district)
    response = _upload(client, tmp_path)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and "系统内部错误" in batch.report["error"]
    assert not Enterprise.objects.filter(name__in=NAMES).exists()

    monkeypatch.setattr(services, "survey_plan", real_plan)
    client.post(reverse("orgs:survey_batch_retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.created == 2


@pytest.fixture
def broker_down():
    """A real broker that cannot be reached: the task app sends, not runs inline."""
    app = survey_batch_task.app
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.task_always_eager, app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


def test_the_broker_down_at_upload_leaves_no_batch_and_no_file(world, login, tmp_path, broker_down):
    client = login(world.district)
    response = _upload(client, tmp_path)
    assert response.status_code == 400
    assert "后台任务队列暂时无法连接" in response.content.decode()
    assert not ImportBatch.objects.exists()
    media = tmp_path / "media"
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True


def test_the_broker_down_at_confirm_leaves_the_batch_waiting_for_confirmation(world, login, tmp_path, request):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    request.getfixturevalue("broker_down")
    response = client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]), follow=True)
    assert "后台任务队列暂时无法连接" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.progress == 0
    assert "确认导入" in response.content.decode()
    assert not Enterprise.objects.filter(name__in=NAMES).exists()


def test_a_previewed_batch_can_be_discarded_and_its_file_goes(world, login, tmp_path):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    stored = batch.source.name
    assert batch.source.storage.exists(stored)
    client.post(reverse("orgs:survey_batch_discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "discarded" and not batch.source and batch.file_hash
    assert not batch.source.storage.exists(stored)
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "此批次已放弃" in page
    response = client.post(reverse("orgs:survey_batch_retry", args=[batch.pk]), follow=True)
    assert "只有失败的批次可以重试" in response.content.decode()


def test_retry_and_discard_are_refused_to_others(world, login, tmp_path):
    client = login(world.district)
    batch = _previewed(client, tmp_path)
    ImportBatch.objects.filter(pk=batch.pk).update(status="failed", report={"error": "x"})
    # Street staff reach only their street's batches; this one is the whole district's.
    for role in ("street_a_staff", "secretary_a", "instructor", "leader"):
        other = login(getattr(world, role))
        assert other.post(reverse("orgs:survey_batch_retry", args=[batch.pk])).status_code == 404
        assert other.post(reverse("orgs:survey_batch_discard", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.source
