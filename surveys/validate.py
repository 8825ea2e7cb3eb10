"""Reading and validating (the import's first steps, no database writes):
the file opened, every row parsed and checked on its own, names resolved
to the district's streets, parks and industries. What survives is one
tuple of values per credit code; rejected rows go into the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import gt, itemgetter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.masking import mask_phone
from orgs.models import GROUP_COUNT_LIMITS, BusinessStatus, Industry, LegalType, OrgSetup, Region

from .columns import COLUMN_BY_FIELD, CellError, Column, check_text, clean_text, shown, stored_text
from .reader import SurveyTable, open_survey
from .report import NewRegion, SurveyReport

Notify = Callable[[int, str], None]


def survey_read(*, path: str, file_name: str, dry_run: bool) -> tuple[SurveyTable, SurveyReport]:
    """The file opened (its rows are read as they are validated) and the report begun on it.
    Raises SurveyFileError when the file as a whole is unusable."""
    table = open_survey(path, file_name=file_name)
    report = SurveyReport(
        dry_run=dry_run,
        headers=table.headers,
        header_row=table.header_row,
        sheet=table.sheet_name,
        missing_columns=table.missing_optional,
    )
    return table, report


def survey_validate(table: SurveyTable, *, ctx: Context, report: SurveyReport, notify: Notify) -> Parsed:
    """Every row read and checked on its own, the progress bar moving up to 60 %."""

    def row_progress(count: int, _note: str | None) -> None:
        notify(min(60, 5 + count // 2500), _("已校验 %(n)d 行") % {"n": count})

    parsed = parse_rows(table, ctx, report, row_progress)
    report.similar_parks = sorted(ctx.similar_parks.values(), key=lambda p: p["key"])
    return parsed


# Suffixes that do not tell two places apart (DESIGN §6): 马栏园区 and 马栏产业园
# are probably one park. Longest first.
PLACE_SUFFIXES = (
    "社区居民委员会", "社区居委会", "居委会", "产业园区", "工业园区", "科技园区", "创业园区",
    "产业园", "工业园", "科技园", "园区", "社区",
)  # fmt: skip
PLACE_NOISE = re.compile(r"[\s()（）\[\]【】]")


def place_key(name: str) -> str:
    """A park's or community's name with spacing, brackets and a generic suffix removed."""
    key = PLACE_NOISE.sub("", name)
    for suffix in PLACE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def park_label(street: str, name: str) -> str:
    """How a park of the file is named in the preview and in the decisions."""
    return f"{street}／{name}"


class Context:
    """Reference data loaded once per import: districts, streets, parks, industries.

    `district` is the district the file was imported for (None: a city's
    file whose rows name their district in 所属区县, or an installation
    with no district yet); `importable`, the districts the importer may
    import for (None: any). Street names resolve within the row's district."""

    def __init__(
        self,
        *,
        create_streets: bool,
        only_street: Region | None,
        park_decisions: dict[str, int | None] | None = None,
        district: Region | None = None,
        importable: set[int] | None = None,
    ) -> None:
        self.create_streets = create_streets and only_street is None
        self.only_street = only_street
        self.district = district
        self.importable = importable
        districts = Region.objects.filter(kind=Region.Kind.DISTRICT).values_list("id", "name")
        self.district_by_name = {name.strip(): pk for pk, name in districts}
        self.district_name = {pk: name for pk, name in districts}
        streets = Region.objects.filter(kind=Region.Kind.STREET).values_list("id", "name", "parent_id")
        self.street_name = {pk: name for pk, name, _parent in streets}
        self.street_district = {pk: parent for pk, _name, parent in streets}
        self.streets_in: dict[int | None, dict[str, int]] = {}
        for pk, name, parent in streets:
            self.streets_in.setdefault(parent, {})[name.strip()] = pk
        # Every street by name: where no district is named (none exists yet).
        self.street_by_name = {name.strip(): pk for pk, name, _parent in streets}
        # The districts this batch may write in (None: no limit, as in an
        # installation of one district).
        self.writable: set[int] | None = None
        if self.several_districts:
            self.writable = {district.pk} if district is not None else set(importable or self.district_name)
        self.park_by_key = {
            (parent, name.strip()): pk
            for pk, parent, name in Region.objects.filter(kind=Region.Kind.PARK).values_list("id", "parent_id", "name")
        }
        self.park_name = {pk: name for (_parent, name), pk in self.park_by_key.items()}
        # Parks whose names differ only in spacing, brackets or suffix, under
        # any street of the districts this file writes in: a new park that
        # matches one is asked about, not created silently. A decision (from
        # the preview) names the park to use, or None for a new one.
        self.parks_by_place: dict[str, list[dict[str, Any]]] = {}
        for (parent, name), pk in self.park_by_key.items():
            if self.writable is not None and self.street_district.get(parent, parent) not in self.writable:
                continue
            self.parks_by_place.setdefault(place_key(name), []).append(
                {"id": pk, "name": name, "street": self.street_name.get(parent, "")}
            )
        self.park_decisions = park_decisions or {}
        self.similar_parks: dict[str, dict[str, Any]] = {}
        industries = list(Industry.objects.values_list("code", "name"))
        self.industry_by_key = {code: code for code, _name in industries}
        for code, name in industries:
            self.industry_by_key[name.replace(" ", "")] = code
        self.industry_name = dict(industries)

    @property
    def several_districts(self) -> bool:
        return len(self.district_name) > 1

    @property
    def district_pk(self) -> int | None:
        return self.district.pk if self.district is not None else None

    def row_district(self, name: str) -> int | None:
        """The district a row of the file belongs to: the one its 所属区县
        names, else the one the file was imported for."""
        if not name:
            if self.district is None and self.several_districts:
                raise CellError(_("不能为空：全市文件的每一行须填写所属区县"))
            return self.district_pk
        pk = self.district_by_name.get(name)
        if pk is None:
            pk = self.district_by_name.get(name + "区")
        if pk is None:
            raise CellError(_("“%(d)s”不是已有的区县") % {"d": shown(name)})
        if self.district is not None and pk != self.district.pk:
            raise CellError(_("“%(d)s”不是本次导入的区县（%(own)s）") % {"d": shown(name), "own": self.district.name})
        if self.importable is not None and pk not in self.importable:
            raise CellError(_("您不能导入“%(d)s”的排查摸底表") % {"d": shown(name)})
        return pk

    def street(self, name: str, district: int | None = None) -> Any:
        """A street of the row's district, by name (or by name + 街道)."""
        if district is None:
            district = self.district_pk
        names = self.streets_in.get(district, {}) if district is not None else self.street_by_name
        pk = names.get(name)
        if pk is None:
            pk = names.get(name + "街道")
        if pk is not None:
            if self.only_street is not None and pk != self.only_street.pk:
                raise CellError(_("不属于本次导入的街道（%(s)s）") % {"s": self.only_street.name})
            return pk
        if district is not None and self.several_districts:
            for other, streets in self.streets_in.items():
                if other != district and (name in streets or name + "街道" in streets):
                    raise CellError(
                        _("“%(s)s”是%(other)s的街道，不属于%(d)s，不能在本批次导入")
                        % {
                            "s": shown(name),
                            "other": self.district_name.get(other, ""),
                            "d": self.district_name.get(district, ""),
                        }
                    )
        if self.create_streets:
            return NewRegion(Region.Kind.STREET, name, district)
        raise CellError(
            _("“%(s)s”不是本区已有的街道（如为新街道，请由区级人员勾选“允许新建街道”）") % {"s": shown(name)}
        )

    def park(self, street: Any, name: str) -> Any:
        if not name:
            return None
        if isinstance(street, int):
            pk = self.park_by_key.get((street, name))
            if pk is not None:
                return pk
        street_shown = street.name if isinstance(street, NewRegion) else self.street_name.get(street, "")
        label = park_label(street_shown, name)
        if label in self.park_decisions:
            chosen = self.park_decisions[label]
            if chosen is not None:
                return chosen
        else:
            similar = self.parks_by_place.get(place_key(name))
            if similar:
                self.similar_parks.setdefault(
                    label, {"key": label, "street": street_shown, "name": name, "candidates": similar}
                )
        return NewRegion(Region.Kind.PARK, name, street)

    def industry(self, key: str) -> str | None:
        if not key:
            return None
        code = self.industry_by_key.get(key)
        if code is None:
            raise CellError(_("“%(v)s”不是国民经济行业门类（A–T 字母或门类名称）") % {"v": shown(key)})
        return code

    def display(self, name: str, value: Any) -> str:
        """A fact as the user wrote it, for diffs."""
        if value is None:
            return ""
        if isinstance(value, NewRegion):
            return value.name
        if name == "phone":
            # The preview is kept with the batch and shown to whoever opens it.
            return mask_phone(value)
        if name == "street_id":
            return self.street_name.get(value, str(value))
        if name == "park_id":
            return self.park_name.get(value, str(value))
        if name == "industry_id":
            return f"{value} {self.industry_name.get(value, '')}".strip()
        if isinstance(value, bool):
            return _("是") if value else _("否")
        for choices, attr in ((LegalType, "legal_type"), (BusinessStatus, "status"), (OrgSetup, "org_setup")):
            if name == attr:
                return str(choices(value).label) if value in choices.values else str(value)
        return str(value)


