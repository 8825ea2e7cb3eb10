"""Planning (no database writes yet): each valid row classified against the
ledger, the firms the file leaves out, the organizations, links and
instructor assignments the rows call for, and which yearly snapshots
change. The writers carry the plan out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from core.masking import keep_if_masked
from orgs.models import BusinessStatus, Enterprise, EnterpriseSurvey, InstructorAssignment, OrgSetup, PartyOrganization

from .columns import COLUMN_BY_FIELD
from .report import (
    CHUNK,
    DEFAULT_FACTS,
    FACTS,
    IDX,
    REPORT_LIST_CAP,
    JsonChunks,
    NewRegion,
    Row,
    SurveyReport,
    chunks,
    header_for,
    survey_date_for,
)
from .sql import convert_facts, fact_columns, fact_converters, iter_by_keys, key_array, undo_value
from .validate import Context, Parsed, group_count_errors, group_count_rules, member_errors, reject


def survey_plan(parsed: Parsed, *, year: int, ctx: Context, report: SurveyReport) -> tuple[list[Row], LinkPlan]:
    """The valid rows against what is recorded (new / changed / unchanged),
    the firms the file leaves out, and the organizations, links and
    assignments to add; the report counts it all. Still no writes."""
    rows = classify(parsed, year=year, ctx=ctx, report=report)
    report.rejected.sort(key=lambda r: r["row"])
    report.rejected_rows.sort(key=lambda r: r["row"])
    report.created = sum(1 for r in rows if r.status == "new")
    report.updated = sum(1 for r in rows if r.status == "changed")
    report.unchanged = sum(1 for r in rows if r.status == "unchanged")

    def changes() -> Iterator[dict]:
        for r in rows:
            if r.status == "changed":
                yield {
                    "row": r.row,
                    "credit_code": r.code,
                    "name": r.facts[IDX["name"]],
                    "diff": [
                        [header_for(FACTS[i]), ctx.display(FACTS[i], o), ctx.display(FACTS[i], n)] for i, o, n in r.diff
                    ],
                }

    # The first ones for the page; all of them, one by one, for the full report.
    report.changes = list(islice(changes(), REPORT_LIST_CAP))
    report.full_lists["changes"] = changes
    plan_absent(rows, ctx=ctx, report=report)
    plan = plan_links(rows, year=year, ctx=ctx)
    report.organizations_created = len(plan.new_orgs)
    report.placeholders_created = sum(1 for o in plan.new_orgs.values() if o["placeholder"])
    report.links_added = len(plan.links)
    report.assignments_created = len(plan.assignments)
    report.streets_created = sorted(
        {r.facts[IDX["street_id"]].name for r in rows if isinstance(r.facts[IDX["street_id"]], NewRegion)}
    )
    report.parks_created = sorted(
        {r.facts[IDX["park_id"]].name for r in rows if isinstance(r.facts[IDX["park_id"]], NewRegion)}
    )
    return rows, plan


def _load_existing(codes: list[str]) -> dict[str, tuple]:
    """credit code → (id, latest year, *facts), typed as the ORM would give them."""
    rows = iter_by_keys(
        f"credit_code, id, latest_survey_year, {fact_columns(Enterprise)}",
        Enterprise._meta.db_table,
        "credit_code",
        codes,
    )
    converters = fact_converters(Enterprise)
    return {row[0]: (row[1], row[2], *convert_facts(row[3:], converters)) for row in rows}


def plan_chunk() -> int:
    """Rows classified together: the recorded firms of that many codes are
    held at once, whatever the file's length (SURVEY_PLAN_CHUNK)."""
    return max(1, int(getattr(settings, "SURVEY_PLAN_CHUNK", CHUNK)))


