"""A batch's row-by-row report and rollback data grow with the file; they
are kept in storage (random names, sent only by the batch's scoped view),
and the batch's jsonb keeps a bounded summary. A CSV past the row cap is
refused while it is read, not after it has been loaded."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Enterprise, ImportBatch
from surveys import plan, reader
from surveys.reader import SurveyFileError
from surveys.report import SUMMARY_ROWS
from surveys.rollback import survey_batch_rollback
from surveys.services import survey_import
from tests.helpers.survey_files import survey_row, write_csv

ROWS = 20_000


def upload(client, path, **data):
    with open(path, "rb") as fh:
        payload = {"file": SimpleUploadedFile(path.name, fh.read()), "year": 2026, **data}
    return client.post(reverse("orgs:survey_import"), payload)


def download(client, batch):
    return client.get(reverse("orgs:survey_batch_report", args=[batch.pk]))


def sheet_rows(response, title):
    book = load_workbook(io.BytesIO(b"".join(response)), read_only=True)
    return [list(r) for r in book[title].iter_rows(values_only=True)][1:]


def test_a_large_batch_keeps_a_bounded_summary_and_the_full_report_in_storage(
    world, login, tmp_path, django_capture_on_commit_callbacks
):
    # Every other row has more formal members than members: 10,000 rejected.
    rows = [
        survey_row(i, "甲街道", **({"正式党员数": 8} if i % 2 else {}), 联系电话=f"138{i:08d}") for i in range(ROWS)
    ]
    client = login(world.district)
    upload(client, write_csv(tmp_path / "big.csv", rows), street=world.street_a.pk)
    batch = ImportBatch.objects.get()
    assert batch.status == "preview" and (batch.rows, batch.rejected, batch.created) == (ROWS, ROWS // 2, ROWS // 2)

    # The jsonb: counts and the first rows only, no cells of rejected rows.
    assert len(json.dumps(batch.report, ensure_ascii=False).encode()) < 150_000
    assert "rejected_rows" not in batch.report
    assert len(batch.report["rejected"]) == SUMMARY_ROWS and batch.report["totals"]["rejected"] == ROWS // 2
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert f"仅显示前 {SUMMARY_ROWS} 条，共 {ROWS // 2} 条" in page
    assert reverse("orgs:survey_batch_report", args=[batch.pk]) in page

    # The full report: every rejected row as sent, with its error, first sheet.
    assert batch.details.name.startswith("imports/reports/") and "big" not in batch.details.name
    response = download(client, batch)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rejected = sheet_rows(response, "企业基本情况")
    assert [r[0] for r in rejected] == list(range(3, ROWS + 2, 2))
    assert rejected[-1][1] == rows[-1]["统一社会信用代码"] and rejected[-1][22] == "13800019999"
    assert all("正式党员数" in r[-1] for r in rejected)
    reasons = sheet_rows(download(client, batch), "不合格原因")
    assert len(reasons) == ROWS // 2 and reasons[0][:3] == [3, rows[1]["统一社会信用代码"], "正式党员数"]

    # Outside the batch's street: the same 404 as for any record out of scope.
    for outsider in (world.secretary_a, world.leader):
        assert download(login(outsider), batch).status_code == 404
    other = ImportBatch.objects.create(kind="survey", year=2026, file_name="x.csv", file_hash="0" * 64,
                                       street=world.street_b)  # fmt: skip
    assert download(login(world.street_a_staff), other).status_code == 404

    # Imported: the rollback data is a file too; the jsonb holds its counts.
    preview_report = batch.details.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed", batch.report.get("error")
    assert batch.undo == {"in_file": True, "counts": batch.undo["counts"]}
    assert batch.undo["counts"]["enterprises_created"] == ROWS // 2
    assert batch.undo_file and len(json.dumps(batch.undo)) < 1000
    assert batch.details.name != preview_report and not batch.details.storage.exists(preview_report)
    assert len(sheet_rows(download(client, batch), "企业基本情况")) == ROWS // 2

    survey_batch_rollback(batch=batch, by=world.district)
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()


def test_a_rollback_from_the_stored_undo_restores_previous_values(world, tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "REPORT_LIST_CAP", 1)  # what the import keeps in memory for the page
    rows = [survey_row(i, "甲街道") for i in range(3)]
    survey_import(path=write_csv(tmp_path / "a.csv", rows), year=2026, by=world.district)
    changed = [survey_row(i, "甲街道", 从业人员数=99, 企业名称=f"改名企业{i}有限公司") for i in range(3)]
    survey_import(path=write_csv(tmp_path / "b.csv", [*changed, survey_row(7, "甲街道")]), year=2026, by=world.district)
    second = ImportBatch.objects.order_by("-pk").first()
    assert second.undo["counts"]["enterprises_updated"] == 3 and second.undo["counts"]["surveys_updated"] == 3
    assert Enterprise.objects.filter(employees=99).count() == 3
    # The full report has every change, field by field, past the page's few.
    assert len(second.report["changes"]) == 1 and second.report["totals"]["changes"] == 3
    with second.details.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()), read_only=True)
    changes = [list(r) for r in book["变更明细"].iter_rows(min_row=2, values_only=True)]
    assert sorted((r[1], r[3], r[4], r[5]) for r in changes if r[3] == "从业人员数") == sorted(
        (rows[i]["统一社会信用代码"], "从业人员数", "30", "99") for i in range(3)
    )

    survey_batch_rollback(batch=second, by=world.district)
    restored = Enterprise.objects.filter(name__startswith="测试排查企业").order_by("name")
    assert [(e.name, e.employees) for e in restored] == [(f"测试排查企业{i}有限公司", 30) for i in range(3)]
    assert {s.employees for s in restored[0].surveys.all()} == {30}
    assert not Enterprise.objects.filter(name="测试排查企业7有限公司").exists()


def test_a_csv_past_the_cap_is_refused_while_it_is_read(settings):
    """The reading stops at the first line past the cap: the blocks after it are never asked for."""
    settings.SURVEY_MAX_ROWS = 10
    served = []

    def blocks():
        for n in range(1000):
            served.append(n)
            yield "甲,乙\n".encode() * 5

    with pytest.raises(SurveyFileError, match="文件行数超过上限：表头以下最多 10 行"):
        reader.csv_encoding(blocks())
    # 10 rows and 30 title rows allowed: the ninth block of five lines is the first past them.
    assert len(served) == 9


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_the_csv_encoding_is_found_block_by_block(encoding, monkeypatch):
    text = "统一社会信用代码,企业名称\n" + "".join(f"{i},测试企业{i}\n" for i in range(2000))
    data = text.encode(encoding)
    # Blocks that cut multi-byte characters in half.
    assert reader.csv_encoding(data[i : i + 7] for i in range(0, len(data), 7)) == encoding


def test_a_csv_one_row_past_the_cap_is_refused_and_nothing_written(world, tmp_path, settings):
    settings.SURVEY_MAX_ROWS = 10
    path = write_csv(tmp_path / "s.csv", [survey_row(i, "甲街道") for i in range(11)])
    with pytest.raises(SurveyFileError, match="文件行数超过上限：表头以下最多 10 行。请拆分为几个文件分批导入。"):
        survey_import(path=path, year=2026, by=world.district)
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()
    assert not ImportBatch.objects.exists()