# Lines of a survey sheet that are not data (DESIGN §6): the totals row, the
# signature lines and the notes under the table. Only a row without a credit
# code is looked at, by its first cell with text (spaces removed).
NOT_DATA = [
    (re.compile(r"(合计|总计|小计|共计)([:：(（].*)?"), gettext_lazy("合计行"), None),
    (
        re.compile(r"(填表人|填报人|制表人|审核人|审核|负责人|单位负责人|分管领导|填表日期|填报日期|制表日期|审核日期"
                   r"|填报单位|联系电话)([:：].*)?"),
        gettext_lazy("签名行"),
        None,
    ),
    # A note fills a cell or two; a row with more is a data row to check.
    (re.compile(r"(注|备注|说明|附注|填表说明)[:：0-9１-９一二三、.．].*"), gettext_lazy("表下说明"), 2),
]  # fmt: skip
SPACES = re.compile(r"\s+")


def not_data(cells: list[Any]) -> tuple[str, str] | None:
    """(kind, first text) when the row is a totals, signature or note line."""
    texts = [SPACES.sub("", c) if c.__class__ is str else c for c in cells if c not in (None, "")]
    texts = [t for t in texts if t != ""]
    if not texts or texts[0].__class__ is not str:
        return None
    first = texts[0]
    for pattern, kind, most_cells in NOT_DATA:
        if pattern.fullmatch(first) and (most_cells is None or len(texts) <= most_cells):
            return str(kind), stored_text(first, 100)
    return None


