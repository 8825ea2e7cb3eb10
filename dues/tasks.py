"""The quarterly 党费返还 as a Celery task with time limits (DESIGN.md §11).
Beat runs it in each quarter's first week; it is idempotent, so the later
nights post only the payments recorded late."""

import logging

from celery import shared_task
from django.utils import timezone

from core import jobs

from .rules import add_months, month_start, quarter_of
from .services import rebates_post

logger = logging.getLogger(__name__)


def previous_quarter() -> str:
    return quarter_of(add_months(month_start(timezone.localdate()), -3))


@shared_task(
    name="dues.tasks.post_dues_rebates_task",
    acks_late=False,
    soft_time_limit=jobs.soft_limit("default"),
    time_limit=jobs.hard_limit("default"),
)
def post_dues_rebates_task(quarter: str | None = None) -> dict:
    run = rebates_post(quarter=quarter or previous_quarter())
    for problem in run.skipped:
        logger.error("dues rebate %s: %s", run.quarter, problem)
    return {"quarter": run.quarter, "posted": len(run.posted), "skipped": len(run.skipped)}