def classify(parsed: Parsed, *, year: int, ctx: Context, report: SurveyReport) -> list[Row]:
    """Second pass: merge each row over what is recorded, apply the rules that
    span columns, and say new/changed/unchanged with the diff. A chunk of
    rows at a time: only that chunk's recorded firms are loaded, merged and
    let go before the next, so a file changing 300,000 recorded firms never
    holds them all beside its own rows."""
    # The facts of a row in one C call: the file's value where it has the
    # column, else the recorded value (or the default) appended behind it.
    source = {IDX[name]: k for k, name in enumerate(parsed.fields) if name in IDX}
    width = len(parsed.fields)
    merge = itemgetter(*(source.get(i, width + i) for i in range(len(FACTS))))
    need_member_check = not all(m in parsed.fields for m in ("members_total", "members_formal", "members_probationary"))
    defaults = tuple(DEFAULT_FACTS[f] for f in FACTS)
    street_i, total_i, formal_i, prob_i, employees_i = (
        IDX["street_id"],
        IDX["members_total"],
        IDX["members_formal"],
        IDX["members_probationary"],
        IDX["employees"],
    )
    only_street = ctx.only_street.pk if ctx.only_street is not None else None
    writable, street_district = ctx.writable, ctx.street_district
    phone_i = IDX["phone"] if "phone" in parsed.fields else None
    # Limits the file gives one side of, against the recorded other side (a
    # rare rejection: its row's cells may not have been kept for the download).
    group_rules = group_count_rules(parsed.fields, IDX, both=False)
    more_members = _("党员总数多于从业人员数，请核实")
    rows: list[Row] = []
    for part in chunks(list(parsed.rows), plan_chunk()):
        existing = _load_existing(part)
        # Popping as we go lets each parsed tuple and recorded row go once merged.
        for code in part:
            number, values, cells = parsed.rows.pop(code)
            record = existing.pop(code, None)
            if record is not None:
                enterprise_id, latest_year = record[0], record[1]
                old = record[2:]
                facts = merge(values + old)
                if phone_i is not None:
                    # The ledger export masks phones: its masks coming back keep the recorded numbers.
                    phone = keep_if_masked(facts[phone_i], old[phone_i])
                    if phone is not facts[phone_i]:
                        facts = (*facts[:phone_i], phone, *facts[phone_i + 1 :])
            else:
                enterprise_id, latest_year, old = None, None, None
                facts = merge(values + defaults)
            del record
            errors = []
            if need_member_check:
                errors = member_errors(facts[total_i], facts[formal_i], facts[prob_i])
            if group_rules:
                errors += group_count_errors(facts, group_rules)
            if old is not None and writable is not None and street_district.get(old[street_i]) not in writable:
                errors.append(
                    (
                        COLUMN_BY_FIELD["street_name"].header,
                        # Which district holds it is not this batch's business.
                        _("该企业登记在其他区县，不能由本批次导入变更"),
                    )
                )
            elif old is not None and only_street is not None and old[street_i] != only_street:
                errors.append(
                    (
                        COLUMN_BY_FIELD["street_name"].header,
                        # Which street holds it is not this street's business.
                        _("该企业属于其他街道的登记范围，不能由本街道导入变更"),
                    )
                )
            if errors:
                reject(report, number, code, cells, errors)
                continue
            total = facts[total_i]
            if total and facts[employees_i] and total > facts[employees_i] and len(report.warnings) < REPORT_LIST_CAP:
                report.warnings.append({"row": number, "credit_code": code, "message": more_members})
            row = Row(row=number, code=code, facts=facts, enterprise_id=enterprise_id)
            if old is None:
                row.status = "new"
            elif latest_year is not None and year < latest_year:
                # An older year's survey fills in its snapshot; the ledger keeps the newer facts.
                row.status, row.touch_ledger, row.ledger_matches = "unchanged", False, False
            elif facts == old:
                row.status, row.touch_ledger = "unchanged", latest_year != year
            else:
                row.diff = tuple((i, old[i], facts[i]) for i in range(len(FACTS)) if old[i] != facts[i])
                row.status = "changed"
            rows.append(row)
        del existing
    rows.sort(key=lambda r: r.row)
    return rows


def plan_absent(rows: list[Row], *, ctx: Context, report: SurveyReport) -> None:
    """Enterprises of the streets this file covers that it does not name:
    listed for staff to confirm, never deleted. Closed ones are expected to go."""
    if ctx.only_street is not None:
        street_ids = {ctx.only_street.pk}
    else:
        street_ids = {r.facts[IDX["street_id"]] for r in rows if isinstance(r.facts[IDX["street_id"]], int)}
    if connection.vendor == "postgresql":
        # The database leaves out the file's codes: at 100,000 rows a hash
        # anti-join, instead of sending every recorded enterprise back.
        array, codes = key_array([r.code for r in rows], text=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, credit_code, name, street_id FROM {Enterprise._meta.db_table} t "
                f"WHERE street_id = ANY(%s) AND status <> %s "
                f"AND NOT EXISTS (SELECT 1 FROM unnest({array}) AS k(code) WHERE k.code = t.credit_code) "
                f"ORDER BY street_id, name",
                [sorted(street_ids), BusinessStatus.DEREGISTERED.value, codes],
            )
            found = cursor.fetchall()
    else:
        codes = {r.code for r in rows}
        found = [
            values
            for values in Enterprise.objects.filter(street_id__in=street_ids)
            .exclude(status=BusinessStatus.DEREGISTERED)
            .values_list("id", "credit_code", "name", "street_id")
            .order_by("street_id", "name")
            if values[1] not in codes
        ]

    def absent() -> Iterator[dict]:
        for pk, code, name, street_id in found:
            yield {"id": pk, "credit_code": code, "name": name, "street": ctx.street_name.get(street_id, "")}

    report.not_in_survey = len(found)
    report.not_in_survey_list = list(islice(absent(), REPORT_LIST_CAP))
    report.full_lists["not_in_survey_list"] = absent


@dataclass
class LinkPlan:
    # (street key, name) → {"mode", "secretary", "placeholder", "park"}
    new_orgs: dict[tuple, dict] = field(default_factory=dict)
    existing_orgs: dict[tuple, int] = field(default_factory=dict)
    # (org key or org id, credit code)
    links: list[tuple[Any, str]] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)