# Survey columns that name a record rather than hold a fact.
RESOLVED = {"street_name": "street_id", "park_name": "park_id", "industry_key": "industry_id"}


def member_errors(total: int, formal: int, probationary: int) -> list[tuple[str, str]]:
    if formal > total:
        return [
            (
                COLUMN_BY_FIELD["members_formal"].header,
                _("正式党员数（%(f)d）不能大于党员总数（%(t)d）") % {"f": formal, "t": total},
            )
        ]
    if formal + probationary != total:
        return [
            (
                COLUMN_BY_FIELD["members_total"].header,
                _("党员总数（%(t)d）应等于正式党员数（%(f)d）与预备党员数（%(p)d）之和")
                % {"t": total, "f": formal, "p": probationary},
            )
        ]
    return []


def group_count_rules(fields: list[str], index: dict[str, int], *, both: bool) -> list[tuple[int, int, str, str, bool]]:
    """The optional counts' limits (orgs.models.GROUP_COUNT_LIMITS) a file's
    rows are checked against, as (position of the count, of the limit,
    count, limit, whether the file carries the count). `both`: the rules
    whose two sides the file carries (checked on the row itself, in
    parse_rows); else those it carries one side of (checked on the row merged
    over the recorded facts, in plan.classify). A rule the file touches
    neither side of holds already: the recorded facts met it when stored."""
    present = set(fields)
    return [
        (index[part], index[whole], part, whole, part in present)
        for part, whole in GROUP_COUNT_LIMITS
        if (part in present and whole in present) == both and (part in present or whole in present)
    ]


