"""Long jobs (DESIGN.md §11): what every job that can outlast a page request
shares, whatever it works on (a survey batch, a rollback, an export).

The job's own row (the batch, the export) keeps its state and progress; this
module gives it what no row can give itself:

- `send`: hand the job to the broker, or refuse at once with a clear
  message when the broker is down (kombu's own retries held the page about
  20 s and then answered 500). Inline (no broker) the task runs here.
- `held`: the worker holds a PostgreSQL session advisory lock on the job
  while it works. The server drops it the moment the worker's connection
  goes (a SIGKILL, the kernel's OOM killer, a terminated backend), so the
  sweeper knows the worker is gone without waiting for any timeout, even
  in the middle of a long transaction that no heartbeat can cross.
- `probe`: the sweeper's side: takes the job's lock if nobody holds it, and
  keeps it while the sweeper marks the job failed, so a worker that just
  finished (it writes its final state before it lets go) is never failed
  after the fact. Where there are no advisory locks (SQLite, the embedded
  default, where tasks run inline anyway) it answers None, and the sweeper
  goes by the heartbeat: a job silent for longer than its hard time limit
  is gone, because Celery would have killed it by then.
- `reconnect`: the failure path's connection. A job that failed because its
  connection died must not record the failure on that same connection.
- sweepers: each app registers a function that fails its stuck jobs;
  `sweep` runs them all (a beat task every few minutes).
"""

import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError

logger = logging.getLogger(__name__)


class JobNotQueued(ApplicationError):
    """The broker did not take the job; nothing was started."""


def _namespace(kind: str) -> int:
    # The two-key form of the advisory locks, apart from the one-key locks
    # (the survey write, the nightly run): (kind, id).
    return zlib.crc32(kind.encode()) & 0x7FFFFFFF


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def send(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)`. Raises JobNotQueued, with a message for
    the page, when the broker cannot be reached; then the caller undoes what
    it prepared for the job, so nothing waits for a worker that will never
    come. Inline, the task runs now and its own errors propagate."""
    if task.app.conf.task_always_eager:
        task.apply(args=args, kwargs=kwargs, throw=True)
        return
    try:
        # retry=False: fail within the broker's connect timeout, not after kombu's retries.
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception as exc:  # kombu's OperationalError, redis's ConnectionError, OSError
        logger.warning("job %s not queued: %s", task.name, exc)
        message = _("后台任务队列暂时无法连接，本次操作未执行，请稍后重试；如持续出现请联系系统管理员")
        raise JobNotQueued(message) from exc


@contextmanager
def held(kind: str, pk: int) -> Iterator[bool]:
    """The worker's side: yields True while this process holds the job's
    lock, False when another worker already works on it (a message
    delivered twice). Always True where there are no advisory locks."""
    if not _postgres():
        yield True
        return
    key = [_namespace(kind), pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        mine = bool(cursor.fetchone()[0])
    try:
        yield mine
    finally:
        if mine:
            _unlock(key)


def _unlock(key: list[int]) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    except DatabaseError:
        # The connection died (or was replaced by `reconnect`): the server
        # has dropped the lock with it.
        pass


@contextmanager
def probe(kind: str, pk: int) -> Iterator[bool | None]:
    """The sweeper's side: True when no worker holds the job (its worker is
    gone; the lock is held for the body, so mark the job failed there),
    False when one does, None where this cannot be known (no advisory
    locks: go by the heartbeat)."""
    if not _postgres():
        yield None
        return
    key = [_namespace(kind), pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        free = bool(cursor.fetchone()[0])
    try:
        yield free
    finally:
        if free:
            _unlock(key)


def reconnect() -> None:
    """Before the failure path writes: replace a dead connection (terminated
    backend, dropped network) with a fresh one. Inside an atomic block the
    connection cannot be replaced, and the block's own rollback comes first."""
    if connection.in_atomic_block or connection.connection is None:
        return
    try:
        usable = connection.is_usable()
    except Exception:
        usable = False
    if not usable:
        logger.warning("job failure path: the database connection was dead; opening a fresh one")
        connection.close()


# --- time limits and the sweeper --------------------------------------------------------------


def soft_limit(name: str) -> int:
    """A task's soft time limit in seconds (settings.JOB_TIME_LIMITS[name], else the default)."""
    return int(settings.JOB_TIME_LIMITS.get(name, settings.JOB_TIME_LIMITS["default"]))


def hard_limit(name: str) -> int:
    """The hard limit: the soft one and a minute for the task to record its failure."""
    return soft_limit(name) + 60


def silent_too_long(heartbeat: datetime | None, name: str, *, now: datetime | None = None) -> bool:
    """A job started whose last sign of life is older than its hard limit and
    a margin: Celery would have killed it by then."""
    if heartbeat is None:
        return True
    now = now or timezone.now()
    return now - heartbeat > timedelta(seconds=hard_limit(name) + settings.JOB_SILENCE_MARGIN_SECONDS)


def queued_too_long(queued: datetime | None, *, now: datetime | None = None) -> bool:
    """A job sent but never picked up: no worker is running, or the queue lost it."""
    if queued is None:
        return False
    now = now or timezone.now()
    return now - queued > timedelta(seconds=settings.JOB_QUEUE_TIMEOUT_SECONDS)


QUEUED, GONE = "queued", "gone"


@contextmanager
def stuck(
    kind: str,
    pk: int,
    *,
    limit: str,
    queued_at: datetime | None,
    started_at: datetime | None,
    heartbeat_at: datetime | None,
) -> Iterator[str | None]:
    """The sweeper's verdict on one job, for the body to act on while the
    job's lock is held: QUEUED (sent and never taken, too long), GONE (its
    worker's lock is free or, where locks cannot tell, it has been silent
    past the hard limit of `limit`), or None (leave it)."""
    if started_at is None:
        yield QUEUED if queued_too_long(queued_at) else None
        return
    with probe(kind, pk) as gone:
        if gone is None:
            gone = silent_too_long(heartbeat_at, limit)
        yield GONE if gone else None


SWEEPERS: dict[str, Callable[[], int]] = {}


def register_sweeper(name: str, sweeper: Callable[[], int]) -> None:
    """`sweeper()` fails its app's stuck jobs and returns how many."""
    SWEEPERS[name] = sweeper


def sweep() -> dict[str, int]:
    """Run every sweeper; one that fails does not stop the others."""
    done: dict[str, int] = {}
    for name, sweeper in SWEEPERS.items():
        try:
            done[name] = sweeper()
        except Exception:
            logger.exception("sweeper %s failed", name)
            reconnect()
    return done
