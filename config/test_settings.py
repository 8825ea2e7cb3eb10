"""The test suite's settings: config.settings, plus a "replica" database
that mirrors the primary's test database so the tests of core.db_router can
send reads to it. The router stays off, as without DATABASE_REPLICA_URL,
unless a test installs it (tests/test_read_replica.py)."""

from .settings import *  # noqa: F403
from .settings import DATABASES

DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS: list[str] = []
