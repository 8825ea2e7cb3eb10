"""Every long job is a Celery task with soft and hard time limits, and beat
runs the sweeper of stuck jobs and the ledger's self-check (DESIGN.md §11)."""

import pytest
from django.conf import settings

from config.celery_app import app


def _our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_has_a_soft_and_a_hard_time_limit():
    tasks = _our_tasks()
    expected = {"core.tasks.sweep_jobs_task", "orgs.tasks.survey_batch_task", "funds.tasks.verify_ledger_task"}
    assert expected <= set(tasks)
    missing = [name for name, task in tasks.items() if not (task.soft_time_limit and task.time_limit)]
    assert not missing, f"tasks without time limits: {missing}"
    short = [name for name, task in tasks.items() if task.time_limit <= task.soft_time_limit]
    assert not short, f"hard limit not above the soft one: {short}"


def test_beat_runs_the_sweeper_and_the_ledger_check():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"core.tasks.sweep_jobs_task", "funds.tasks.verify_ledger_task"} <= scheduled
    assert set(scheduled) <= set(_our_tasks())


@pytest.mark.django_db
def test_the_ledger_check_task_reports_a_clean_ledger(caplog):
    from funds.tasks import verify_ledger_task

    summary = verify_ledger_task()
    assert summary["ok"] is True and summary["problems"] == 0
