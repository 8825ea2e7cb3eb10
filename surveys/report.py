"""The survey import's shared vocabulary: the facts a row carries, the row
and report types every step passes along, and the constants they share.
Every other module of the import stands on this one."""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from orgs.models import BusinessStatus, LegalType, OrgSetup, SurveyFacts

from .columns import COLUMN_BY_FIELD

FACTS: list[str] = SurveyFacts.fact_field_names()
IDX = {name: i for i, name in enumerate(FACTS)}
# The previous values of a snapshot a batch overwrote, as its rollback data keeps them.
SURVEY_UNDO_FIELDS = ["batch_id", "survey_date", *FACTS]
CHUNK = 5000
REPORT_LIST_CAP = 2000
# Rows of each list the batch keeps in its jsonb summary and the page shows;
# the full report (.xlsx in storage) has them all.
SUMMARY_ROWS = 200
# The lists whose length grows with the file's rows.
ROW_LISTS = ("rejected", "duplicates", "skipped", "changes", "not_in_survey_list", "warnings",
             "streets_created", "parks_created")  # fmt: skip
ADVISORY_LOCK_KEY = 727_003  # one survey import writes at a time

DEFAULT_FACTS: dict[str, Any] = {
    "name": "",
    "legal_type": LegalType.LLC.value,
    "street_id": None,
    "park_id": None,
    "industry_id": None,
    "address": "",
    "status": BusinessStatus.OPERATING.value,
    "above_scale": False,
    "employees": 0,
    "members_total": 0,
    "members_formal": 0,
    "members_probationary": 0,
    "owner_name": "",
    "owner_is_member": False,
    "org_setup": OrgSetup.NONE.value,
    "org_name": "",
    "secretary_name": "",
    "instructor_assigned": False,
    "union_established": False,
    "league_established": False,
    "phone": "",
    "revenue": None,
    "union_members": None,
    "league_members": None,
    "managers": None,
    "managers_party_members": None,
}


def survey_date_for(year: int) -> date:
    # The survey's reference date (统计时点), as the demo data and the statistics use it.
    return date(year, 3, 31)


@dataclass(frozen=True)
class NewRegion:
    """A street or park the import will create; stands in for its id until then."""

    kind: str
    name: str
    parent: Any = None


@dataclass(slots=True)
class Row:
    """A valid row as classified. Kept compact, one per row of the file:
    its facts a tuple in FACTS order, its diff a tuple of (position in
    FACTS, recorded value, new value) for each fact that changes."""

    row: int
    code: str
    facts: tuple[Any, ...]
    status: str = "new"  # new / changed / unchanged
    enterprise_id: int | None = None
    diff: tuple[tuple[int, Any, Any], ...] = ()
    touch_ledger: bool = True
    # False only for an older year's row: its facts are not the ledger's.
    ledger_matches: bool = True


@dataclass
class SurveyReport:
    batch: int | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    # Totals, signature and note lines: not data, skipped and named (DESIGN §6).
    skipped: list[dict] = field(default_factory=list)
    not_in_survey: int = 0
    dry_run: bool = False
    strict_failed: bool = False
    # For people: the preview and the rejected-rows download.
    rejected_rows: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    not_in_survey_list: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    header_row: int = 1
    sheet: str = ""
    missing_columns: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    streets_created: list[str] = field(default_factory=list)
    parks_created: list[str] = field(default_factory=list)
    # New parks whose names match an existing park's but for spacing,
    # brackets or suffix: the preview asks which is meant (DESIGN §6).
    similar_parks: list[dict] = field(default_factory=list)
    organizations_created: int = 0
    placeholders_created: int = 0
    links_added: int = 0
    assignments_created: int = 0
    surveys_written: int = 0
    # Lists kept short above (REPORT_LIST_CAP) that the full report writes
    # whole, produced one item at a time from what the import holds anyway.
    full_lists: dict[str, Callable[[], Iterable[dict]]] = field(default_factory=dict)

    def contract(self) -> dict:
        """The object `import_survey --json` prints (CONTRACT.md)."""
        return {
            "batch": self.batch,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "not_in_survey": self.not_in_survey,
        }

    def as_json(self) -> dict:
        data = self.contract()
        for name in (
            "dry_run",
            "strict_failed",
            "skipped",
            "rejected_rows",
            "changes",
            "not_in_survey_list",
            "headers",
            "header_row",
            "sheet",
            "missing_columns",
            "warnings",
            "streets_created",
            "parks_created",
            "similar_parks",
            "organizations_created",
            "placeholders_created",
            "links_added",
            "assignments_created",
            "surveys_written",
        ):
            data[name] = getattr(self, name)
        return data

    def summary(self) -> dict:
        """What the batch keeps in its jsonb `report`: every count, the first
        SUMMARY_ROWS of each list and each list's full length (`totals`);
        the rejected rows' cells not at all. Bounded whatever the file's size."""
        data = self.as_json()
        del data["rejected_rows"]
        data["totals"] = {name: len(data[name]) for name in ROW_LISTS}
        data["totals"].update(changes=self.updated, not_in_survey_list=self.not_in_survey)
        for name in ROW_LISTS:
            data[name] = data[name][:SUMMARY_ROWS]
        return data

    @property
    def rejected_count(self) -> int:
        return len(self.rejected_rows)


def header_for(fact: str) -> str:
    column = COLUMN_BY_FIELD.get(
        {"street_id": "street_name", "park_id": "park_name", "industry_id": "industry_key"}.get(fact, fact)
    )
    return column.header if column else fact


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


class JsonChunks:
    """A part of the rollback data kept as the JSON text of each CHUNK of its
    items: the very lines `save_undo` writes for a list (or a dict's
    [key, value] pairs) of them. At 300,000 overwritten snapshots the items
    as Python objects would hold over a kilobyte each, their text a few
    hundred bytes. Its length is the number of items."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self._pending: list[Any] = []
        self._count = 0

    def append(self, item: Any) -> None:
        self._pending.append(item)
        self._count += 1
        if len(self._pending) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.lines.append(json.dumps(self._pending, ensure_ascii=False).encode())
            self._pending = []

    def encoded(self) -> list[bytes]:
        self._flush()
        return self.lines

    def __len__(self) -> int:
        return self._count
