"""Celery wrapper for the ledger's self-check: nightly on beat, with time
limits (DESIGN.md §11). A problem is logged as an error for the operators'
alerting, like a failed `manage.py verify_ledger`."""

import logging

from celery import shared_task

from core import jobs

from .verify import verify_ledger

logger = logging.getLogger(__name__)


@shared_task(
    name="funds.tasks.verify_ledger_task",
    acks_late=False,
    soft_time_limit=jobs.soft_limit("default"),
    time_limit=jobs.hard_limit("default"),
)
def verify_ledger_task() -> dict:
    report = verify_ledger()
    for problem in report.problems:
        logger.error("ledger check: %s", problem)
    return {
        "ok": report.ok,
        "accounts": report.accounts,
        "transactions": report.transactions,
        "entries": report.entries,
        "problems": len(report.problems),
    }
