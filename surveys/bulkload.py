"""Foreign-key checks for the survey import's bulk statements, done per
distinct key instead of per row.

Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL
queues one referential check per inserted row and runs them all at COMMIT:
about a million checks (street, park, industry, enterprise, batch…) for a
100,000-row first import, which took 3.2 of its 11 seconds.

A referential check does two things: it makes sure the referenced row exists
and it locks it FOR KEY SHARE, so nobody can delete it before we commit.
`ReferenceChecks` does exactly that once per distinct referenced key (nine
streets, a few parks, twenty industries…) while the bulk statements run with
`session_replication_role = replica`, which is how pg_restore loads data: the
per-row trigger checks are not queued, everything else (NOT NULL, CHECK,
unique indexes) is enforced as usual. A missing key raises IntegrityError and
the whole import rolls back, as a failed trigger check would.

Setting the parameter needs a superuser or, from PostgreSQL 15, a
`GRANT SET ON PARAMETER session_replication_role TO <app user>`. Without it
the import falls back to the ordinary per-row checks: same result, slower.
The tables written this way carry no triggers of their own (a test keeps it
so), so the mode skips nothing but the referential checks.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from operator import itemgetter

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ForeignKey, Model

# The tables the survey import writes in bulk; none may have triggers of its own.
BULK_TABLES = (
    "orgs_enterprise",
    "orgs_enterprisesurvey",
    "orgs_partyorganization",
    "orgs_partyorganization_enterprises",
    "orgs_instructorassignment",
)


class ReferenceChecks:
    """The keys the bulk statements referenced, checked and locked in one query per table."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.keys: dict[type[Model], set] = defaultdict(set)
        # Rows this transaction created or updated exist and are locked by it already.
        self.own: dict[type[Model], set] = defaultdict(set)
        self.checked: dict[type[Model], set] = defaultdict(set)

    def note(self, model: type[Model], columns: list[str], rows: Sequence[tuple]) -> None:
        """Note the foreign keys among `columns` (a bulk statement's column
        list for `model`) in `rows`, tuples in that column order."""
        if not self.enabled:
            return
        by_column = {f.column: f for f in model._meta.concrete_fields}
        for position, column in enumerate(columns):
            field = by_column.get(column)
            if isinstance(field, ForeignKey) and field.db_constraint:
                self.keys[field.related_model].update(map(itemgetter(position), rows))

    def owned(self, model: type[Model], keys: Iterable) -> None:
        if self.enabled:
            self.own[model].update(keys)

    def verify(self) -> None:
        """Lock every referenced row not checked yet FOR KEY SHARE; raise if
        any is missing. Called after each bulk statement, so nothing reads
        back a row with a dangling key."""
        if not self.enabled:
            return
        with connection.cursor() as cursor:
            for model, keys in self.keys.items():
                wanted = sorted(k for k in keys - self.own[model] - self.checked[model] if k is not None)
                if not wanted:
                    continue
                self.checked[model].update(wanted)
                pk = model._meta.pk
                array = "text[]" if pk.get_internal_type() in ("CharField", "TextField") else "bigint[]"
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {model._meta.db_table} t "
                    f"JOIN unnest(%s::{array}) AS k(key) ON t.{pk.column} = k.key FOR KEY SHARE OF t) AS locked",
                    [wanted],
                )
                found = cursor.fetchone()[0]
                if found != len(wanted):
                    raise IntegrityError(
                        f"{len(wanted) - found} referenced {model._meta.db_table} row(s) missing during a bulk import"
                    )


@contextmanager
def bulk_load():
    """Inside a transaction on PostgreSQL: run the block with per-row
    referential triggers off if this database user may, and check the keys
    noted on the yielded ReferenceChecks at the end of the block."""
    if connection.vendor != "postgresql":
        yield ReferenceChecks(enabled=False)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        before = cursor.fetchone()[0]
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves the transaction usable
                cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        except DatabaseError:
            yield ReferenceChecks(enabled=False)
            return
        checks = ReferenceChecks(enabled=True)
        # On an exception the transaction (or savepoint) is rolled back, and
        # the setting with it.
        yield checks
        checks.verify()
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [before])