def plan_links(rows: list[Row], *, year: int, ctx: Context) -> LinkPlan:
    """DESIGN.md §3: a row whose setup is not 未建 is linked to the organization
    it names (found by name in the street, else created with that formation
    mode; one joint name shared by rows is one organization); an empty name
    gets a placeholder flagged for completion unless the enterprise is already
    covered (the recorded organizations win). 是否选派党建指导员 = 是 gets an
    assignment unless one is open."""
    plan = LinkPlan()
    street_ids = {r.facts[IDX["street_id"]] for r in rows if isinstance(r.facts[IDX["street_id"]], int)}
    for pk, street_id, name in PartyOrganization.objects.filter(street_id__in=street_ids).values_list(
        "id", "street_id", "name"
    ):
        plan.existing_orgs[(street_id, name)] = pk
    through = PartyOrganization.enterprises.through
    links: set[tuple[int, int]] = set(
        through.objects.filter(partyorganization__street_id__in=street_ids).values_list(
            "partyorganization_id", "enterprise_id"
        )
    )
    covered = {enterprise_id for _org, enterprise_id in links}
    on = survey_date_for(year)
    assigned = set(
        InstructorAssignment.objects.filter(enterprise__street_id__in=street_ids)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .values_list("enterprise_id", flat=True)
    )
    used_names = set(plan.existing_orgs)
    for row in rows:
        facts = row.facts
        setup = facts[IDX["org_setup"]]
        street = facts[IDX["street_id"]]
        if setup != OrgSetup.NONE:
            name = facts[IDX["org_name"]]
            if name:
                key = (street, name)
                org = plan.existing_orgs.get(key)
                if org is None and key not in plan.new_orgs:
                    plan.new_orgs[key] = {
                        "mode": setup,
                        "secretary": facts[IDX["secretary_name"]],
                        "placeholder": False,
                        "park": facts[IDX["park_id"]] if setup == OrgSetup.JOINT else None,
                    }
                    used_names.add(key)
                if org is None or (org, row.enterprise_id) not in links:
                    plan.links.append((org if org is not None else key, row.code))
            elif row.enterprise_id is None or row.enterprise_id not in covered:
                base = _("%(name)s党组织（待完善）") % {"name": facts[IDX["name"]]}
                key = (street, base[:200])
                if key in used_names:
                    key = (street, f"{base}{row.code[-6:]}"[:200])
                used_names.add(key)
                plan.new_orgs[key] = {"mode": setup, "secretary": facts[IDX["secretary_name"]], "placeholder": True,
                                      "park": None}  # fmt: skip
                plan.links.append((key, row.code))
        if facts[IDX["instructor_assigned"]] and (row.enterprise_id is None or row.enterprise_id not in assigned):
            plan.assignments.append(row.code)
    return plan


def plan_surveys(
    rows: list[Row], *, year: int, new_written: bool = True, keep_undo: bool = True
) -> tuple[list[Row], dict[int, int], JsonChunks]:
    """That year's snapshot is written where it is absent or different;
    the previous values of what it overwrites are kept for a rollback. New
    enterprises get theirs with the enterprise (`insert_new`) unless
    `new_written` is False (a preview counting what would be written).
    Returns the rows to write, the existing snapshot's id per enterprise,
    and the rollback data. The recorded snapshots are compared as they
    are read, not all held at once. `keep_undo` False (a preview) leaves
    the rollback data out: only what would be written is counted."""
    on = survey_date_for(year)
    converters = fact_converters(EnterpriseSurvey)
    recorded = {r.enterprise_id: r for r in rows if r.enterprise_id is not None and r.status != "new"}
    existing: dict[int, int] = {}
    same: set[int] = set()
    # Kept as JSON text a chunk at a time (`JsonChunks`), as `save_undo` writes it.
    overwritten = JsonChunks()
    for values in iter_by_keys(
        f"enterprise_id, id, batch_id, survey_date, {fact_columns(EnterpriseSurvey)}",
        EnterpriseSurvey._meta.db_table,
        "enterprise_id",
        list(recorded),
        extra=f" AND year = {int(year)}",
    ):
        enterprise_id, survey_id, batch_id, survey_day = values[:4]
        if not isinstance(survey_day, date):
            survey_day = date.fromisoformat(survey_day)
        facts = tuple(convert_facts(values[4:], converters))
        existing[enterprise_id] = survey_id
        if facts == recorded[enterprise_id].facts and survey_day == on:
            same.add(enterprise_id)
        elif keep_undo:
            # A list in SURVEY_UNDO_FIELDS order, not a dict: at 300,000
            # rows the keys repeated in every dict would cost about 300 MB.
            # An encrypted fact (the phone) stays ciphertext there.
            overwritten.append(
                (
                    str(survey_id),
                    [
                        batch_id,
                        survey_day.isoformat(),
                        *(undo_value(f, v) for f, v in zip(FACTS, facts, strict=True)),
                    ],
                )
            )
    survey_rows = [r for r in rows if not (r.status == "new" and new_written) and r.enterprise_id not in same]
    return survey_rows, existing, overwritten
