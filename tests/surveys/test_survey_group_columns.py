"""The optional survey columns 工会会员数, 团员数, 管理人员数 and 管理人员中党员数
(群团 coverage, cross-appointment): read where the file has them, empty when
not reported, checked against the row's other counts, refused in Chinese by
row and column with nothing written for the row; files without them import
as before."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from orgs.models import Enterprise, EnterpriseSurvey, ImportBatch
from surveys.export import ledger_xlsx, template_xlsx
from surveys.reader import SurveyFileError
from surveys.rollback import survey_batch_rollback
from surveys.services import survey_import
from tests.helpers.survey_files import HEADERS, survey_row, write_csv, write_xlsx

YEAR = 2026
NEW = ["工会会员数", "团员数", "管理人员数", "管理人员中党员数"]
OLD_HEADERS = [h for h in HEADERS if h not in NEW]
FIELDS = ["union_members", "league_members", "managers", "managers_party_members"]


def run(path, **kwargs):
    kwargs.setdefault("year", YEAR)
    kwargs.setdefault("by", None)
    return survey_import(path=path, **kwargs)


def counts(obj) -> tuple:
    return tuple(getattr(obj, f) for f in FIELDS)


def test_the_columns_are_read_and_stored_on_the_ledger_and_the_snapshot(world, tmp_path):
    rows = [
        survey_row(1, "甲街道", **{"工会会员数": 25, "团员数": "４", "管理人员数": "5.0", "管理人员中党员数": 2}),
        survey_row(2, "甲街道"),  # the columns there, the cells empty: not reported
        survey_row(3, "甲街道", **{"工会会员数": 0, "团员数": 0, "管理人员数": 0, "管理人员中党员数": 0}),
    ]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert (report.created, report.rejected) == (3, [])
    first = Enterprise.objects.get(name="测试排查企业1有限公司")
    assert counts(first) == (25, 4, 5, 2)
    assert counts(first.surveys.get(year=YEAR)) == (25, 4, 5, 2)
    assert counts(Enterprise.objects.get(name="测试排查企业2有限公司")) == (None, None, None, None)
    assert counts(Enterprise.objects.get(name="测试排查企业3有限公司")) == (0, 0, 0, 0)
    assert "工会会员数" not in report.missing_columns


def test_header_variants_name_the_columns(world, tmp_path):
    variants = dict(zip(NEW, ["工会会员人数", "团员人数", "管理人员", "其中：党员数"], strict=True))
    headers = [variants.get(h, h) for h in HEADERS]
    row = survey_row(1, "甲街道", **{"工会会员人数": 20, "团员人数": 3, "管理人员": 4, "其中：党员数": 1})
    report = run(write_xlsx(tmp_path / "s.xlsx", [row], headers=headers))
    assert report.rejected == []
    assert counts(Enterprise.objects.get(name="测试排查企业1有限公司")) == (20, 3, 4, 1)


def test_a_file_without_the_columns_imports_unchanged(world, tmp_path):
    """An old-format file: new firms have the counts empty, recorded counts
    stay, and importing it again changes nothing."""
    known = Enterprise.objects.get(pk=world.enterprise_a.pk)
    known.union_members, known.league_members, known.managers, known.managers_party_members = 15, 2, 3, 1
    known.save()
    rows = [
        survey_row(1, "甲街道"),
        survey_row(2, "甲街道", **{"统一社会信用代码": known.credit_code, "企业名称": known.name, "从业人员数": 20}),
    ]
    path = write_xlsx(tmp_path / "old.xlsx", rows, headers=OLD_HEADERS)
    report = run(path)
    assert report.rejected == [] and report.created == 1
    assert set(NEW) <= set(report.missing_columns)
    assert counts(Enterprise.objects.get(name="测试排查企业1有限公司")) == (None, None, None, None)
    assert counts(Enterprise.objects.get(pk=known.pk)) == (15, 2, 3, 1)
    assert counts(EnterpriseSurvey.objects.get(enterprise=known, year=YEAR)) == (15, 2, 3, 1)
    again = run(path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, [])
    csv_path = write_csv(tmp_path / "old.csv", rows, headers=OLD_HEADERS, encoding="gbk")
    assert run(csv_path).unchanged == 2


BAD = [
    ({"工会会员数": 31}, "工会会员数", "工会会员数（31）不能大于从业人员数（30）"),
    ({"团员数": 40}, "团员数", "团员数（40）不能大于从业人员数（30）"),
    ({"管理人员数": 31}, "管理人员数", "不能大于从业人员数"),
    ({"管理人员数": 3, "管理人员中党员数": 4}, "管理人员中党员数", "管理人员中党员数（4）不能大于管理人员数（3）"),
    ({"管理人员中党员数": 2}, "管理人员数", "管理人员数不能为空"),
    ({"工会会员数": "-5"}, "工会会员数", "不能为负数"),
    ({"团员数": "若干"}, "团员数", "应为数字"),
    ({"管理人员数": "2.5"}, "管理人员数", "应为整数"),
]


@pytest.mark.parametrize(("cells", "column", "message"), BAD)
def test_bad_counts_are_refused_by_row_and_column_and_nothing_is_written(world, tmp_path, cells, column, message):
    rows = [survey_row(1, "甲街道"), survey_row(2, "甲街道", **cells)]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert report.created == 1
    rejected = [(r["row"], r["column"], r["message"]) for r in report.rejected]
    assert len(rejected) == 1 and rejected[0][:2] == (3, column), rejected
    assert message in rejected[0][2]
    assert not Enterprise.objects.filter(name="测试排查企业2有限公司").exists()
    assert report.rejected_rows[0]["errors"].startswith(column)
    # Strict: one bad row and nothing at all is written.
    both = [survey_row(5, "甲街道"), survey_row(6, "甲街道", **cells)]
    strict = run(write_xlsx(tmp_path / "t.xlsx", both), strict=True)
    assert strict.strict_failed
    assert not Enterprise.objects.filter(name__in=["测试排查企业5有限公司", "测试排查企业6有限公司"]).exists()


def test_a_recorded_count_above_the_new_employees_is_refused_naming_the_column_given(world, tmp_path):
    """The file gives only 从业人员数, fewer than the union members recorded:
    the row is refused and the ledger keeps its facts."""
    known = Enterprise.objects.get(pk=world.enterprise_a.pk)
    known.employees, known.union_members = 60, 50
    known.save()
    row = survey_row(1, "甲街道", **{"统一社会信用代码": known.credit_code, "企业名称": known.name, "从业人员数": 30})
    report = run(write_xlsx(tmp_path / "s.xlsx", [row], headers=OLD_HEADERS))
    assert [(r["row"], r["column"]) for r in report.rejected] == [(2, "从业人员数")]
    assert "已登记的工会会员数（50）大于本表从业人员数（30）" in report.rejected[0]["message"]
    known.refresh_from_db()
    assert (known.employees, known.union_members) == (60, 50)


def test_rollback_restores_the_counts(world, tmp_path):
    first = survey_row(1, "甲街道", **{"工会会员数": 20, "团员数": 2, "管理人员数": 4, "管理人员中党员数": 1})
    run(write_xlsx(tmp_path / "a.xlsx", [first]), year=YEAR - 1)
    changed = {**first, "工会会员数": 28, "团员数": "", "管理人员数": 6, "管理人员中党员数": 3}
    second = run(write_xlsx(tmp_path / "b.xlsx", [changed]))
    enterprise = Enterprise.objects.get(name="测试排查企业1有限公司")
    assert counts(enterprise) == (28, None, 6, 3)
    assert second.updated == 1
    survey_batch_rollback(batch=ImportBatch.objects.get(pk=second.batch), by=None)
    enterprise.refresh_from_db()
    assert counts(enterprise) == (20, 2, 4, 1)
    assert not enterprise.surveys.filter(year=YEAR).exists()


def test_ledger_export_round_trips_and_the_template_names_the_columns(world, tmp_path):
    rows = [
        survey_row(1, "甲街道", **{"工会会员数": 20, "团员数": 2, "管理人员数": 4, "管理人员中党员数": 1}),
        survey_row(2, "甲街道"),
    ]
    run(write_xlsx(tmp_path / "a.xlsx", rows))
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger_xlsx(Enterprise.objects.all()))
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert all(h in header for h in NEW)
    again = run(path)
    assert (again.updated, again.rejected) == (0, [])
    assert again.unchanged == Enterprise.objects.count()
    template = load_workbook(io.BytesIO(template_xlsx()))
    assert all(h in [c.value for c in template["企业基本情况"][1]] for h in NEW)
    notes = {row[0].value: row[1].value for row in template["填表说明"].iter_rows(min_row=2) if row[0].value in NEW}
    assert notes == dict.fromkeys(NEW, "选填")


HOSTILE = [
    {"工会会员数": "=1+1"},
    {"团员数": '=HYPERLINK("http://x","9")'},
    {"管理人员数": "@SUM(A1:A9)"},
    {"管理人员中党员数": "+5"},
    {"工会会员数": "99999999999999"},
    {"团员数": "NaN"},
    {"管理人员数": "Infinity"},
    {"工会会员数": "1e400"},
    {"团员数": "\x07\x1b"},
    {"工会会员数": 5000},
]


def _xlsx_as_text(path, row):
    """A sheet whose cells hold the text as typed: a leading = stays text, not a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append([None] * len(HEADERS))
    for index, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.value = row.get(header, "")
        if isinstance(cell.value, str):
            cell.data_type = "s"
    workbook.save(path)
    return path


