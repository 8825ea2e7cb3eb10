"""Celery wrappers: thin, calling a service with ids. The beat entry in settings runs
compute_stats_task at 02:00 Asia/Shanghai."""

import logging
from datetime import date

from celery import chord, shared_task
from django.conf import settings
from django.utils import timezone

from core import jobs

from .parts import parts_plan
from .run import (
    StatsLocked,
    StatsResult,
    compute_stats,
    compute_stats_finish,
    compute_stats_part,
    run_claim,
    run_release,
)

logger = logging.getLogger(__name__)


def _summary(result: StatsResult) -> dict:
    return {
        "date": result.on.isoformat(),
        "skipped": False,
        "snapshots": result.snapshots,
        "ratings": result.ratings,
        "alerts": [result.alerts_opened, result.alerts_kept, result.alerts_closed],
        "seconds": result.seconds,
        "messages": result.messages,
    }


# Every task of the run has a time limit (DESIGN.md §11, core.jobs:
# JOB_TIME_LIMITS["stats"], STATS_TASK_SOFT_SECONDS): the soft one raises
# SoftTimeLimitExceeded inside the task, which rolls its transaction back; the
# hard one, a minute later, kills a worker that did not stop. Either way the
# task fails: a part's failure runs the chord's error callback, the final
# step's releases the date in its `finally`; what was staged is dropped and
# nothing is published. Read once, when the tasks are declared.
LIMITS = {"soft_time_limit": jobs.soft_limit("stats"), "time_limit": jobs.hard_limit("stats")}


# acks_late=False (explicit, and the project default): the message is
# acknowledged when the worker takes it. With acks_late a run longer than the
# Redis visibility timeout would be delivered again while still running, and
# a crashed run would loop; here a lost night is simply redone by the next
# beat or by `manage.py compute_stats --date`. The lock makes an overlapping
# start (a manual run during the nightly one) return at once.
# The task keeps its first name so that messages queued by an older release still run.
@shared_task(name="orgs.tasks.compute_stats_task", bind=True, acks_late=False, ignore_result=False, **LIMITS)
def compute_stats_task(self, on: str | None = None, fan_out: bool | None = None) -> dict:
    """The nightly run. Inline (no broker, tasks eager) it is the single run
    of today unless `fan_out` asks otherwise; with a broker it fans out: a
    chord of parts (stats.parts.parts_plan: one per district, a large
    district cut into shares of its streets, and one for the regions under
    no district), each staging its ratings, coverage cells and warning
    drafts, then compute_stats_finish_task, which publishes them all in one
    transaction.

    Lock semantics, the same as the single run's: one run per date at a time,
    and one final step (publishing) at a time. The fanned-out run takes the
    date's mark (run_claim) here, before any part is sent, so a second start
    of that date, single or fanned out, is refused while the parts compute;
    the final step then takes the advisory lock (stats_lock) like the single
    run, and releases the mark. A session advisory lock cannot be held
    across tasks on several workers, hence the mark in the cache (Redis with
    a broker). A part that fails (or reaches its time limit) releases the
    mark and drops what was staged through the chord's error callback; a
    worker killed mid-run leaves the mark to expire after LOCK_TIMEOUT, and
    the next beat or `manage.py compute_stats` redoes the night."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    if fan_out is None:
        fan_out = not self.app.conf.task_always_eager
    try:
        if not fan_out:
            return _summary(compute_stats(on=day))
        token = run_claim(day)
    except StatsLocked:
        logger.warning("compute_stats_task %s skipped: another run holds the lock", day)
        return {"date": day.isoformat(), "skipped": True}
    try:
        parts = parts_plan(max_enterprises=settings.STATS_PART_MAX_ENTERPRISES)
        finish = compute_stats_finish_task.s(day.isoformat(), token).on_error(
            compute_stats_release_task.si(day.isoformat(), token)
        )
        header = [compute_stats_part_task.s(day.isoformat(), token, p["label"], p["streets"]) for p in parts]
        outcome = chord(header, finish).apply_async()
    except BaseException:
        # Eager, a failed part lands here (no error callback runs inline); with a broker, a failed send.
        run_release(day, token)
        raise
    if self.app.conf.task_always_eager:
        return outcome.get()
    return {"date": day.isoformat(), "skipped": False, "fanned_out": len(parts), "finish": outcome.id}


@shared_task(name="stats.tasks.compute_stats_part_task", acks_late=False, ignore_result=False, **LIMITS)
def compute_stats_part_task(on: str, token: str, label: str, streets: list[int]) -> dict:
    """One part of the fanned-out nightly run: computes and stages the results of its streets."""
    return compute_stats_part(on=date.fromisoformat(on), token=token, label=label, streets=streets)


@shared_task(name="stats.tasks.compute_stats_finish_task", acks_late=False, ignore_result=False, **LIMITS)
def compute_stats_finish_task(parts: list[dict], on: str, token: str) -> dict:
    """The final step: publishes what every part staged; releases the date's mark."""
    day = date.fromisoformat(on)
    try:
        return _summary(compute_stats_finish(on=day, token=token, parts=parts))
    except StatsLocked:
        logger.warning("compute_stats_finish_task %s skipped: another run holds the lock", day)
        return {"date": on, "skipped": True}
    finally:
        run_release(day, token)


@shared_task(name="stats.tasks.compute_stats_release_task", acks_late=False, ignore_result=True, **LIMITS)
def compute_stats_release_task(on: str, token: str) -> None:
    """The chord's error callback: a failed part drops what the run staged and frees the date."""
    run_release(date.fromisoformat(on), token)
