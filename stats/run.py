"""compute_stats: the whole nightly run for one date, under a lock.

A run is cut into parts (stats.parts): each computes and stages the
results of its organizations and enterprises; a final step puts them
together and publishes everything in one transaction. The single run is one
part of everything followed by the final step, in one process; the Celery
task fans the parts out to workers (stats.tasks)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .coverage import coverage_messages, coverage_snapshots, coverage_write, surveys_exist
from .parts import part_compute, staged_discard, staged_load, staged_sweep
from .rating_publish import rating_messages, ratings_publish
from .ratings import SchemesByDistrict
from .warnings import PRODUCERS, warnings_apply, warnings_drafts, warnings_skipped
from .warnings import Context as WarningContext

logger = logging.getLogger(__name__)

LOCK_KEY = "stats.compute_stats.lock"
# Arbitrary constant identifying this job among PostgreSQL advisory locks.
ADVISORY_LOCK_ID = 4_240_001
# Longer than any run; a cache lock left by a killed worker expires by itself.
LOCK_TIMEOUT = 6 * 3600


class StatsLocked(ApplicationError):
    pass


@dataclass
class StatsResult:
    on: date
    snapshots: int = 0
    ratings: int = 0
    alerts_opened: int = 0
    alerts_kept: int = 0
    alerts_closed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


_held = threading.local()


@contextlib.contextmanager
def stats_lock():
    """One run at a time. On PostgreSQL a session advisory lock (freed by the
    server if the worker dies); elsewhere cache.add, atomic in Redis and
    local-memory caches alike. Advisory locks are re-entrant within a session,
    so a thread-local flag also refuses a run started inside a run."""
    if getattr(_held, "value", False):
        raise StatsLocked(_("统计任务正在运行，请稍后再试"))
    _held.value = True
    try:
        with _cross_process_lock():
            yield
    finally:
        _held.value = False


@contextlib.contextmanager
def _cross_process_lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_ID])
            if not cursor.fetchone()[0]:
                raise StatsLocked(_("统计任务正在运行，请稍后再试"))
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_ID])
        return
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, LOCK_TIMEOUT):
        raise StatsLocked(_("统计任务正在运行，请稍后再试"))
    try:
        yield
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def _run_key(on: date) -> str:
    return f"stats.compute_stats.run.{on.isoformat()}"


def run_claim(on: date) -> str:
    """Mark a run of `on` as under way (cache.add, atomic in Redis): a second
    run of the same date, single or fanned out, is refused until the first
    releases the mark (run_release) or LOCK_TIMEOUT passes. The token names
    what the run stages (stats.parts); what dead runs left staged is dropped."""
    token = uuid.uuid4().hex
    if not cache.add(_run_key(on), token, LOCK_TIMEOUT):
        raise StatsLocked(_("统计任务正在运行，请稍后再试"))
    try:
        staged_sweep(on=on, keep=token, older_than=timedelta(seconds=LOCK_TIMEOUT))
    except Exception:
        run_release(on, token)
        raise
    return token


def run_release(on: date, token: str) -> None:
    """The run is over, published or not: drop what it staged, free the date."""
    try:
        staged_discard(token=token)
    finally:
        if cache.get(_run_key(on)) == token:
            cache.delete(_run_key(on))


def compute_stats(*, on: date) -> StatsResult:
    """Coverage snapshots, ratings and warnings for `on`, computed as one
    part (stats.parts) and published in one transaction. Idempotent per
    date: a re-run replaces that date's rows. Bad data gives messages and a
    data-quality warning, never a crash or a wrong figure."""
    token = run_claim(on)
    try:
        with stats_lock():
            part = part_compute(on=on, token=token, label="all", streets=None)
            result = _publish(on=on, token=token, parts=[part])
    finally:
        run_release(on, token)
    _log(result)
    return result


def compute_stats_part(*, on: date, token: str, label: str, streets: list[int]) -> dict:
    """One part of a fanned-out run (stats.parts.parts_plan): computed and
    staged under the run's token, nothing published. The run's mark
    (run_claim) is held by whoever started the run."""
    return part_compute(on=on, token=token, label=label, streets=streets)


def compute_stats_finish(*, on: date, token: str, parts: list[dict]) -> StatsResult:
    """The final step of a fanned-out run, once every part has staged its
    results: publish them, under the same lock as the single run."""
    with stats_lock():
        result = _publish(on=on, token=token, parts=parts)
    _log(result)
    return result


class PartsMissing(RuntimeError):
    pass


def _publish(*, on: date, token: str, parts: list[dict]) -> StatsResult:
    """Put the staged parts together and publish ratings, coverage snapshots
    and warnings in one transaction (the lock is held): a reader sees the
    date's previous results or all of the new ones, never a mix. Refuses,
    publishing nothing, when a part's results are not all there."""
    staged = staged_load(token=token)
    if sorted(staged.labels) != sorted(p["label"] for p in parts):
        raise PartsMissing(f"staged {sorted(staged.labels)}, expected {sorted(p['label'] for p in parts)}")
    result = StatsResult(on=on)
    for part in parts:  # each step's seconds, summed over the parts
        for step, seconds in part["seconds"].items():
            result.seconds[step] = round(result.seconds.get(step, 0) + seconds, 3)
    issues: list[tuple[str, str]] = []
    for i, message in enumerate(coverage_messages(on)):
        issues.append((f"coverage:{i}", message))
    messages, _notes, any_weight = rating_messages(SchemesByDistrict(on))
    for i, message in enumerate(messages):
        issues.append((f"rating:{i}", message))

    started = time.monotonic()
    snapshots = coverage_snapshots(on=on, cells=staged.cells, org_rows=staged.org_rows) if surveys_exist(on) else []
    skipped = warnings_skipped(on)
    drafts = staged.drafts
    if not skipped:
        whole = [p for p in PRODUCERS if p.whole_run]
        drafts = [*drafts, *warnings_drafts(WarningContext(on=on, data_issues=issues), whole)]
    result.seconds["final"] = round(time.monotonic() - started, 3)

    started = time.monotonic()
    with transaction.atomic():
        if any_weight:
            result.ratings = ratings_publish(on=on, token=token)
        coverage_write(on=on, rows=snapshots)
        result.snapshots = len(snapshots)
        if not skipped:
            warnings = warnings_apply(on=on, drafts=drafts, kinds=[p.kind for p in PRODUCERS])
            result.alerts_opened, result.alerts_kept, result.alerts_closed = (
                warnings.opened,
                warnings.kept,
                warnings.closed,
            )
        staged_discard(token=token)
    result.seconds["publish"] = round(time.monotonic() - started, 3)
    result.messages = [m for _k, m in issues]
    if skipped:
        result.messages.append(skipped)
    return result


def _log(result: StatsResult) -> None:
    for message in result.messages:
        logger.warning("compute_stats %s: %s", result.on, message)
