"""THE mapping of the annual survey spreadsheet (SURVEY_FORMAT.md).

One list of columns says which header text means which field, how a cell as
people type it becomes a value, and how a value is written back on export.
The upload page, the admin (django-import-export), the command and the
exports all use this module, so a header alias or a new spelling of "yes"
is added once.

Cell parsers take what a reader yields (str, int, float, bool, None) and
return the clean value or raise `CellError` with a Chinese message.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import mul
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import strip_thousands
from core.validators import USCC_ALPHABET, validate_credit_code
from orgs.models import BusinessStatus, Enterprise, LegalType, OrgSetup, PartyOrganization, Region


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user."""


from core.xlsx import FORMULA_PREFIXES, safe_cell  # noqa: E402  (the one neutraliser of the project)

_SPACES = re.compile(r"\s+")


def neutralise(value: Any) -> Any:
    """Export-side: a text cell starting with = + - @ (or tab/CR) would run as
    a formula in Excel/WPS; a leading apostrophe makes it text. `clean_text`
    removes it again on import, so export → import round-trips."""
    return safe_cell(value)


# Characters no text cell may hold: C0 controls but tab, line feed and
# carriage return (Excel's Alt+Enter), DEL and C1 controls, lone surrogates
# and the two non-characters. PostgreSQL refuses NUL in text and jsonb;
# the others are never meant, and break what reads the records later.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SHOWN_LENGTH = 50


def shown(value: Any) -> str:
    """A cell as a message quotes it: its forbidden characters marked, at most SHOWN_LENGTH characters."""
    text = FORBIDDEN.sub("\ufffd", clean_text(value))
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH] + "…"


# A rejected cell is kept for the download to be fixed; longer than any
# column takes, it is cut (it was wrong anyway).
STORED_CELL_LENGTH = 1000


def stored_text(text: str, limit: int = STORED_CELL_LENGTH) -> str:
    """Text as the batch report (jsonb) can keep it: no NUL or other forbidden character, bounded."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return text if text.isprintable() else FORBIDDEN.sub("\ufffd", text)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _float_to_text(value: float) -> str:
    # Excel stores numbers typed into a text column as floats: 13800000000.0, 3.0.
    return str(int(value)) if value == int(value) else repr(value)


def clean_text(value: Any) -> str:
    """Names and free text: trimmed (incl. full-width spaces), otherwise kept as typed."""
    if value.__class__ is str:
        text = value.strip()
        if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
            return text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float):
        return _float_to_text(value)
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def fold(value: Any) -> str:
    """Codes and choices: full-width to half-width (NFKC), no spaces, upper case."""
    if isinstance(value, float):
        value = _float_to_text(value)
    text = str(value or "")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


def memoised(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Columns with a handful of distinct values (yes/no, choices, industry)
    are parsed once per distinct cell value, not once per row."""
    cache: dict[Any, tuple[bool, Any]] = {}
    text: dict[str, Any] = {}  # text cells that parse, the common case: one lookup

    def cached(value: Any) -> Any:
        if value.__class__ is str:
            try:
                return text[value]
            except KeyError:
                pass
        key = (type(value), value)
        try:
            ok, result = cache[key]
        except KeyError:
            try:
                ok, result = True, parse(value)
            except CellError as exc:
                ok, result = False, exc
            if len(cache) < 10_000:
                cache[key] = (ok, result)
                if ok and value.__class__ is str:
                    text[value] = result
        if ok:
            return result
        raise CellError(str(result))

    cached.__name__ = parse.__name__
    cached.__doc__ = parse.__doc__
    return cached


YES = {"是", "Y", "YES", "√", "✓", "✔", "有", "TRUE", "1", "对", "已建", "已建立", "已选派"}
NO = {"否", "N", "NO", "×", "✗", "✘", "X", "无", "没有", "FALSE", "0", "未建", "未建立", "未选派", ""}


@memoised
def parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(value)
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError(_("应填“是”或“否”，当前为“%(v)s”") % {"v": shown(value)})


