"""The raw SQL the import's steps share: rows looked up by a long list of
keys, the fact columns of the ledger and its snapshots, the values SQLite
hands back made the same as PostgreSQL's, and encrypted facts (the phone)
decrypted on the way in and encrypted on the way out, as the ORM's field
would: raw SQL bypasses it."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model

from core.crypto import EncryptedTextField, decrypt_text, encrypt_text
from orgs.models import SurveyFacts

from .report import CHUNK, FACTS, chunks, json_value

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
    keeps only part of each row. On PostgreSQL a query per CHUNK keys: the
    driver holds a query's whole result in C memory until it is read, and
    the snapshots of 300,000 firms at once are some 200 MB there."""
    if not keys:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(f"t.{c.strip()}" for c in sql_columns.split(","))
        where = extra.replace(" AND ", " AND t.", 1) if extra else ""
        with connection.cursor() as cursor:
            for part in chunks(list(keys), CHUNK):
                array, param = key_array(part)
                cursor.execute(
                    f"SELECT {columns} FROM {table} t JOIN unnest({array}) AS k(key) ON t.{key} = k.key{where}", [param]
                )
                yield from cursor.fetchall()
        return
    with connection.cursor() as cursor:
        for chunk in chunks(list(keys), 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {sql_columns} FROM {table} WHERE {key} IN ({marks}){extra}", chunk)
            yield from cursor.fetchall()


def fact_columns(model: type[Model]) -> str:
    return ", ".join(model._meta.get_field(f if not f.endswith("_id") else f[:-3]).column for f in FACTS)


# Ciphertext → plain text for the import running in this context, if any.
_decrypted: ContextVar[dict[str, str] | None] = ContextVar("survey_decrypted", default=None)


@contextmanager
def decrypting_once() -> Iterator[None]:
    """Within one import each ciphertext is decrypted once. A year's
    snapshots are copied from the ledger row server-side and carry its very
    ciphertext, so a re-import reading both pays for one decryption per
    phone, not two (a decryption costs as much as a row's whole comparison)."""
    token = _decrypted.set({})
    try:
        yield
    finally:
        _decrypted.reset(token)


def _decrypt(value: Any) -> Any:
    if not value:
        return value
    memo = _decrypted.get()
    if memo is None:
        return decrypt_text(value)
    plain = memo.get(value)
    if plain is None:
        plain = memo[value] = decrypt_text(value)
    return plain


def _encrypt(value: Any) -> Any:
    return encrypt_text(value) if value else value


def _field(model: type[Model], fact: str):
    return model._meta.get_field(fact[:-3] if fact.endswith("_id") else fact)


# Positions in FACTS of the encrypted facts (the phone), and their names.
ENCRYPTED = [i for i, name in enumerate(FACTS) if isinstance(_field(SurveyFacts, name), EncryptedTextField)]
ENCRYPTED_NAMES = frozenset(FACTS[i] for i in ENCRYPTED)


def fact_converters(model: type[Model]) -> list[tuple[int, Converter]]:
    """(position, converter) for the facts a raw SELECT hands back in another
    form than the ORM would: encrypted facts come back as ciphertext. SQLite
    also hands back 0/1 for booleans and text for decimals; PostgreSQL gives
    those typed already."""
    postgres = connection.vendor == "postgresql"
    out: list[tuple[int, Converter]] = []
    for i, name in enumerate(FACTS):
        field = _field(model, name)
        kind = field.get_internal_type()
        if isinstance(field, EncryptedTextField):
            out.append((i, _decrypt))
        elif postgres:
            continue
        elif kind == "BooleanField":
            out.append((i, lambda v: None if v is None else bool(v)))
        elif kind == "DecimalField":
            out.append((i, lambda v: None if v is None else Decimal(str(v)).quantize(Decimal("0.01"))))
    return out


def convert_facts(values: Sequence[Any], converters: list[tuple[int, Converter]]) -> list[Any]:
    out = list(values)
    for i, convert in converters:
        out[i] = convert(out[i])
    return out


def undo_value(fact: str, value: Any) -> Any:
    """A previous value as a batch's undo data keeps it (JSON): an encrypted
    fact stays ciphertext there, so the undo data holds no phone in clear."""
    if value and fact in ENCRYPTED_NAMES:
        return encrypt_text(value)
    return json_value(value)


def undo_restored(values: dict[str, Any]) -> dict[str, Any]:
    """Undo data back to the values a model is built with."""
    return {k: decrypt_text(v) if v and k in ENCRYPTED_NAMES else v for k, v in values.items()}


def stored_facts(facts: Sequence[Any]) -> tuple[Any, ...]:
    """A row's facts as a raw statement must store them: the phone encrypted."""
    out = list(facts)
    for i in ENCRYPTED:
        out[i] = _encrypt(out[i])
    return tuple(out)


def delete_by_keys(cursor: Any, table: str, key: str, keys: Sequence[Any]) -> int:
    """DELETE the rows whose `key` is in `keys`; how many went. On
    PostgreSQL one statement joining an unnested array (see select_by_keys)."""
    if not keys:
        return 0
    if connection.vendor == "postgresql":
        array, param = key_array(keys)
        cursor.execute(f"DELETE FROM {table} t USING unnest({array}) AS k(key) WHERE t.{key} = k.key", [param])
        return cursor.rowcount
    deleted = 0
    for chunk in chunks(list(keys), 900):
        cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({', '.join(['%s'] * len(chunk))})", chunk)
        deleted += cursor.rowcount
    return deleted


def delete_pairs(cursor: Any, table: str, columns: tuple[str, str], pairs: Sequence[Sequence[Any]]) -> int:
    """DELETE the rows whose two `columns` hold one of `pairs`; how many went."""
    if not pairs:
        return 0
    first, second = columns
    if connection.vendor == "postgresql":
        array_a, param_a = key_array([p[0] for p in pairs], text=False)
        array_b, param_b = key_array([p[1] for p in pairs], text=False)
        cursor.execute(
            f"DELETE FROM {table} t USING unnest({array_a}, {array_b}) AS k(a, b) "
            f"WHERE t.{first} = k.a AND t.{second} = k.b",
            [param_a, param_b],
        )
        return cursor.rowcount
    cursor.executemany(f"DELETE FROM {table} WHERE {first} = %s AND {second} = %s", [tuple(p) for p in pairs])
    return cursor.rowcount
