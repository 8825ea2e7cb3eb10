"""An optional read replica for the pages that only read the nightly
figures and large lists: the dashboards, their drill-downs and the .xlsx
exports. Everything else (sessions, logins, writes, every other page, the
API, tasks) stays on the primary.

A view opts in with `@replica_reads` (below `@login_required`, so the login
is read before). With DATABASE_REPLICA_URL set, settings add the "replica"
database and install `ReplicaRouter`; without it nothing here is used.
A replica may be seconds behind the primary, which is why only pages that
can show slightly older figures opt in.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
# Who the user is and what they may reach are read where they are written,
# even inside a replica view, so a logout or a withdrawn role counts at once.
# Export jobs too: an export view creates its job and reads it straight back.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "knox", "axes", "otp_totp", "otp_static", "django_otp", "exports"})
PRIMARY_ONLY_MODELS = frozenset({"orgs.user", "orgs.rolegrant"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Send the reads made inside the block to the replica, where one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads(view: Callable[P, R]) -> Callable[P, R]:
    """A view whose reads may come from the replica (the response is built inside the view)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with reads_from_replica():
            return view(*args, **kwargs)

    return wrapped


def _primary_only(model: Any) -> bool:
    return model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _replica_reads.get() and REPLICA in settings.DATABASES and not _primary_only(model):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
