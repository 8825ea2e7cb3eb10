"""compute_stats: the whole nightly run for one date, under a lock."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .coverage import coverage_compute
from .ratings import SchemesByDistrict, rating_messages, ratings_compute
from .warnings import warnings_refresh

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
    releases the mark (run_release) or LOCK_TIMEOUT passes."""
    token = uuid.uuid4().hex
    if not cache.add(_run_key(on), token, LOCK_TIMEOUT):
        raise StatsLocked(_("统计任务正在运行，请稍后再试"))
    return token


def run_release(on: date, token: str) -> None:
    if cache.get(_run_key(on)) == token:
        cache.delete(_run_key(on))


def compute_stats(*, on: date) -> StatsResult:
    """Coverage snapshots, ratings and warnings for `on`. Idempotent per date:
    each part replaces that date's rows. Bad data gives messages and a
    data-quality warning, never a crash or a wrong figure."""
    token = run_claim(on)
    try:
        with stats_lock():
            started = time.monotonic()
            ratings = ratings_compute(on=on)
            seconds = round(time.monotonic() - started, 3)
            result = _finish(on=on, ratings=ratings.ratings, ratings_seconds=seconds, rating_messages=ratings.messages)
    finally:
        run_release(on, token)
    _log(result)
    return result


def compute_stats_part(*, on: date, districts: set[int | None]) -> tuple[int, float]:
    """One part of a fanned-out run: the ratings of `districts`
    (stats.ratings.organizations_of_districts); the rows and their number,
    the seconds taken. The run's mark (run_claim) is held by whoever started it."""
    started = time.monotonic()
    ratings = ratings_compute(on=on, districts=districts)
    return ratings.ratings, round(time.monotonic() - started, 3)


def compute_stats_finish(*, on: date, ratings: int, seconds: float) -> StatsResult:
    """The final step of a fanned-out run, once every part has written its
    ratings: coverage (its city rows need every district's facts) and the
    warnings, under the same lock as the single run."""
    with stats_lock():
        messages, _notes, _rated = rating_messages(SchemesByDistrict(on))
        result = _finish(on=on, ratings=ratings, ratings_seconds=seconds, rating_messages=messages)
    _log(result)
    return result


def _finish(*, on: date, ratings: int, ratings_seconds: float, rating_messages: list[str]) -> StatsResult:
    """Coverage, then the warnings fed by the data issues of coverage and ratings (the lock is held)."""
    result = StatsResult(on=on)
    issues: list[tuple[str, str]] = []

    started = time.monotonic()
    coverage = coverage_compute(on=on)
    result.snapshots = coverage.snapshots
    result.seconds["coverage"] = round(time.monotonic() - started, 3)
    for i, message in enumerate(coverage.messages):
        issues.append((f"coverage:{i}", message))

    result.ratings = ratings
    result.seconds["ratings"] = ratings_seconds
    for i, message in enumerate(rating_messages):
        issues.append((f"rating:{i}", message))

    started = time.monotonic()
    warnings = warnings_refresh(on=on, data_issues=issues)
    result.seconds["warnings"] = round(time.monotonic() - started, 3)
    result.alerts_opened, result.alerts_kept, result.alerts_closed = warnings.opened, warnings.kept, warnings.closed
    result.messages = [m for _k, m in issues]
    if warnings.skipped:
        result.messages.append(warnings.message)
    return result


def _log(result: StatsResult) -> None:
    for message in result.messages:
        logger.warning("compute_stats %s: %s", result.on, message)
