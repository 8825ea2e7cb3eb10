"""Reading survey files as people send them, and refusing what is not one."""

import zipfile
from decimal import Decimal

import pytest

from surveys.columns import CellError, parse_count, parse_credit_code, parse_yes_no
from surveys.columns import parse_revenue as parse_money
from surveys.reader import SurveyFileError, open_survey
from tests.helpers.survey_files import make_zip_bomb, survey_row, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("text", "expected"),
    [("是", True), (" 否 ", False), ("Y", True), ("n", False), ("√", True), ("×", False), ("有", True),
     ("无", False), ("", False), (None, False), (True, True)],
)  # fmt: skip
def test_yes_no_spellings(text, expected):
    assert parse_yes_no(text) is expected


def test_yes_no_nonsense_is_a_chinese_error():
    with pytest.raises(CellError, match="应填“是”或“否”"):
        parse_yes_no("也许")


@pytest.mark.parametrize(
    ("text", "expected"), [("１２", 12), ("3.0", 3), (3.0, 3), (" 7 ", 7), ("1,200", 1200), ("", 0)]
)
def test_counts_as_people_type_them(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(("text", "message"), [("-1", "不能为负数"), ("3.5", "应为整数"), ("十二", "应为数字")])
def test_bad_counts(text, message):
    with pytest.raises(CellError, match=message):
        parse_count(text)


def test_money_and_codes_are_normalised():
    assert parse_money("１２０.５") == Decimal("120.50")
    assert parse_money(1146.13) == Decimal("1146.13")
    code = survey_row(1, "x")["统一社会信用代码"]
    assert parse_credit_code(" " + code.lower() + " ") == code
    with pytest.raises(CellError, match="校验位"):
        parse_credit_code(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_header_found_below_title_rows_and_blank_rows_skipped(tmp_path):
    rows = [survey_row(i, "甲街道") for i in range(5)]
    path = write_xlsx(
        tmp_path / "s.xlsx", rows, title_rows=[["2026年度非公企业排查摸底表"], ["填报单位：甲街道"], []], blank_every=2
    )
    table = open_survey(path)
    assert table.header_row == 4
    data = list(table.rows)
    assert len(data) == 5
    assert data[0][0] == 5  # spreadsheet row numbers, as the user sees them
    assert data[-1][0] == 11


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_detected(tmp_path, encoding):
    path = write_csv(tmp_path / "s.csv", [survey_row(1, "甲街道")], encoding=encoding, title_rows=[["排查摸底表"]])
    table = open_survey(path)
    ((_number, cells),) = list(table.rows)
    assert "测试排查企业1有限公司" in cells


def test_headers_in_any_order_with_spaces_and_full_width_brackets(tmp_path):
    headers = ["企业 名称", "所属街道", "年营业收入（万元）", "统一社会信用代码"]
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")], headers=headers)
    table = open_survey(path)
    assert {c.field for c in table.columns.values()} == {"name", "street_name", "revenue", "credit_code"}


def test_not_a_spreadsheet(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(SurveyFileError, match="无法识别的文件格式"):
        open_survey(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(SurveyFileError, match="不是Excel表格文件"):
        open_survey(path)


def test_too_big(tmp_path, settings):
    settings.SURVEY_MAX_UPLOAD_BYTES = 1024
    path = write_csv(tmp_path / "s.csv", [survey_row(i, "甲街道") for i in range(20)])
    with pytest.raises(SurveyFileError, match="文件过大"):
        open_survey(path)


def test_zip_bomb_refused_before_parsing(tmp_path):
    path = make_zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(SurveyFileError, match="压缩炸弹"):
        open_survey(path)


def test_sheet_without_required_headers(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [{"企业名称": "甲"}], headers=["企业名称", "备注"])
    with pytest.raises(SurveyFileError, match="未找到表头"):
        open_survey(path)


def test_fast_credit_code_check_agrees_with_stdnum():
    import random

    from stdnum.cn import uscc

    from surveys.columns import USCC_ALPHABET, credit_code_ok

    rng = random.Random(7)
    for _ in range(3000):
        stem = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
            rng.choice(USCC_ALPHABET) for _ in range(9)
        )
        for last in (uscc.calc_check_digit(stem), rng.choice(USCC_ALPHABET)):
            assert credit_code_ok(stem + last) == uscc.is_valid(stem + last)
    assert not credit_code_ok("91210204AY4CL12T2") and not credit_code_ok("9121O204AY4CL12T2Y")


@pytest.mark.parametrize("text", ["5,0", "1,00", "12,34.5", "1_000"])
def test_revenue_comma_only_as_thousands_separator(text):
    """The survey's revenue follows the money parser's comma rule: `5,0` is not 50 万元."""
    with pytest.raises(CellError):
        parse_money(text)
