"""The raw SQL the import's steps share: rows looked up by a long list of
keys, the fact columns of the ledger and its snapshots, and the values
SQLite hands back made the same as PostgreSQL's."""

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model

from .report import FACTS, chunks

Converter = Callable[[Any], Any]


def key_array(keys: Sequence[Any], *, text: bool | None = None) -> tuple[str, Any]:
    """An SQL array parameter of credit codes or ids: (SQL, parameter).
    Sent as one comma-joined string split by the server: psycopg2 would
    quote 100,000 list items one by one (a tenth of a second), and an int
    list becomes an ARRAY[...] expression the server parses element by
    element (two tenths). Credit codes and ids hold no comma."""
    if text is None:
        text = bool(keys) and isinstance(keys[0], str)
    if text:
        if "" in keys or any("," in k for k in keys):  # string_to_array would lose or split these
            return "%s::text[]", list(keys)
        return "string_to_array(%s, ',')", ",".join(keys)
    return "string_to_array(%s, ',')::bigint[]", ",".join(map(str, keys))


def select_by_keys(sql_columns: str, table: str, key: str, keys: Sequence[Any], extra: str = "") -> list[tuple]:
    """Rows whose `key` is in `keys`. On PostgreSQL one query joining an
    unnested array: the planner can hash it, where an IN list of 100,000
    parameters costs more to build than to run and `= ANY(array)` may be
    searched linearly row by row."""
    return list(iter_by_keys(sql_columns, table, key, keys, extra))


def iter_by_keys(sql_columns: str, table: str, key: str, keys: Sequence[Any], extra: str = "") -> Iterator[tuple]:
    """`select_by_keys` a few thousand rows at a time, for a caller that
    keeps only part of each row."""
    if not keys:
        return
    if connection.vendor == "postgresql":
        array, param = key_array(keys)
        columns = ", ".join(f"t.{c.strip()}" for c in sql_columns.split(","))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {table} t JOIN unnest({array}) AS k(key) ON t.{key} = k.key"
                f"{extra.replace(' AND ', ' AND t.', 1) if extra else ''}",
                [param],
            )
            while batch := cursor.fetchmany(5000):
                yield from batch
        return
    with connection.cursor() as cursor:
        for chunk in chunks(list(keys), 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {sql_columns} FROM {table} WHERE {key} IN ({marks}){extra}", chunk)
            yield from cursor.fetchall()


def fact_columns(model: type[Model]) -> str:
    return ", ".join(model._meta.get_field(f if not f.endswith("_id") else f[:-3]).column for f in FACTS)


def fact_converters(model: type[Model]) -> list[Converter | None] | None:
    """SQLite hands back 0/1 for booleans and text for decimals; PostgreSQL
    gives typed values already (None: nothing to convert)."""
    if connection.vendor == "postgresql":
        return None
    out: list[Converter | None] = []
    for name in FACTS:
        field = model._meta.get_field(name[:-3] if name.endswith("_id") else name)
        kind = field.get_internal_type()
        if kind == "BooleanField":
            out.append(lambda v: None if v is None else bool(v))
        elif kind == "DecimalField":
            out.append(lambda v: None if v is None else Decimal(str(v)).quantize(Decimal("0.01")))
        else:
            out.append(None)
    return out


def convert_facts(values: Sequence[Any], converters: list[Converter | None] | None) -> Sequence[Any]:
    if converters is None:
        return values
    return [v if conv is None else conv(v) for v, conv in zip(values, converters, strict=True)]
