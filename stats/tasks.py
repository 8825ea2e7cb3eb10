"""Celery wrappers: thin, calling a service with ids. The beat entry in settings runs
compute_stats_task at 02:00 Asia/Shanghai."""

import logging
from datetime import date

from celery import chord, shared_task
from django.utils import timezone

from orgs.models import Region

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


# acks_late=False (explicit, and the project default): the message is
# acknowledged when the worker takes it. With acks_late a run longer than the
# Redis visibility timeout would be delivered again while still running, and
# a crashed run would loop; here a lost night is simply redone by the next
# beat or by `manage.py compute_stats --date`. The lock makes an overlapping
# start (a manual run during the nightly one) return at once.
# The task keeps its first name so that messages queued by an older release still run.
@shared_task(name="orgs.tasks.compute_stats_task", bind=True, acks_late=False, ignore_result=False)
def compute_stats_task(self, on: str | None = None, fan_out: bool | None = None) -> dict:
    """The nightly run. Inline (no broker, tasks eager) it is the single run
    of today unless `fan_out` asks otherwise; with a broker it fans out: a
    chord of one ratings part per district (and one for the organizations
    under no district), then compute_stats_finish_task.

    Lock semantics, the same as the single run's: one run per date at a time,
    and one final step (coverage, warnings) at a time. The fanned-out run
    takes the date's mark (run_claim) here, before any part is sent, so a
    second start of that date, single or fanned out, is refused while the
    parts write; the final step then takes the advisory lock (stats_lock)
    like the single run, and releases the mark. A session advisory lock
    cannot be held across tasks on several workers, hence the mark in the
    cache (Redis with a broker). A part that fails releases the mark through
    the chord's error callback; a worker killed mid-run leaves it to expire
    after LOCK_TIMEOUT, and the next beat or `manage.py compute_stats` redoes
    the night."""
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
    parts: list[list[int | None]] = [
        [pk] for pk in Region.objects.filter(kind=Region.Kind.DISTRICT).values_list("pk", flat=True)
    ]
    parts.append([None])
    finish = compute_stats_finish_task.s(day.isoformat(), token).on_error(
        compute_stats_release_task.si(day.isoformat(), token)
    )
    try:
        outcome = chord([compute_stats_part_task.s(day.isoformat(), part) for part in parts], finish).apply_async()
    except Exception:
        run_release(day, token)
        raise
    if self.app.conf.task_always_eager:
        return outcome.get()
    return {"date": day.isoformat(), "skipped": False, "fanned_out": len(parts), "finish": outcome.id}


@shared_task(name="stats.tasks.compute_stats_part_task", acks_late=False, ignore_result=False)
def compute_stats_part_task(on: str, districts: list[int | None]) -> list:
    """One part of the fanned-out nightly run: the ratings of the districts named."""
    return list(compute_stats_part(on=date.fromisoformat(on), districts=set(districts)))


@shared_task(name="stats.tasks.compute_stats_finish_task", acks_late=False, ignore_result=False)
def compute_stats_finish_task(parts: list, on: str, token: str) -> dict:
    """The final step: coverage and warnings once every part is in; releases the date's mark."""
    day = date.fromisoformat(on)
    try:
        ratings = sum(n for n, _s in parts)
        seconds = round(sum(s for _n, s in parts), 3)
        return _summary(compute_stats_finish(on=day, ratings=ratings, seconds=seconds))
    except StatsLocked:
        logger.warning("compute_stats_finish_task %s skipped: another run holds the lock", day)
        return {"date": on, "skipped": True}
    finally:
        run_release(day, token)


@shared_task(name="stats.tasks.compute_stats_release_task", acks_late=False, ignore_result=True)
def compute_stats_release_task(on: str, token: str) -> None:
    """The chord's error callback: a failed part frees the date for the next run."""
    run_release(date.fromisoformat(on), token)
