"""Text cells the database would refuse at the end (a NUL byte, a name
longer than its column) are refused at the check instead, row by row with
the column named, like any other cell error; and a street's import does
not learn which other street holds a credit code. On SQLite and on
PostgreSQL (where text and jsonb refuse NUL and varchar its length)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Enterprise, ImportBatch, PartyOrganization, Region
from surveys.columns import COLUMN_BY_FIELD
from surveys.resources import SurveyResource
from surveys.services import survey_import
from tests.helpers.hostile_files import csv_with_cells, survey_xlsx_raw
from tests.helpers.survey_files import survey_row, write_csv, write_xlsx

YEAR = 2026


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(path, **kwargs):
    return survey_import(path=path, year=YEAR, by=None, **kwargs)


def rejected_by_row(report):
    return {r["row"]: (r["column"], r["message"]) for r in report.rejected}


def page_upload(client, path):
    payload = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "year": YEAR}
    return client.post(reverse("orgs:survey_import"), payload)


def test_nul_in_a_csv_cell_rejects_that_row_only(world, tmp_path):
    # Far enough down that the file is still taken for text (NUL at its start is a binary file).
    rows = [survey_row(i, "甲街道") for i in range(60)]
    rows[50]["企业名称"] = "坏\x00企业有限公司"
    rows[51]["经营地址"] = "测试路\x0051号"
    report = run(csv_with_cells(tmp_path / "s.csv", rows))
    assert report.created == 58
    assert rejected_by_row(report)[52] == ("企业名称", "含有不可见的控制字符（如 NUL 空字符），请删除后重新导入")
    assert rejected_by_row(report)[53][0] == "经营地址"
    batch = ImportBatch.objects.get(pk=report.batch)
    assert batch.status == "committed" and "\\u0000" not in json.dumps(batch.report)
    # The rejected rows are in the full report (storage), not in the jsonb.
    with batch.details.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()), read_only=True)
    kept = next(book.active.iter_rows(min_row=2, values_only=True))
    assert "坏\ufffd企业有限公司" in kept  # marked where the NUL was, for the download to be fixed
    assert not any("\x00" in name for name in Enterprise.objects.values_list("name", flat=True))


def test_control_characters_in_an_xlsx_are_rejected(world, tmp_path):
    rows = [survey_row(i, "甲街道") for i in range(4)]
    rows[1]["企业名称"] = "甲_x0000_乙有限公司"  # how a workbook spells NUL
    rows[2]["出资人姓名"] = "王&#1;某"
    rows[3]["经营地址"] = "测试路\n3号\t东门"  # a line break typed with Alt+Enter is fine
    report = run(survey_xlsx_raw(tmp_path / "s.xlsx", rows))
    assert report.created == 2
    by_row = rejected_by_row(report)
    assert by_row[3][0] == "企业名称" and "控制字符" in by_row[3][1]
    assert by_row[4][0] == "出资人姓名" and "控制字符" in by_row[4][1]
    assert Enterprise.objects.get(credit_code=rows[3]["统一社会信用代码"]).address == "测试路\n3号\t东门"


def test_nul_row_through_the_page_preview_and_confirm(world, login, tmp_path):
    client = login(world.district)
    rows = [survey_row(i, "甲街道") for i in range(60)]
    rows[55]["党组织书记"] = "李\x00某"
    response = page_upload(client, csv_with_cells(tmp_path / "s.csv", rows))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == "preview" and (batch.created, batch.rejected) == (59, 1)
    assert "控制字符" in client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.created == 59


def test_a_100000_character_name_is_rejected_at_the_preview(world, login, tmp_path):
    client = login(world.district)
    rows = [survey_row(1, "甲街道"), survey_row(2, "甲街道", **{"企业名称": "名" * 100_000})]
    page_upload(client, write_csv(tmp_path / "s.csv", rows))
    batch = ImportBatch.objects.get()
    assert batch.status == "preview" and (batch.created, batch.rejected) == (1, 1)
    (rejection,) = batch.report["rejected"]
    assert rejection["column"] == "企业名称" and "不能超过200个字符（当前为100000个字符）" in rejection["message"]
    assert len(json.dumps(batch.report)) < 10_000  # the long cell is not kept whole
    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed", batch.report.get("error")
    assert Enterprise.objects.filter(credit_code=rows[0]["统一社会信用代码"]).exists()


# Text columns and where each is stored (the street must name a known one; the phone is cut to fit).
STORED = {
    "name": [(Enterprise, "name")],
    "park_name": [(Region, "name")],
    "address": [(Enterprise, "address")],
    "owner_name": [(Enterprise, "owner_name")],
    "org_name": [(Enterprise, "org_name"), (PartyOrganization, "name")],
    "secretary_name": [(Enterprise, "secretary_name"), (PartyOrganization, "secretary_name")],
}


@pytest.mark.parametrize("field", sorted(STORED))
def test_each_text_column_takes_exactly_its_stored_length(world, tmp_path, field):
    limit = min(model._meta.get_field(name).max_length for model, name in STORED[field])
    header = COLUMN_BY_FIELD[field].header
    fits = survey_row(1, "甲街道", **{header: "字" * limit, "党组织设置情况": "单独组建"})
    too_long = survey_row(2, "甲街道", **{header: "字" * (limit + 1), "党组织设置情况": "单独组建"})
    report = run(write_xlsx(tmp_path / "s.xlsx", [fits, too_long]))
    assert report.created == 1, report.rejected
    assert rejected_by_row(report) == {3: (header, f"不能超过{limit}个字符（当前为{limit + 1}个字符）")}


def test_a_long_street_name_is_a_length_error_not_an_echo(world, tmp_path):
    report = run(write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "街" * 5000)]), create_streets=True)
    assert rejected_by_row(report) == {2: ("所属街道", "不能超过100个字符（当前为5000个字符）")}
    assert not Region.objects.filter(name__startswith="街街").exists()


def test_messages_quote_a_bad_cell_briefly(world, tmp_path):
    report = run(write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道", **{"是否建立工会": "也" * 5000})]))
    (rejection,) = report.rejected
    assert len(rejection["message"]) < 120 and "…" in rejection["message"]


def test_the_admin_door_refuses_the_same_text(world):
    resource = SurveyResource()
    widget = resource.fields["name"].widget
    with pytest.raises(ValueError, match="企业名称：含有不可见的控制字符"):
        widget.clean("甲\x00有限公司")
    with pytest.raises(ValueError, match="不能超过200个字符"):
        widget.clean("名" * 201)


# --- another street's credit code ---------------------------------------------------


def test_another_streets_code_does_not_name_that_street(world, tmp_path):
    row = survey_row(1, "甲街道", **{"统一社会信用代码": world.enterprise_b.credit_code})
    report = run(write_xlsx(tmp_path / "s.xlsx", [row]), street=world.street_a)
    (rejection,) = report.rejected
    assert rejection["column"] == "所属街道"
    assert rejection["message"] == "该企业属于其他街道的登记范围，不能由本街道导入变更"
    assert world.street_b.name not in json.dumps(report.as_json(), ensure_ascii=False)