def group_count_errors(facts: tuple, rules: list[tuple[int, int, str, str, bool]]) -> list[tuple[str, str]]:
    """(column, message) for each optional count of a row's merged facts above its limit (工会会员数 above
    从业人员数, 管理人员中党员数 above 管理人员数…); None is "not given" and meets every limit but needs
    its own limit given."""
    errors = []
    for part_i, whole_i, part, whole, in_file in rules:
        value, limit = facts[part_i], facts[whole_i]
        if value is None:
            continue
        part_header, whole_header = COLUMN_BY_FIELD[part].header, COLUMN_BY_FIELD[whole].header
        if limit is None:
            message = _("填写了%(part)s（%(n)d），%(whole)s不能为空")
            errors.append((whole_header, message % {"part": part_header, "n": value, "whole": whole_header}))
        elif value > limit:
            if in_file:
                message = _("%(part)s（%(n)d）不能大于%(whole)s（%(m)d）")
                column = part_header
            else:
                message = _("已登记的%(part)s（%(n)d）大于本表%(whole)s（%(m)d），请在表中加入“%(part)s”列填写新数")
                column = whole_header
            errors.append((column, message % {"part": part_header, "n": value, "whole": whole_header, "m": limit}))
    return errors


@dataclass
class Parsed:
    fields: list[str]  # fact names, in the order of each row's tuple
    rows: dict[str, tuple[int, tuple, list | None]]  # code → (row number, values, raw cells if kept)


