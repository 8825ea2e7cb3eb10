"""A real Celery worker is killed with SIGKILL in the middle of a survey
import's write (DESIGN.md §11): the batch ends failed with a message, nothing
of the file is in the database, and a retry on a fresh worker imports it.

Everything is real except the people: a worker process started with the
project's own command line, the CI Redis as its broker (a database index of
its own and a queue of its own, so nothing else sees these messages), the
test database (the test commits its rows, `transaction=True`, so the worker
sees them) and the storage both share. The kill is aimed, not timed: the
worker is killed once PostgreSQL shows its connection inside the write
transaction (holding the survey write lock) with a transaction id, i.e.
after it has written rows that the kill must leave uncommitted.

Skipped when Redis cannot be reached, except under REQUIRE_POSTGRES=1 (CI),
where that is a failure."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config.celery_app import app
from core.jobs import _namespace
from orgs.models import Enterprise, ImportBatch
from surveys.batches import (
    BATCH_JOB,
    survey_batch_confirm,
    survey_batch_retry,
    survey_batch_submit,
    sweep_survey_batches,
)
from surveys.report import ADVISORY_LOCK_KEY
from tests.conftest import REQUIRE_POSTGRES
from tests.helpers.survey_files import survey_row, write_csv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
# Enough rows that the write transaction lasts long enough to be caught
# writing (about a second here), few enough that the test stays short.
ROWS = 8_000
# The worker's broker: the CI Redis, in a database index no other test uses.
REDIS_DB = 11


def _redis_url() -> str:
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def broker() -> str:
    import redis

    url = _redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"CI needs Redis for the real-worker test: {exc}")
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    return url


def _reset_pools() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def queue(broker) -> Iterator[str]:
    """The test process sends real messages to `broker`, on a queue of its
    own; the session's inline mode and broker come back afterwards."""
    name = f"sigkill-{uuid.uuid4().hex[:12]}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.task_always_eager = False
    app.conf.broker_url = broker
    app.conf.task_default_queue = name
    _reset_pools()
    try:
        yield name
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _reset_pools()
        _forget_queue(broker, name)


def _forget_queue(url: str, name: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def workers(queue, broker, settings, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Starts workers on the test's queue (each in its own process group);
    every one still running is killed at the end, whatever happened."""
    started: list[subprocess.Popen] = []
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REQUIRE_", "PYTEST"))},
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-c", "1"]
        command += ["-Q", queue, "-n", f"{queue}-{len(started)}@%h", "-l", "info"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.log = log  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        process.log.close()  # type: ignore[attr-defined]


def _logs(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(tmp_path.glob("worker-*.log")))


def _wait(what: str, done: Callable[[], bool], tmp_path: Path, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}\n{_logs(tmp_path)}")
        time.sleep(0.01)


def _status(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.get(pk=batch.pk)


def _writing_backend(batch: ImportBatch) -> int | None:
    """The worker's PostgreSQL backend, once it is inside the survey write
    transaction (it holds the batch's job lock and the survey write lock)
    and has written (it has a transaction id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT job.pid FROM pg_locks job
            JOIN pg_locks write ON write.pid = job.pid
            JOIN pg_stat_activity activity ON activity.pid = job.pid
            WHERE job.locktype = 'advisory' AND job.granted AND job.objsubid = 2
              AND job.classid = %s AND job.objid = %s
              AND write.locktype = 'advisory' AND write.granted AND write.objsubid = 1
              AND write.classid = 0 AND write.objid = %s
              AND activity.backend_xid IS NOT NULL
            """,
            [_namespace(BATCH_JOB), batch.pk, ADVISORY_LOCK_KEY],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _from_the_file() -> int:
    return Enterprise.objects.filter(name__startswith="测试排查企业").count()


@pytest.fixture
def reference(transactional_db) -> None:
    # An earlier transactional test's flush emptied the tables the migrations fill.
    from orgs.reference import ensure_reference_data

    ensure_reference_data()


def test_a_worker_killed_mid_write_leaves_a_failed_batch_that_a_retry_imports(reference, world, workers, tmp_path):
    path = write_csv(tmp_path / "survey.csv", [survey_row(n, "甲街道") for n in range(ROWS)])
    first = workers()
    batch = survey_batch_submit(
        upload=SimpleUploadedFile("survey.csv", path.read_bytes()), year=2026, by=world.district, street=None
    )
    _wait("the worker has checked the file", lambda: _status(batch).status != "checking", tmp_path)
    batch = _status(batch)
    assert batch.status == "preview", batch.report
    assert (batch.created, batch.rejected) == (ROWS, 0)

    survey_batch_confirm(batch=batch, by=world.district)
    _wait("the worker writes", lambda: _writing_backend(batch) is not None, tmp_path)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    batch = _status(batch)
    assert batch.status == "running" and batch.started_at is not None and batch.progress >= 70

    # The server drops the dead worker's locks as soon as it notices the
    # closed connection; the sweeper (the beat task, run here by hand) then fails the batch.
    _wait("the sweeper fails the batch", lambda: sweep_survey_batches() == 1, tmp_path, seconds=15)
    batch = _status(batch)
    assert batch.status == "failed" and batch.phase == "write"
    assert "后台处理进程在处理中途停止" in batch.report["error"]
    assert _from_the_file() == 0

    workers()
    survey_batch_retry(batch=batch, by=world.district)
    _wait("the retry finishes", lambda: _status(batch).status not in ("running", "checking"), tmp_path, seconds=40)
    batch = _status(batch)
    assert batch.status == "committed", batch.report
    assert (batch.created, batch.rejected, batch.attempt) == (ROWS, 0, 3)
    assert "error" not in batch.report
    assert _from_the_file() == ROWS
