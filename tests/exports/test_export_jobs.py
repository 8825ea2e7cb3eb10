"""Large exports run as jobs: past EXPORT_INLINE_MAX_ROWS the page answers
with a job, the task writes the same rows the page would have sent, only
the creator downloads it while the link lasts, and a broker that is down
leaves nothing behind."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from exports.models import ExportJob
from exports.selectors import download_token
from exports.services import export_sweep
from exports.tasks import export_task

from .conftest import sheet_rows

LEDGER = "orgs:survey_ledger_export"


def _direct(client, url: str, settings) -> bytes:
    settings.EXPORT_INLINE_MAX_ROWS = 1_000_000
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    return response.content


def _as_job(client, url: str, settings) -> ExportJob:
    settings.EXPORT_INLINE_MAX_ROWS = 0
    response = client.get(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:job", args=[job.pk])
    return job


def _download_url(job: ExportJob) -> str:
    return reverse("exports:download", args=[job.pk, download_token(job)])


def test_a_small_ledger_is_sent_at_once_as_before(world, login):
    response = login(world.street_a_staff).get(reverse(LEDGER))
    assert response.status_code == 200
    assert sheet_rows(response.content)[1][1] == "甲企业有限公司"
    assert not ExportJob.objects.exists()


def test_a_large_ledger_becomes_a_job_with_the_same_rows(world, login, settings):
    client = login(world.street_a_staff)
    direct = _direct(client, reverse(LEDGER) + "?q=甲", settings)
    job = _as_job(client, reverse(LEDGER) + "?q=甲", settings)
    assert job.kind == "survey_ledger" and job.params["q"] == "甲" and job.created_by == world.street_a_staff
    assert job.status == ExportJob.Status.DONE and job.progress == 100 and job.rows == 1
    assert job.expires_at > timezone.now() + timedelta(hours=23)
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "已完成" in page and job.title == job.filename.removesuffix(".xlsx")
    link = re.search(r'href="(/exports/\d+/download/[^"]+)"', page).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert sheet_rows(b"".join(response.streaming_content)) == sheet_rows(direct)
    # The job page and "my exports" belong to the creator.
    assert job.title in client.get(reverse("exports:list")).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("orgs:dashboard_export", args=["alerts"]),
        reverse("orgs:dashboard_export", args=["organizations"]),
        reverse("orgs:dashboard_export", args=["should_form"]),
        reverse("security:audit_export"),
    ],
)
def test_dashboard_lists_and_the_audit_log_as_jobs_match_the_direct_file(world, login, settings, url):
    from stats.run import compute_stats

    compute_stats(on=timezone.localdate())
    client = login(world.district)
    direct = _direct(client, url, settings)
    job = _as_job(client, url, settings)
    assert job.status == ExportJob.Status.DONE, job.error
    content = b"".join(client.get(_download_url(job)).streaming_content)
    direct_rows, job_rows = sheet_rows(direct), sheet_rows(content)
    if url == reverse("security:audit_export"):
        # The second request's own audit event is the newest row of the job's file.
        job_rows = [job_rows[0], *job_rows[2:]]
    assert job_rows == direct_rows and len(direct_rows) >= 2


def test_only_the_creator_reaches_the_job_even_the_same_role_elsewhere_gets_404(
    world, login, settings, street_b_staff, client
):
    job = _as_job(login(world.street_a_staff), reverse(LEDGER), settings)
    download = _download_url(job)
    for user in (street_b_staff, world.district):
        other = login(user)
        assert other.get(reverse("exports:job", args=[job.pk])).status_code == 404
        assert other.get(reverse("exports:progress", args=[job.pk])).status_code == 404
        assert other.get(download).status_code == 404
        assert other.post(reverse("exports:retry", args=[job.pk])).status_code == 404
        assert job.title not in other.get(reverse("exports:list")).content.decode()
    client.logout()
    assert client.get(download).status_code == 302  # to the login page


def test_an_expired_or_forged_link_is_refused(world, login, settings):
    client = login(world.street_a_staff)
    job = _as_job(client, reverse(LEDGER), settings)
    forged = reverse("exports:download", args=[job.pk, download_token(job)[:-2] + "xx"])
    assert client.get(forged).status_code == 410
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    job.refresh_from_db()
    response = client.get(_download_url(job))
    assert response.status_code == 410 and "下载链接已失效或已过期" in response.content.decode()
    assert not response.has_header("Content-Disposition")
    # The signature expires with the link too, whatever the row says.
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    settings.EXPORT_LINK_HOURS = 0
    assert client.get(_download_url(job)).status_code == 410


def test_the_sweeper_deletes_expired_files_and_keeps_the_row_then_it_can_be_exported_again(world, login, settings):
    client = login(world.street_a_staff)
    job = _as_job(client, reverse(LEDGER), settings)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert export_sweep() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file and not storage.exists(name)
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "已过期并已删除" in page and reverse("exports:retry", args=[job.pk]) in page
    client.post(reverse("exports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempt == 2 and storage.exists(job.file.name)
    assert sheet_rows(b"".join(client.get(_download_url(job)).streaming_content))[1][1] == "甲企业有限公司"


def test_a_hostile_cell_is_neutralised_in_the_tasks_file(world, login, settings):
    world.enterprise_a.name = '=HYPERLINK("http://evil.example/","x")'
    world.enterprise_a.owner_name = "@SUM(A1:A9)"
    world.enterprise_a.save()
    client = login(world.street_a_staff)
    job = _as_job(client, reverse(LEDGER), settings)
    row = sheet_rows(b"".join(client.get(_download_url(job)).streaming_content))[1]
    assert row[1] == "'" + world.enterprise_a.name
    assert "'@SUM(A1:A9)" in row


def test_a_broker_that_is_down_leaves_no_job_and_says_so(world, login, settings, monkeypatch):
    from config.celery_app import app

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(export_task, "apply_async", refuse)
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client = login(world.street_a_staff)
    app.conf.task_always_eager = False
    try:
        response = client.get(reverse(LEDGER), HTTP_REFERER="http://testserver/orgs/survey/", follow=True)
    finally:
        app.conf.task_always_eager = True
    assert not ExportJob.objects.exists()
    assert response.redirect_chain[0][0] == "http://testserver/orgs/survey/"
    assert "后台任务队列暂时无法连接" in response.content.decode()


def test_a_failed_job_shows_why_and_can_be_retried(world, login, settings, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    import exports.services

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(exports.services, "xlsx_stream", too_slow)
    client = login(world.street_a_staff)
    job = _as_job(client, reverse(LEDGER), settings)
    assert job.status == ExportJob.Status.FAILED and "超过时限" in job.error and not job.file
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert job.error in page and reverse("exports:retry", args=[job.pk]) in page
    monkeypatch.undo()
    client.post(reverse("exports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempt == 2 and job.error == ""
    # A done job is not run again.
    response = client.post(reverse("exports:retry", args=[job.pk]), follow=True)
    assert "无需重新导出" in response.content.decode()


def test_a_job_whose_creator_lost_the_scope_fails_with_a_message(world, login, settings, monkeypatch):
    import exports.services

    client = login(world.street_a_staff)
    sent = []
    monkeypatch.setattr(exports.services.jobs, "send", lambda task, *args: sent.append(args))
    job = _as_job(client, reverse(LEDGER), settings)
    world.street_a_staff.role_grants.all().delete()
    world.street_a_staff.__dict__.pop("_scope_cache", None)
    export_task.apply(args=sent[0], throw=True)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "无权导出" in job.error


# --- the sweeper -------------------------------------------------------------------------------


def _stuck(user, **fields) -> ExportJob:
    job = ExportJob.objects.create(created_by=user, kind="survey_ledger", rows=10)
    ExportJob.objects.filter(pk=job.pk).update(**fields)
    return job


@pytest.mark.postgres
def test_the_sweeper_fails_a_started_job_whose_worker_is_gone_and_spares_a_live_one(world):
    import psycopg2
    from django.db import connection

    from core.jobs import _namespace

    now = timezone.now()
    gone = _stuck(world.street_a_staff, status="running", started_at=now, heartbeat_at=now)
    alive = _stuck(world.street_a_staff, status="running", started_at=now, heartbeat_at=now)
    params = connection.get_connection_params()
    keys = ("dbname", "user", "host", "port", "password")
    worker = psycopg2.connect(**{k: v for k, v in params.items() if k in keys})
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_namespace("export"), alive.pk])
        assert export_sweep() == 1
    finally:
        worker.close()
    gone.refresh_from_db()
    alive.refresh_from_db()
    assert gone.status == ExportJob.Status.FAILED and "中断" in gone.error
    assert alive.status == ExportJob.Status.RUNNING


def test_the_sweeper_fails_a_job_queued_too_long_and_leaves_a_fresh_one(world, settings):
    settings.JOB_QUEUE_TIMEOUT_SECONDS = 600
    old = _stuck(world.street_a_staff, queued_at=timezone.now() - timedelta(seconds=700))
    fresh = _stuck(world.street_a_staff)
    assert export_sweep() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ExportJob.Status.FAILED and "排队超时" in old.error
    assert fresh.status == ExportJob.Status.QUEUED
    # A late message of the failed job finds nothing to claim.
    export_task.apply(args=[old.pk, old.attempt], throw=True)
    old.refresh_from_db()
    assert old.status == ExportJob.Status.FAILED


def test_the_sweeper_is_registered_with_the_beat_task(world):
    from core.jobs import SWEEPERS, sweep

    assert SWEEPERS["exports"] is export_sweep
    _stuck(world.street_a_staff, status="running", started_at=timezone.now() - timedelta(days=1), heartbeat_at=None)
    assert sweep()["exports"] == 1


def test_a_second_click_while_the_job_waits_gets_the_same_job(world, login, settings, monkeypatch):
    import exports.services

    sent = []
    monkeypatch.setattr(exports.services.jobs, "send", lambda task, *args: sent.append(args))
    client = login(world.street_a_staff)
    job = _as_job(client, reverse(LEDGER), settings)
    assert client.get(reverse(LEDGER))["Location"] == reverse("exports:job", args=[job.pk])
    assert ExportJob.objects.count() == 1 and len(sent) == 1
    # Other filters are another export.
    client.get(reverse(LEDGER) + "?q=甲")
    assert ExportJob.objects.count() == 2


def test_a_done_job_past_its_link_offers_to_export_again_before_the_sweeper_comes(world, login, settings):
    client = login(world.street_a_staff)
    job = _as_job(client, reverse(LEDGER), settings)
    old_name = job.file.name
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "下载文件" not in page and "已过期" in page and reverse("exports:retry", args=[job.pk]) in page
    client.post(reverse("exports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempt == 2 and job.expires_at > timezone.now()
    assert job.file.name != old_name and not job.file.storage.exists(old_name)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_inside_a_replica_view_the_job_is_written_and_read_on_the_primary(world, settings):
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client = Client()
    client.force_login(world.district)
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(reverse("security:audit_export"))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:job", args=[job.pk]) and job.status == ExportJob.Status.DONE
    # The rows came from the replica (the page's reads); the job never did.
    assert any("auditlog_logentry" in q["sql"] for q in replica.captured_queries)
    assert not any("exports_exportjob" in q["sql"] for q in replica.captured_queries)
