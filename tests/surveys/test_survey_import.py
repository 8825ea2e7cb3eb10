"""The survey import service and the command: rows, rules, links, batches, rollback."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orgs.models import (
    Enterprise,
    EnterpriseSurvey,
    ImportBatch,
    InstructorAssignment,
    OrgSetup,
    PartyOrganization,
    Region,
)
from surveys.export import ledger_xlsx
from surveys.rollback import survey_batch_rollback
from surveys.services import survey_import
from tests.helpers.survey_files import survey_row, write_csv, write_xlsx

YEAR = 2026


def run(path, **kwargs):
    kwargs.setdefault("year", YEAR)
    kwargs.setdefault("by", None)
    return survey_import(path=path, **kwargs)


def test_messy_file_imports_every_valid_row(world, tmp_path):
    rows = [
        survey_row(1, " 甲街道 ", **{"从业人员数": "３０", "党员总数": "4.0", "是否规上企业": "√", "行业门类": "c"}),
        survey_row(2, "乙街道", **{"是否建立工会": "×", "企业名称": "  空格企业有限公司  "}),
        survey_row(3, "甲街道", **{"统一社会信用代码": survey_row(3, "")["统一社会信用代码"].lower()}),
    ]
    path = write_xlsx(tmp_path / "s.xlsx", rows, title_rows=[["2026年度排查摸底表"]], blank_every=1)
    report = run(path)
    assert (report.rows, report.created, report.rejected) == (3, 3, [])
    first = Enterprise.objects.get(credit_code=rows[0]["统一社会信用代码"])
    assert (first.employees, first.members_total, first.above_scale, first.industry_id) == (30, 4, True, "C")
    assert first.street == world.street_a
    assert Enterprise.objects.get(name="空格企业有限公司").union_established is False
    assert EnterpriseSurvey.objects.filter(year=YEAR).count() == 3
    batch = ImportBatch.objects.get(pk=report.batch)
    assert (batch.status, batch.created, len(batch.file_hash)) == ("committed", 3, 64)


def test_rejections_name_row_column_and_reason_and_valid_rows_still_import(world, tmp_path):
    bad_code = survey_row(2, "甲街道")["统一社会信用代码"]
    bad_code = bad_code[:-1] + ("0" if bad_code[-1] != "0" else "1")
    rows = [
        survey_row(1, "甲街道"),
        survey_row(2, "甲街道", **{"统一社会信用代码": bad_code}),
        survey_row(3, "甲街道", **{"正式党员数": 9}),
        survey_row(4, "甲街道", **{"企业名称": ""}),
        survey_row(5, "甲街道", **{"从业人员数": "-3"}),
        survey_row(6, "火星街道"),
    ]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert report.created == 1
    by_row = {(r["row"], r["column"]): r["message"] for r in report.rejected}
    assert "校验位" in by_row[(3, "统一社会信用代码")]
    assert "不能大于党员总数" in by_row[(4, "正式党员数")]
    assert "不能为空" in by_row[(5, "企业名称")]
    assert "不能为负数" in by_row[(6, "从业人员数")]
    assert "不是本区已有的街道" in by_row[(7, "所属街道")]
    assert Enterprise.objects.filter(name__startswith="测试排查企业").count() == 1
    assert ImportBatch.objects.get(pk=report.batch).rejected == 5


def test_strict_mode_writes_nothing(world, tmp_path):
    rows = [survey_row(1, "甲街道"), survey_row(2, "甲街道", **{"党员总数": 1})]
    before = Enterprise.objects.count()
    report = run(write_xlsx(tmp_path / "s.xlsx", rows), strict=True)
    assert report.strict_failed and report.batch is None
    assert Enterprise.objects.count() == before
    assert not ImportBatch.objects.exists()


def test_dry_run_writes_nothing(world, tmp_path):
    report = run(write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]), dry_run=True)
    assert report.created == 1 and report.batch is None
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()


def test_duplicate_code_later_row_wins_and_is_reported(world, tmp_path):
    rows = [survey_row(1, "甲街道", **{"从业人员数": 10}), survey_row(1, "甲街道", **{"从业人员数": 99})]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert report.duplicates == [{"credit_code": rows[0]["统一社会信用代码"], "rows": [2, 3]}]
    assert report.created == 1
    assert Enterprise.objects.get(credit_code=rows[0]["统一社会信用代码"]).employees == 99


def test_reimport_changes_nothing(world, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(i, "甲街道") for i in range(4)])
    run(path)
    counts = (Enterprise.objects.count(), EnterpriseSurvey.objects.count(), PartyOrganization.objects.count())
    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert (again.surveys_written, again.organizations_created, again.links_added) == (0, 0, 0)
    assert counts == (Enterprise.objects.count(), EnterpriseSurvey.objects.count(), PartyOrganization.objects.count())


def test_changed_rows_come_with_a_diff(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    report = run(write_xlsx(tmp_path / "b.xlsx", [survey_row(1, "甲街道", **{"从业人员数": 45, "经营状态": "停业"})]))
    assert report.updated == 1
    (change,) = report.changes
    assert ["从业人员数", "30", "45"] in change["diff"]
    assert ["经营状态", "在营", "停业"] in change["diff"]


def test_organizations_and_instructors_follow_the_file(world, tmp_path):
    joint = "中共测试楼宇联合支部委员会"
    rows = [
        survey_row(1, "甲街道", **{"党组织设置情况": "联合组建", "党组织名称": joint}),
        survey_row(2, "甲街道", **{"党组织设置情况": "联合组建", "党组织名称": joint}),
        survey_row(3, "甲街道", **{"党组织设置情况": "挂靠组建", "党组织名称": ""}),
        survey_row(4, "甲街道", **{"党组织设置情况": "未建", "党组织名称": "", "是否选派党建指导员": "是"}),
        survey_row(5, "甲街道", **{"党组织名称": world.org_a.name}),
    ]
    run(write_xlsx(tmp_path / "s.xlsx", rows))
    org = PartyOrganization.objects.get(name=joint)
    assert org.formation_mode == "joint" and org.enterprises.count() == 2
    placeholder = PartyOrganization.objects.get(enterprises__name="测试排查企业3有限公司")
    assert placeholder.needs_completion and placeholder.formation_mode == "attached"
    assert world.org_a.enterprises.filter(name="测试排查企业5有限公司").exists()
    assert InstructorAssignment.objects.filter(enterprise__name="测试排查企业4有限公司", instructor=None).count() == 1
    assert not PartyOrganization.objects.filter(enterprises__name="测试排查企业4有限公司").exists()


def test_absent_enterprises_are_listed_not_deleted(world, tmp_path):
    report = run(write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]))
    assert report.not_in_survey == 1
    assert report.not_in_survey_list[0]["credit_code"] == world.enterprise_a.credit_code
    assert Enterprise.objects.filter(pk=world.enterprise_a.pk).exists()


def test_unknown_street_created_only_when_asked(world, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "新建街道")])
    assert run(path).created == 0
    report = run(path, create_streets=True)
    assert report.created == 1 and report.streets_created == ["新建街道"]
    assert Region.objects.get(name="新建街道").kind == Region.Kind.STREET


def test_street_scoped_import_rejects_other_streets(world, tmp_path):
    rows = [survey_row(1, "甲街道"), survey_row(2, "乙街道")]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows), street=world.street_a)
    assert report.created == 1
    assert report.rejected[0]["row"] == 3 and "不属于本次导入的街道" in report.rejected[0]["message"]


def test_rollback_restores_previous_values(world, tmp_path):
    code = world.enterprise_a.credit_code
    first = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    row = survey_row(9, "甲街道", **{"统一社会信用代码": code, "企业名称": "甲企业有限公司", "从业人员数": 777})
    second = run(write_xlsx(tmp_path / "b.xlsx", [row, survey_row(2, "甲街道", **{"是否选派党建指导员": "是"})]))
    assert Enterprise.objects.get(credit_code=code).employees == 777
    with pytest.raises(Exception, match="请先撤销较晚的批次"):
        survey_batch_rollback(batch=ImportBatch.objects.get(pk=first.batch), by=None)
    survey_batch_rollback(batch=ImportBatch.objects.get(pk=second.batch), by=None)
    restored = Enterprise.objects.get(credit_code=code)
    assert restored.employees == world.enterprise_a.employees and restored.org_setup == world.enterprise_a.org_setup
    assert not Enterprise.objects.filter(name="测试排查企业2有限公司").exists()
    assert not InstructorAssignment.objects.exists()
    assert Enterprise.objects.filter(name="测试排查企业1有限公司").exists()
    assert ImportBatch.objects.get(pk=second.batch).status == "rolled_back"


def test_export_then_import_is_all_unchanged(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(i, "甲街道") for i in range(3)]))
    Enterprise.objects.filter(name="测试排查企业1有限公司").update(address='=HYPERLINK("x")', owner_name="@某")
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger_xlsx(Enterprise.objects.all()))
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(path).active.iter_rows() for c in row]
    assert '\'=HYPERLINK("x")' in cells and "'@某" in cells
    report = run(path)
    assert report.rejected == []
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == Enterprise.objects.count()


def test_command_json_contract(world, tmp_path, capsys):
    path = write_csv(
        tmp_path / "s.csv", [survey_row(1, "甲街道"), survey_row(2, "甲街道", **{"预备党员数": 5})], encoding="gbk"
    )
    out = io.StringIO()
    call_command("import_survey", str(path), "--year", "2026", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"batch", "rows", "created", "updated", "unchanged", "rejected", "duplicates", "not_in_survey"}
    assert data["rows"] == 2 and data["created"] == 1 and data["batch"]
    rejected = data["rejected"][0]
    assert (rejected["row"], rejected["column"]) == (3, "党员总数")
    assert rejected["credit_code"] == survey_row(2, "")["统一社会信用代码"] and "之和" in rejected["message"]


def test_command_exit_codes(world, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a sheet")
    with pytest.raises(CommandError) as exc:
        call_command("import_survey", str(bad), "--year", "2026")
    assert exc.value.returncode == 1
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道", **{"党员总数": 0})])
    with pytest.raises(CommandError) as exc:
        call_command("import_survey", str(path), "--year", "2026", "--strict")
    assert exc.value.returncode == 1
    assert not ImportBatch.objects.exists()
    with pytest.raises(CommandError) as exc:
        call_command("import_survey", str(path), "--year", "1800")
    assert exc.value.returncode == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_copy_path_upserts_and_rolls_back(tmp_path):
    from orgs.reference import ensure_reference_data
    from tests.factories import EnterpriseFactory, StreetFactory

    ensure_reference_data()
    street = StreetFactory(name="甲街道")
    existing = EnterpriseFactory(street=street, name="老企业有限公司", employees=5)
    rows = [survey_row(i, "甲街道", **{"企业名称": f"企业{i}\t含制表符\\"}) for i in range(50)]
    rows.append(survey_row(99, "甲街道", **{"统一社会信用代码": existing.credit_code, "企业名称": "老企业有限公司"}))
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    report = run(path)
    assert (report.created, report.updated) == (50, 1)
    assert Enterprise.objects.get(name="企业0\t含制表符\\").industry_id == "C"
    assert Enterprise.objects.get(pk=existing.pk).employees == 30
    assert EnterpriseSurvey.objects.filter(year=YEAR).count() == 51
    assert run(path).unchanged == 51
    survey_batch_rollback(batch=ImportBatch.objects.order_by("-committed_at").first(), by=None)
    survey_batch_rollback(batch=ImportBatch.objects.get(pk=report.batch), by=None)
    assert Enterprise.objects.count() == 1 and Enterprise.objects.get().employees == 5
    assert not EnterpriseSurvey.objects.exists()
    assert OrgSetup.NONE


def test_rejected_rows_download_can_be_fixed_and_uploaded_again(world, tmp_path):
    from openpyxl import load_workbook

    from surveys.export import rejected_rows_xlsx

    rows = [survey_row(1, "甲街道"), survey_row(2, "甲街道", **{"是否建立工会": "也许", "经营地址": "@cmd|x"})]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert report.created == 1
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(rejected_rows_xlsx(report.as_json()))
    workbook = load_workbook(fixed)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[0] == "原行号" and header[-1] == "错误说明"
    assert sheet.cell(row=2, column=header.index("经营地址") + 1).value == "'@cmd|x"  # neutralised
    sheet.cell(row=2, column=header.index("是否建立工会") + 1).value = "是"
    workbook.save(fixed)
    again = run(fixed)
    assert (again.created, again.rejected) == (1, [])
    fixed_row = Enterprise.objects.get(name="测试排查企业2有限公司")
    assert fixed_row.union_established is True and fixed_row.address == "@cmd|x"


def test_an_older_year_fills_its_snapshot_and_leaves_the_ledger(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道", **{"从业人员数": 50})]))
    report = run(write_xlsx(tmp_path / "b.xlsx", [survey_row(1, "甲街道", **{"从业人员数": 20})]), year=2025)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    enterprise = Enterprise.objects.get(name="测试排查企业1有限公司")
    assert enterprise.employees == 50 and enterprise.latest_survey_year == 2026
    assert enterprise.surveys.get(year=2025).employees == 20
    assert enterprise.surveys.get(year=2026).employees == 50


def test_preview_counts_only_the_snapshots_it_would_write(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(i, "甲街道") for i in range(3)]))
    rows = [survey_row(i, "甲街道") for i in range(3)]
    rows[0]["从业人员数"] = 31
    preview = run(write_xlsx(tmp_path / "b.xlsx", rows), dry_run=True)
    assert (preview.updated, preview.unchanged, preview.surveys_written) == (1, 2, 1)


def test_totals_signature_and_note_rows_are_skipped_and_named_not_rejected(world, tmp_path):
    """DESIGN §6: a survey's 合计 row, its signature lines and the notes under
    the table are not data; only the real mistakes are rejected."""
    bad_code = survey_row(2, "甲街道")["统一社会信用代码"]
    rows = [
        survey_row(1, "甲街道"),
        survey_row(2, "甲街道", **{"统一社会信用代码": bad_code[:-1] + ("0" if bad_code[-1] != "0" else "1")}),
        survey_row(3, "甲街道", **{"企业名称": ""}),
        {"统一社会信用代码": "合计", "从业人员数": 60, "党员总数": 8, "正式党员数": 6, "预备党员数": 2},
        {"统一社会信用代码": "", "企业名称": "  总 计 ", "从业人员数": 60},
        {"统一社会信用代码": "填表人：张三", "企业名称": "审核人：李四", "所属街道": "填报日期：2026年11月30日"},
        {"统一社会信用代码": "注：1.党员数按组织关系所在统计；2.金额单位为万元。"},
    ]
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    report = run(path)
    assert report.created == 1
    assert sorted(r["row"] for r in report.rejected_rows) == [3, 4]
    assert [(s["row"], s["kind"]) for s in report.skipped] == [
        (5, "合计行"), (6, "合计行"), (7, "签名行"), (8, "表下说明"),
    ]  # fmt: skip
    batch = ImportBatch.objects.get(pk=report.batch)
    assert batch.rejected == 2 and [s["row"] for s in batch.report["skipped"]] == [5, 6, 7, 8]


def test_a_row_that_names_a_code_is_data_even_if_a_cell_says_total(world, tmp_path):
    rows = [survey_row(1, "甲街道", **{"企业名称": "合计科技有限公司", "出资人姓名": "审核人"})]
    report = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert (report.created, report.skipped) == (1, [])


def test_the_command_names_skipped_lines_and_close_park_names(world, tmp_path):
    from orgs.models import Region

    Region.objects.create(name="马栏专业市场", kind=Region.Kind.PARK, parent=world.street_a)
    rows = [survey_row(1, "乙街道", **{"所属园区": "马栏专业市场"}), {"统一社会信用代码": "合计", "从业人员数": 30}]
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    out = io.StringIO()
    call_command("import_survey", str(path), "--year", str(YEAR), stdout=out)
    text = out.getvalue()
    assert "第 3 行是合计行，已跳过：合计" in text
    assert "园区“乙街道／马栏专业市场”与已有园区 马栏专业市场（甲街道） 名称相近" in text


def test_recorded_firms_are_loaded_a_chunk_at_a_time(world, tmp_path, settings, monkeypatch):
    """A file changing many recorded firms never holds them all at once: the
    plan loads them SURVEY_PLAN_CHUNK credit codes at a time, and the outcome
    (counts, changes, snapshots, rollback) is the same as in one go."""
    from surveys import plan

    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(i, "甲街道") for i in range(7)]))
    changed = [survey_row(i, "甲街道", **{"从业人员数": 40 + i}) for i in range(7)] + [survey_row(7, "甲街道")]
    path = write_xlsx(tmp_path / "b.xlsx", changed)
    settings.SURVEY_PLAN_CHUNK = 3
    loaded: list[tuple[int, int]] = []
    load = plan._load_existing

    def counted(codes):
        found = load(codes)
        loaded.append((len(codes), len(found)))
        return found

    monkeypatch.setattr(plan, "_load_existing", counted)
    preview = run(path, dry_run=True)
    assert (preview.created, preview.updated, preview.surveys_written) == (1, 7, 8)
    assert loaded == [(3, 3), (3, 3), (2, 1)]
    loaded.clear()
    report = run(path)
    assert loaded == [(3, 3), (3, 3), (2, 1)]
    assert (report.created, report.updated, report.unchanged, report.surveys_written) == (1, 7, 0, 8)
    assert [c["row"] for c in report.changes] == list(range(2, 9))
    assert all(c["diff"] == [["从业人员数", "30", str(40 + k)]] for k, c in enumerate(report.changes))
    assert sorted(Enterprise.objects.filter(name__startswith="测试排查企业").values_list("employees", flat=True)) == [
        30, 40, 41, 42, 43, 44, 45, 46,
    ]  # fmt: skip
    survey_batch_rollback(batch=ImportBatch.objects.get(pk=report.batch), by=None)
    assert set(Enterprise.objects.filter(name__startswith="测试排查企业").values_list("employees", flat=True)) == {30}
    snapshots = EnterpriseSurvey.objects.filter(year=YEAR, enterprise__name__startswith="测试排查企业")
    assert sorted(snapshots.values_list("employees", flat=True)) == [30] * 7