def parse_rows(
    table: SurveyTable, ctx: Context, report: SurveyReport, progress: Callable[[int, str | None], None]
) -> Parsed:
    """One pass over the cells: every rule that needs only the row itself.
    Keeps, per credit code, the last occurrence as a tuple of values; raw
    cells are kept only where a later rule may still reject the row."""
    items = sorted(table.columns.items())
    fields = [RESOLVED.get(c.field, c.field) for _, c in items]
    steps = [(position, column.parse, column.header) for position, column in items]
    code_at = fields.index("credit_code")
    street_at = fields.index("street_id")
    park_at = fields.index("park_id") if "park_id" in fields else None
    industry_at = fields.index("industry_id") if "industry_id" in fields else None
    members = ("members_total", "members_formal", "members_probationary")
    member_at = [fields.index(m) for m in members] if all(m in fields for m in members) else None
    # 所属区县 routes rows where there are several districts; with one, the
    # column is read as it always was: not at all.
    district_at = fields.index("district_name") if "district_name" in fields and ctx.several_districts else None
    keep_cells = member_at is None or ctx.only_street is not None or ctx.writable is not None
    group_rules = group_count_rules(fields, {name: k for k, name in enumerate(fields)}, both=True)
    street_header = COLUMN_BY_FIELD["street_name"].header
    district_header = COLUMN_BY_FIELD["district_name"].header
    row_district = ctx.district_pk
    industry_header = COLUMN_BY_FIELD["industry_key"].header
    code_position = items[code_at][0]
    # Text kept as typed: one length comparison per cell, and one test of the
    # row's text for anything but printable characters (tabs, line breaks and
    # full-width spaces then meet the exact test).
    texts = [(k, column) for k, (_position, column) in enumerate(items) if column.max_length is not None]
    text_of = _tuple_getter([k for k, _column in texts])
    limits = tuple(column.max_length for _k, column in texts)
    parsed: dict[str, tuple[int, tuple, list | None]] = {}
    seen_rows: dict[str, list[int]] = {}
    count = 0
    for number, cells in table.rows:
        code_cell = cells[code_position]
        if not (code_cell.__class__ is str and len(code_cell) == 18):
            line = not_data(cells)
            if line is not None:
                report.skipped.append({"row": number, "kind": line[0], "text": line[1]})
                continue
        count += 1
        errors = []
        try:  # the common case: every cell reads
            out = [parse(cells[position]) for position, parse, _header in steps]
        except CellError:
            out = []
            for position, parse, header in steps:
                try:
                    out.append(parse(cells[position]))
                except CellError as exc:
                    out.append(None)
                    errors.append((header, str(exc)))
            errors.extend(text_errors(out, texts))
        else:
            values = text_of(out)
            if any(map(gt, map(len, values), limits)) or not "".join(values).isprintable():
                errors = text_errors(out, texts)
        name = out[street_at]
        district_ok = True
        if district_at is not None:
            try:
                row_district = ctx.row_district(out[district_at])
            except CellError as exc:
                errors.append((district_header, str(exc)))
                district_ok = False
        if name and district_ok:
            try:
                out[street_at] = ctx.street(name, row_district)
            except CellError as exc:
                errors.append((street_header, str(exc)))
        if park_at is not None:
            out[park_at] = ctx.park(out[street_at], out[park_at])
        if industry_at is not None and out[industry_at] is not None:
            try:
                out[industry_at] = ctx.industry(out[industry_at])
            except CellError as exc:
                errors.append((industry_header, str(exc)))
        if member_at is not None and not errors:
            errors = member_errors(out[member_at[0]], out[member_at[1]], out[member_at[2]])
        if group_rules and not errors:
            errors = group_count_errors(out, group_rules)
        code = out[code_at] or clean_text(cells[code_position]).upper()
        if code:
            seen = seen_rows.get(code)
            if seen is None:
                seen_rows[code] = [number]
            else:
                seen.append(number)
        if errors:
            reject(report, number, code, cells, errors)
            parsed.pop(code, None)  # a later invalid correction supersedes an earlier row
        elif code:
            parsed[code] = (number, tuple(out), cells if keep_cells else None)
        if count % 5000 == 0:
            progress(count, None)
    report.rows = count
    report.duplicates = [
        {"credit_code": stored_text(code, 40), "rows": rows} for code, rows in seen_rows.items() if len(rows) > 1
    ]
    return Parsed(fields=fields, rows=parsed)


def _tuple_getter(indexes: list[int]) -> Callable[[list[Any]], tuple]:
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda out: tuple(out[k] for k in indexes)


def text_errors(out: list[Any], texts: list[tuple[int, Column]]) -> list[tuple[str, str]]:
    """(column, message) for each text cell too long or holding a control character."""
    errors = []
    for k, column in texts:
        value = out[k]
        if value is not None:
            problem = check_text(column, value)
            if problem is not None:
                errors.append((column.header, problem))
                out[k] = None  # never resolved (a street, a park) nor stored
    return errors


def reject(report: SurveyReport, number: int, code: str, cells: list | None, errors: list[tuple[str, str]]) -> None:
    code = stored_text(code, 40)
    for column, message in errors:
        report.rejected.append({"row": number, "credit_code": code, "column": column, "message": stored_text(message)})
    report.rejected_rows.append(
        {
            "row": number,
            "cells": [_jsonable_cell(c) for c in cells] if cells is not None else [],
            "errors": "；".join(f"{column}：{stored_text(message)}" for column, message in errors),
        }
    )


def _jsonable_cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | bool):
        return value
    return stored_text(value if isinstance(value, str) else str(value))
