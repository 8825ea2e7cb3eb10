"""Hostile survey files: a sheet reaching absurdly far, a reader that
crashes or hangs, more rows than a survey has, text the database refuses,
entities (billion laughs, XXE), a forged zip directory, a program renamed.
Each is refused with a Chinese message, nothing is written and no copy of
the upload stays behind; the process that imports survives."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from orgs.models import Enterprise, ImportBatch
from surveys import reader
from surveys.batches import survey_batch_process
from surveys.reader import SurveyFileError, open_survey
from surveys.services import survey_import
from tests.helpers.hostile_files import (
    FAR_SPELLINGS,
    billion_laughs_xlsx,
    declared_dimension_xlsx,
    external_entity_xlsx,
    far_cell_xlsx,
    far_spelling_xlsx,
    forged_directory_xlsx,
    program_named_xlsx,
    shared_strings_entity_xlsx,
    sheet_xml,
    survey_sheet,
    write_workbook,
)
from tests.helpers.survey_files import survey_row, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
ABORTS = [sys.executable, "-c", "import os; os.abort()"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # These tests look at the files on the local disk, whatever storage the environment names.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def upload(client, path, **data):
    payload = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "year": 2026, **data}
    return client.post(reverse("orgs:survey_import"), payload)


def kept_uploads() -> list[Path]:
    folder = Path(django_settings.MEDIA_ROOT) / "imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- a sheet reaching to XFD1048576 ------------------------------------------------


def test_far_cell_no_longer_kills_the_command(tmp_path):
    """The 1.6 KB file that made python-calamine allocate 512 GB and abort the
    process (SIGABRT): the command now ends with exit 1 and a message."""
    path = far_cell_xlsx(tmp_path / "far.xlsx")
    assert path.stat().st_size < 2048
    done = subprocess.run(
        [sys.executable, "manage.py", "import_survey", str(path), "--year", "2026", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "表格范围超出上限" in done.stderr and "第 1,048,576 行" in done.stderr
    assert "300,000 行" in done.stderr and "200 列" in done.stderr


def test_far_cell_upload_is_refused_and_nothing_kept(world, login, tmp_path):
    response = upload(login(world.district), far_cell_xlsx(tmp_path / "far.xlsx"))
    body = response.content.decode()
    assert response.status_code == 400 and "表格范围超出上限" in body and "最多 200 列" in body
    assert not ImportBatch.objects.exists() and kept_uploads() == []


def test_declared_dimension_is_refused_before_reading(tmp_path):
    path = declared_dimension_xlsx(tmp_path / "dim.xlsx", [survey_row(1, "甲街道")])
    with pytest.raises(SurveyFileError, match="第 1,048,576 行、第 16,384 列"):
        open_survey(path)


@pytest.mark.parametrize("spelling", sorted(FAR_SPELLINGS))
def test_every_spelling_of_a_far_cell_is_refused(tmp_path, spelling):
    with pytest.raises(SurveyFileError, match="表格范围超出上限"):
        open_survey(far_spelling_xlsx(tmp_path / "far.xlsx", spelling))


def test_a_sheet_up_to_the_limits_is_read(tmp_path, settings):
    settings.SURVEY_MAX_ROWS = 20
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(i, "甲街道") for i in range(20)])
    assert len(list(open_survey(path).rows)) == 20


# --- the reader in its own process ---------------------------------------------------


@pytest.fixture
def crashing_reader(monkeypatch):
    """The reader process aborts (SIGABRT), as python-calamine did on a failed allocation."""
    monkeypatch.setattr("surveys.sandbox.child_command", lambda path, head: ABORTS)


def test_crashing_reader_fails_the_upload_and_keeps_no_copy(world, login, tmp_path, crashing_reader):
    response = upload(login(world.district), write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]))
    assert response.status_code == 400 and "文件无法读取" in response.content.decode()
    assert not ImportBatch.objects.exists() and kept_uploads() == []


def test_crashing_reader_fails_the_check_with_a_message(world, tmp_path, crashing_reader):
    batch = ImportBatch.objects.create(
        kind="survey", year=2026, file_name="s.xlsx", file_hash="", status=ImportBatch.Status.CHECKING
    )
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")])
    with open(path, "rb") as fh:
        batch.source.save("s.xlsx", fh)
    survey_batch_process(batch=batch, commit=False)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "文件无法读取" in batch.report["error"]
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()


def test_crashing_reader_fails_the_command(world, tmp_path, crashing_reader):
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")])
    with pytest.raises(CommandError, match="文件无法读取") as exc:
        call_command("import_survey", str(path), "--year", "2026")
    assert exc.value.returncode == 1
    assert not ImportBatch.objects.exists()


def test_the_real_crash_is_contained_when_the_extent_check_is_bypassed(tmp_path, monkeypatch):
    """Even a file the extent check let through cannot take the process down:
    python-calamine asks for 512 GB in the reader process, which alone dies."""
    monkeypatch.setattr(reader, "check_extent", lambda path: None)
    with pytest.raises(SurveyFileError, match="文件无法读取"):
        open_survey(far_cell_xlsx(tmp_path / "far.xlsx"))


def test_reader_memory_limit(tmp_path, settings):
    settings.SURVEY_READER_MEMORY_MB = 16
    with pytest.raises(SurveyFileError, match="文件无法读取"):
        open_survey(write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]))


def test_reader_time_limit(tmp_path, settings, monkeypatch):
    settings.SURVEY_READER_SECONDS = 1
    monkeypatch.setattr(
        "surveys.sandbox.child_command", lambda path, head: [sys.executable, "-c", "import time; time.sleep(30)"]
    )
    with pytest.raises(SurveyFileError, match="读取超过 1 秒"):
        open_survey(write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]))


def test_reader_process_ends_with_the_table(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(i, "甲街道") for i in range(3)])
    table = open_survey(path)
    process = table.reader._process
    table.close()
    assert process.poll() is not None
    read = open_survey(path)
    assert len(list(read.rows)) == 3 and read.reader._process.poll() == 0


def test_a_workbook_under_another_name_is_read_by_content(tmp_path):
    # An .xlsx saved under another name is read as what it is.
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")])
    renamed = tmp_path / "排查表.ods"
    renamed.write_bytes(path.read_bytes())
    assert len(list(open_survey(renamed).rows)) == 1


# --- rows ----------------------------------------------------------------------------


def test_survey_row_cap_is_stated_and_refused(world, login, tmp_path, settings):
    body = login(world.district).get(reverse("orgs:survey_import")).content.decode()
    assert "300,000" in body
    settings.SURVEY_MAX_ROWS = 10
    with pytest.raises(SurveyFileError, match="表头以下最多 10 行"):
        list(open_survey(write_xlsx(tmp_path / "s.xlsx", [survey_row(i, "甲街道") for i in range(11)])).rows)


def test_csv_beyond_the_cap_is_refused_before_parsing(tmp_path, settings, monkeypatch):
    settings.SURVEY_MAX_ROWS = 10
    path = write_csv(tmp_path / "s.csv", [survey_row(i, "甲街道") for i in range(100)])

    def no_parsing(*args, **kwargs):
        raise AssertionError("the CSV was parsed")

    monkeypatch.setattr(reader.csv, "reader", no_parsing)
    with pytest.raises(SurveyFileError, match="表头以下最多 10 行"):
        open_survey(path)


def test_blank_lines_count_towards_the_cap(tmp_path, settings):
    settings.SURVEY_MAX_ROWS = 10
    path = write_csv(tmp_path / "s.csv", [survey_row(1, "甲街道")])
    path.write_bytes(path.read_bytes() + b"\r\n" * 50)
    with pytest.raises(SurveyFileError, match="表头以下最多 10 行"):
        open_survey(path)


def test_survey_import_refuses_a_zip_part_bomb_in_a_real_workbook(tmp_path, settings):
    settings.SURVEY_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    path = write_workbook(tmp_path / "w.xlsx", " " * (2 * 1024 * 1024))
    with pytest.raises(SurveyFileError, match="压缩炸弹"):
        open_survey(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").compress_size < 64 * 1024


def test_import_survey_by_service_survives_a_crash(world, tmp_path, crashing_reader):
    with pytest.raises(SurveyFileError, match="文件无法读取"):
        survey_import(path=write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]), year=2026, by=None)
    assert os.getpid()  # still here


# --- the extent scan, at its limits ----------------------------------------------------

BOUNDARY = [
    ("GR300030", False),
    ("GS1", True),
    ("HA7", True),
    ("AAA1", True),
    ("Z9", False),
    ("A300031", True),
    ("B1000000", True),
    ("gr300030", False),
    ("gs5", True),
    ("A99999", False),
]


@pytest.mark.parametrize("usual", [True, False], ids=["fast", "exact"])
@pytest.mark.parametrize(("reference", "far"), BOUNDARY)
def test_extent_scan_decides_at_the_limits_the_same_both_ways(tmp_path, monkeypatch, reference, far, usual):
    from core import uploads

    row = "".join(ch for ch in reference if ch.isdigit())
    attributes = f'r="{reference}" t="n"' if usual else f't="n" r="{reference}"'
    path = write_workbook(tmp_path / "x.xlsx", sheet_xml(f'<row r="{row}"><c {attributes}><v>1</v></c></row>'))
    if usual:  # written the usual way, the regular expressions decide alone
        monkeypatch.setattr(uploads, "_exact_scan", lambda *args: pytest.fail("read element by element"))
    if far:
        with pytest.raises(uploads.SheetTooLarge):
            uploads.check_sheet_extent(path, max_row=300_030, max_column=200)
    else:
        uploads.check_sheet_extent(path, max_row=300_030, max_column=200)


# --- entities, forged sizes and programs under a spreadsheet's name -------------------------------

ENTITY_FILES = {
    "billion_laughs": billion_laughs_xlsx,
    "external_entity": external_entity_xlsx,
    "entity_in_shared_strings": shared_strings_entity_xlsx,
}


@pytest.mark.parametrize("make", ENTITY_FILES.values(), ids=ENTITY_FILES.keys())
def test_a_document_type_anywhere_in_the_workbook_is_refused(world, login, tmp_path, make):
    path = make(tmp_path / "s.xlsx", survey_sheet([survey_row(1, "甲街道")]))
    response = upload(login(world.district), path)
    body = response.content.decode()
    assert response.status_code == 400 and "含有文档类型声明" in body
    assert "root:" not in body  # nothing of /etc/passwd came back
    assert not ImportBatch.objects.exists() and kept_uploads() == []


def test_a_forged_central_directory_is_refused_without_inflating(world, login, tmp_path):
    path = forged_directory_xlsx(tmp_path / "s.xlsx", survey_sheet([survey_row(1, "甲街道")]))
    assert path.stat().st_size < 200 * 1024
    response = upload(login(world.district), path)
    assert response.status_code == 400 and "文件已损坏或不是Excel文件" in response.content.decode()
    assert not ImportBatch.objects.exists() and kept_uploads() == []


def test_a_program_named_xlsx_is_refused(world, login, tmp_path):
    response = upload(login(world.district), program_named_xlsx(tmp_path / "调查表.xlsx"))
    assert response.status_code == 400 and "无法识别的文件格式" in response.content.decode()
    assert not ImportBatch.objects.exists() and kept_uploads() == []