@pytest.mark.parametrize("cells", HOSTILE)
def test_formulas_and_absurd_values_in_the_new_columns_are_refused_cleanly(world, tmp_path, cells):
    row = survey_row(1, "甲街道", **cells)
    paths = [write_csv(tmp_path / "h.csv", [row])]
    if not any(ch < " " for v in cells.values() for ch in str(v)):  # a sheet cannot hold control characters
        paths.append(_xlsx_as_text(tmp_path / "h.xlsx", row))
    for path in paths:
        report = run(path)
        if cells == {"管理人员中党员数": "+5"}:
            # "+5" is a plain number to a spreadsheet too; without 管理人员数 it is still refused.
            assert [r["column"] for r in report.rejected] == ["管理人员数"]
        else:
            assert [r["column"] for r in report.rejected] == list(cells), (path.name, report.rejected)
        assert report.created == 0
        assert not Enterprise.objects.filter(name="测试排查企业1有限公司").exists()


def test_a_nul_in_the_new_columns_refuses_the_file(world, tmp_path):
    with pytest.raises(SurveyFileError):
        run(write_csv(tmp_path / "n.csv", [survey_row(1, "甲街道", **{"工会会员数": "1\x002"})]))
    assert not Enterprise.objects.exists() or not Enterprise.objects.filter(name="测试排查企业1有限公司").exists()
    assert not ImportBatch.objects.exists()