def parse_count(value: Any) -> int:
    """Whole number ≥ 0; empty is 0. Accepts "１２", "3.0", 3.0, "1,200"."""
    # Fast path: what a spreadsheet reader yields for a clean count.
    if type(value) is float and value.is_integer() and 0 <= value <= 2_000_000_000:
        return int(value)
    if type(value) is int and 0 <= value <= 2_000_000_000:
        return value
    if is_blank(value):
        return 0
    if isinstance(value, bool):
        raise CellError(_("应为不小于0的整数"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != int(value):
            raise CellError(_("应为整数，当前为“%(v)s”") % {"v": _float_to_text(value)})
        number = int(value)
    else:
        text = fold(value).replace(",", "")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise CellError(_("应为数字，当前为“%(v)s”") % {"v": shown(value)})
        if not dec.is_finite() or dec != dec.to_integral_value():
            raise CellError(_("应为整数，当前为“%(v)s”") % {"v": shown(value)})
        number = int(dec)
    if number < 0:
        raise CellError(_("不能为负数"))
    if number > 2_000_000_000:
        raise CellError(_("数值过大"))
    return number


def parse_optional_count(value: Any) -> int | None:
    """An optional count (工会会员数, 团员数, 管理人员数…): empty is "not given"
    (None), never 0; otherwise as `parse_count`."""
    if is_blank(value):
        return None
    return parse_count(value)


CENT = Decimal("0.01")


def parse_revenue(value: Any) -> Decimal | None:
    """Optional decimal ≥ 0 with two places (万元). Spreadsheets give floats,
    read exactly as shown; text follows core.money's comma rule."""
    if value.__class__ is float and 0 <= value < 1e12:
        return Decimal(repr(value)).quantize(CENT)
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    text = repr(value) if isinstance(value, float) else strip_thousands(fold(value))
    if text is None:
        raise CellError(_("逗号只能用作千位分隔符，每三位一组（如 1,234.5）"))
    if "_" in text:  # Decimal reads "1_000" as 1000; a person did not mean that
        raise CellError(_("应为数字，当前为“%(v)s”") % {"v": shown(value)})
    try:
        dec = Decimal(text)
    except InvalidOperation:
        raise CellError(_("应为数字，当前为“%(v)s”") % {"v": shown(value)})
    if not dec.is_finite():
        raise CellError(_("应为数字"))
    if dec < 0:
        raise CellError(_("不能为负数"))
    if dec >= Decimal("1000000000000"):
        raise CellError(_("数值过大"))
    return dec.quantize(CENT)


_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# Each character's value in the check (255 for a character a code cannot hold).
_USCC_BYTES = bytes(_USCC_VALUE.get(chr(b), 255) for b in range(256))


def credit_code_ok(code: str) -> bool:
    """GB 32100-2015 check, the same arithmetic and format rule as
    `core.validators.validate_credit_code` (python-stdnum), without its
    per-call overhead: the import checks 100,000 codes."""
    if len(code) != 18 or not code.isascii():
        return False
    values = code.encode().translate(_USCC_BYTES)
    if 255 in values or max(values[:8]) > 9:
        return False
    return values[17] == (31 - sum(map(mul, values[:17], _USCC_WEIGHTS)) % 31) % 31


def parse_credit_code(value: Any) -> str:
    if value.__class__ is str and credit_code_ok(value):  # as most files have it: nothing to fold
        return value
    if is_blank(value):
        raise CellError(_("不能为空"))
    code = fold(value)
    if credit_code_ok(code):
        return code
    try:  # the precise message
        return validate_credit_code(code)
    except ValidationError as exc:
        raise CellError(exc.messages[0])


def parse_required_text(value: Any) -> str:
    text = clean_text(value)
    if not text:
        raise CellError(_("不能为空"))
    return text


def _choice_parser(choices: type, *, default: str | None, extra: dict[str, str] | None = None) -> Callable:
    """Label (中文), code, or a known variant → the stored code."""
    lookup = {fold(label): code for code, label in choices.choices}
    lookup.update({fold(code): code for code in choices.values})
    lookup.update({fold(k): v for k, v in (extra or {}).items()})
    allowed = "、".join(str(label) for label in choices.labels)

    @memoised
    def parse(value: Any) -> str:
        key = fold(value)
        if not key:
            if default is None:
                raise CellError(_("不能为空，应为：%(a)s") % {"a": allowed})
            return default
        try:
            return lookup[key]
        except KeyError:
            raise CellError(_("“%(v)s”不是有效值，应为：%(a)s") % {"v": shown(value), "a": allowed})

    return parse


parse_legal_type = _choice_parser(
    LegalType,
    default=LegalType.OTHER,
    extra={"有限公司": LegalType.LLC, "股份公司": LegalType.JOINT_STOCK, "独资企业": LegalType.SOLE},
)
parse_status = _choice_parser(
    BusinessStatus,
    default=None,
    extra={"营业": BusinessStatus.OPERATING, "存续": BusinessStatus.OPERATING, "歇业": BusinessStatus.SUSPENDED},
)
parse_org_setup = _choice_parser(OrgSetup, default=OrgSetup.NONE, extra={"无": OrgSetup.NONE, "否": OrgSetup.NONE})


def parse_phone(value: Any) -> str:
    # Optional and free-form in real files (extensions, two numbers); kept as typed.
    return clean_text(value)[:30]


@memoised
def parse_industry_key(value: Any) -> str:
    """Reduce "C 制造业", "c", "制造业" to a lookup key; the row validator
    resolves it against the Industry table."""
    text = unicodedata.normalize("NFKC", clean_text(value)).strip()
    if not text:
        return ""
    head = text[0].upper()
    if "A" <= head <= "Z" and (len(text) == 1 or not text[1].isascii() or text[1] in " ·.、-"):
        return head
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    # Text kept as typed: at most this many characters (the columns it is stored in).
    max_length: int | None = None


def _stored_in(*fields: tuple[type, str]) -> int:
    """The tightest max_length of the model fields a column's text is written to."""
    return min(model._meta.get_field(name).max_length for model, name in fields)


def check_text(column: Column, value: str) -> str | None:
    """What is wrong with a text cell, or None: too long for where it is
    stored, or holding a control character."""
    limit = column.max_length
    if limit is not None and len(value) > limit:
        return _("不能超过%(n)d个字符（当前为%(len)d个字符）") % {"n": limit, "len": len(value)}
    if FORBIDDEN.search(value):
        return _("含有不可见的控制字符（如 NUL 空字符），请删除后重新导入")
    return None


def _lazy(text: str):
    return gettext_lazy(text)


# The order is the export and template order. `field` names the SurveyFacts
# attribute, or a key the row validator resolves (street/park/industry names).
COLUMNS: list[Column] = [
    Column(
        "统一社会信用代码",
        "credit_code",
        parse_credit_code,
        required=True,
        aliases=("社会信用代码", "信用代码", "统一代码", "统一社会信用代码(18位)"),
        help=_lazy("18位，含校验位；必填"),
    ),
    Column(
        "企业名称",
        "name",
        parse_required_text,
        required=True,
        aliases=("单位名称", "企业(单位)名称"),
        help=_lazy("必填"),
        max_length=_stored_in((Enterprise, "name")),
    ),
    Column(
        "企业类型",
        "legal_type",
        parse_legal_type,
        aliases=("企业性质", "登记注册类型"),
        help=_lazy("有限责任公司、股份有限公司、个人独资企业、合伙企业、外商投资企业、港澳台投资企业、其他"),
    ),
    Column(
        "所属街道",
        "street_name",
        parse_required_text,
        required=True,
        aliases=("街道", "所属街道(乡镇)", "街道(乡镇)", "所属镇街", "镇街"),
        help=_lazy("须为本区已有街道名称；必填"),
        max_length=_stored_in((Region, "name")),
    ),
    Column(
        "所属园区",
        "park_name",
        clean_text,
        aliases=("园区", "所属园区(楼宇、市场)", "园区/楼宇/市场"),
        help=_lazy("可空；新名称将在所属街道下新建"),
        max_length=_stored_in((Region, "name")),
    ),
    Column(
        "行业门类",
        "industry_key",
        parse_industry_key,
        aliases=("所属行业", "行业"),
        help=_lazy("国民经济行业门类：字母、名称或“C 制造业”"),
    ),
    Column(
        "经营地址",
        "address",
        clean_text,
        aliases=("地址", "注册地址", "经营地点"),
        max_length=_stored_in((Enterprise, "address")),
    ),
    Column("经营状态", "status", parse_status, aliases=("经营状况",), help=_lazy("在营、停业、注销；必填")),
    Column("是否规上企业", "above_scale", parse_yes_no, aliases=("规上企业", "是否规模以上企业"), help=_lazy("是/否")),
    Column(
        "从业人员数", "employees", parse_count, aliases=("职工人数", "从业人员", "职工数"), help=_lazy("不小于0的整数")
    ),
    Column(
        "党员总数", "members_total", parse_count, aliases=("党员数", "党员人数"), help=_lazy("正式党员数＋预备党员数")
    ),
    Column("正式党员数", "members_formal", parse_count, aliases=("正式党员",), help=_lazy("不大于党员总数")),
    Column("预备党员数", "members_probationary", parse_count, aliases=("预备党员",), help=_lazy("不小于0的整数")),
    Column(
        "出资人姓名",
        "owner_name",
        clean_text,
        aliases=("出资人", "业主姓名", "法定代表人"),
        max_length=_stored_in((Enterprise, "owner_name")),
    ),
    Column("出资人是否党员", "owner_is_member", parse_yes_no, aliases=("业主是否党员",), help=_lazy("是/否")),
    Column(
        "党组织设置情况",
        "org_setup",
        parse_org_setup,
        aliases=("党组织组建方式", "组建方式", "党组织设置"),
        help=_lazy("单独组建、联合组建、挂靠组建、派员组建、未建"),
    ),
    Column(
        "党组织名称",
        "org_name",
        clean_text,
        help=_lazy("已建党组织的填写；同名联合组建视为同一党组织"),
        max_length=_stored_in((Enterprise, "org_name"), (PartyOrganization, "name")),
    ),
    Column(
        "党组织书记",
        "secretary_name",
        clean_text,
        aliases=("书记", "书记姓名"),
        max_length=_stored_in((Enterprise, "secretary_name"), (PartyOrganization, "secretary_name")),
    ),
    Column(
        "是否选派党建指导员",
        "instructor_assigned",
        parse_yes_no,
        aliases=("党建指导员", "是否选派指导员"),
        help=_lazy("是/否"),
    ),
    Column("是否建立工会", "union_established", parse_yes_no, aliases=("工会",), help=_lazy("是/否")),
    Column("是否建立团组织", "league_established", parse_yes_no, aliases=("团组织",), help=_lazy("是/否")),
    Column(
        "联系电话",
        "phone",
        parse_phone,
        aliases=("电话", "联系方式"),
        max_length=_stored_in((Enterprise, "phone")),
    ),
    Column(
        "年营业收入(万元)",
        "revenue",
        parse_revenue,
        aliases=("营业收入(万元)", "年营业收入", "营业收入"),
        help=_lazy("可空；不小于0，保留两位小数"),
    ),
    Column(
        "工会会员数",
        "union_members",
        parse_optional_count,
        aliases=("工会会员", "工会会员人数", "入会职工数", "工会会员数(人)"),
        help=_lazy("可空；不大于从业人员数"),
    ),
    Column(
        "团员数",
        "league_members",
        parse_optional_count,
        aliases=("团员", "团员人数", "共青团员数", "团员数(人)"),
        help=_lazy("可空；不大于从业人员数"),
    ),
    Column(
        "管理人员数",
        "managers",
        parse_optional_count,
        aliases=("管理人员", "管理人员人数", "经营管理人员数", "管理人员数(人)"),
        help=_lazy("可空；不大于从业人员数"),
    ),
    Column(
        "管理人员中党员数",
        "managers_party_members",
        parse_optional_count,
        aliases=("其中党员数", "其中:党员数", "其中党员", "管理人员中党员", "管理人员中的党员数"),
        help=_lazy("可空；不大于管理人员数，填写时须同时填写管理人员数"),
    ),
]

# Optional, and only in a city's file (DESIGN.md §8): the district a row
# belongs to, when one file carries several districts. Read where present;
# not part of a district's template or ledger export.
DISTRICT_COLUMN = Column(
    "所属区县",
    "district_name",
    clean_text,
    aliases=("区县", "所属区(县)", "所属区(县、市)", "所属县(市、区)", "所属区", "区(县、市)"),
    help=_lazy("全市文件填写：须为已有区县名称；按区县导入时可空"),
    max_length=_stored_in((Region, "name")),
)

COLUMN_BY_FIELD = {c.field: c for c in (*COLUMNS, DISTRICT_COLUMN)}
REQUIRED = [c for c in COLUMNS if c.required]
TEXT = [c for c in COLUMNS if c.max_length is not None]


def header_key(text: Any) -> str:
    """Header text as people vary it: spaces, full-width brackets, a
    required-marker star, a trailing colon."""
    key = fold(text).strip("*＊:：")
    return key.replace("（", "(").replace("）", ")")


_HEADER_INDEX: dict[str, Column] = {}
for _column in (*COLUMNS, DISTRICT_COLUMN):
    for _name in (_column.header, *_column.aliases):
        _HEADER_INDEX[header_key(_name)] = _column


def match_header(text: Any) -> Column | None:
    return _HEADER_INDEX.get(header_key(text)) if not is_blank(text) else None


def map_headers(cells: list[Any]) -> dict[int, Column]:
    """Position → column for one candidate header row. A column named twice keeps its first position."""
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        column = match_header(cell)
        if column is not None and column.field not in seen:
            mapping[index] = column
            seen.add(column.field)
    return mapping
