"""Celery wrappers: thin, calling a service with ids. The beat entry in settings runs
compute_stats_task at 02:00 Asia/Shanghai."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from .run import StatsLocked, compute_stats

logger = logging.getLogger(__name__)


# acks_late=False (explicit, and the project default): the message is
# acknowledged when the worker takes it. With acks_late a run longer than the
# Redis visibility timeout would be delivered again while still running, and
# a crashed run would loop; here a lost night is simply redone by the next
# beat or by `manage.py compute_stats --date`. The lock makes an overlapping
# start (a manual run during the nightly one) return at once.
# The task keeps its first name so that messages queued by an older release still run.
@shared_task(name="orgs.tasks.compute_stats_task", acks_late=False, ignore_result=False)
def compute_stats_task(on: str | None = None) -> dict:
    day = date.fromisoformat(on) if on else timezone.localdate()
    try:
        result = compute_stats(on=day)
    except StatsLocked:
        logger.warning("compute_stats_task %s skipped: another run holds the lock", day)
        return {"date": day.isoformat(), "skipped": True}
    return {
        "date": day.isoformat(),
        "skipped": False,
        "snapshots": result.snapshots,
        "ratings": result.ratings,
        "alerts": [result.alerts_opened, result.alerts_kept, result.alerts_closed],
        "seconds": result.seconds,
        "messages": result.messages,
    }