def test_a_formula_cell_is_never_evaluated(world, tmp_path):
    """A real formula in an .xlsx is read as the value the sheet saved for it
    (as Excel shows it); one never calculated reads as not reported."""
    row = survey_row(1, "甲街道", **{"工会会员数": "=1+1", "团员数": "=A2*100000"})
    report = run(write_xlsx(tmp_path / "f.xlsx", [row]))
    assert report.rejected == []
    enterprise = Enterprise.objects.get(name="测试排查企业1有限公司")
    assert (enterprise.union_members, enterprise.league_members) == (None, None)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"union_members": 21}, "union_members", "工会会员数（21）不能大于从业人员数（20）"),
        ({"league_members": 99}, "league_members", "团员数（99）不能大于从业人员数（20）"),
        ({"managers": 3, "managers_party_members": 4}, "managers_party_members", "不能大于管理人员数（3）"),
        ({"managers_party_members": 1}, "managers_party_members", "须同时填写管理人员数"),
        ({"union_members": -1}, "union_members", ""),
    ],
)
def test_counts_entered_on_the_enterprise_are_checked_the_same_way(world, api, body, field, message):
    """Staff entering the counts between surveys (the API and the edit page share the service)."""
    client = api(world.district)
    response = client.patch(f"/api/v1/enterprises/{world.enterprise_a.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    text = str(response.json())
    assert field in text and message in text
    assert counts(Enterprise.objects.get(pk=world.enterprise_a.pk)) == (None, None, None, None)
    ok = client.patch(
        f"/api/v1/enterprises/{world.enterprise_a.pk}/",
        {"union_members": 18, "league_members": 2, "managers": 3, "managers_party_members": 1},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["union_members"] == 18


def test_the_enterprise_page_shows_the_counts_or_not_reported(world, login):
    url = reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])
    html = login(world.district).get(url).content.decode()
    assert 'data-testid="group-members">未填报 / 未填报<' in html
    Enterprise.objects.filter(pk=world.enterprise_a.pk).update(
        union_members=18, league_members=2, managers=3, managers_party_members=1
    )
    html = login(world.district).get(url).content.decode()
    assert 'data-testid="group-members">18 / 2<' in html and 'data-testid="managers">3（1）<' in html
