"""Survey pages: district and street staff import (street staff only for their
street), everyone else gets 404; bad files get a Chinese message and leave nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Enterprise, ImportBatch
from tests.helpers.survey_files import make_zip_bomb, survey_row, write_xlsx


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded survey files are kept with their batch; keep the test's out of the project.
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, path, **data):
    with open(path, "rb") as fh:
        payload = {"file": SimpleUploadedFile(path.name, fh.read()), "year": 2026, **data}
    return client.post(reverse("orgs:survey_import"), payload)


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_staff_see_the_import_page_and_menu(world, login, role):
    client = login(getattr(world, role))
    body = client.get(reverse("orgs:survey_import")).content.decode()
    assert "年度排查摸底表导入" in body
    assert reverse("orgs:survey_import") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ["secretary_a", "instructor", "leader"])
def test_others_get_404(world, login, role, tmp_path):
    client = login(getattr(world, role))
    assert client.get(reverse("orgs:survey_import")).status_code == 404
    assert client.get(reverse("orgs:survey_template")).status_code == 404
    response = upload(client, write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]), street=world.street_a.pk)
    assert response.status_code == 404
    assert not ImportBatch.objects.exists()
    assert reverse("orgs:survey_import") not in client.get(reverse("home")).content.decode()


def test_upload_preview_confirm_rollback(world, login, tmp_path):
    client = login(world.district)
    rows = [survey_row(1, "甲街道"), survey_row(2, "甲街道", **{"正式党员数": 8})]
    response = upload(client, write_xlsx(tmp_path / "s.xlsx", rows))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orgs:survey_batch", args=[batch.pk])
    # Checked (tasks run inline without a broker), nothing written yet.
    assert batch.status == "preview" and (batch.created, batch.rejected) == (1, 1)
    assert not Enterprise.objects.filter(name="测试排查企业1有限公司").exists()
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and "不能大于党员总数" in page

    rejected = client.get(reverse("orgs:survey_batch_report", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(rejected))).active
    header, row = [[c.value for c in r] for r in sheet.iter_rows()]
    assert header[-1] == "错误说明" and row[0] == 3 and "正式党员数" in row[-1]

    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed"
    assert Enterprise.objects.filter(name="测试排查企业1有限公司").exists()
    assert "撤销此批次" in client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()

    client.post(reverse("orgs:survey_batch_rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "rolled_back"
    assert not Enterprise.objects.filter(name="测试排查企业1有限公司").exists()


def test_progress_fragment_polls_while_running(world, login, tmp_path):
    client = login(world.district)
    upload(client, write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status="running", progress=40, progress_note="已校验 5000 行")
    fragment = client.get(reverse("orgs:survey_batch_progress", args=[batch.pk])).content.decode()
    assert "hx-trigger" in fragment and "40%" in fragment
    ImportBatch.objects.filter(pk=batch.pk).update(status="committed", progress=100)
    done = client.get(reverse("orgs:survey_batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_street_staff_only_for_their_street(world, login, tmp_path):
    client = login(world.street_a_staff)
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道"), survey_row(2, "乙街道")])
    response = upload(client, path, street=world.street_b.pk)
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert not ImportBatch.objects.exists()
    upload(client, path, street=world.street_a.pk)
    batch = ImportBatch.objects.get()
    assert batch.street == world.street_a and (batch.created, batch.rejected) == (1, 1)
    # A district batch is not theirs to see.
    other = ImportBatch.objects.create(kind="survey", year=2026, file_name="x.xlsx", file_hash="0" * 64)
    assert client.get(reverse("orgs:survey_batch", args=[other.pk])).status_code == 404
    assert login(world.secretary_a).get(reverse("orgs:survey_batch", args=[batch.pk])).status_code == 404


def _bad_files(tmp_path, settings):
    pdf = tmp_path / "a.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    noheader = write_xlsx(tmp_path / "b.xlsx", [{"企业名称": "甲"}], headers=["企业名称", "备注"])
    unknown = write_xlsx(tmp_path / "c.xlsx", [survey_row(1, "不存在街道")])
    return {"pdf": (pdf, "无法识别的文件格式"), "noheader": (noheader, "未找到表头"), "unknown": (unknown, None)}


@pytest.mark.parametrize("case", ["pdf", "noheader"])
def test_bad_files_get_a_message_and_nothing_is_kept(world, login, tmp_path, settings, case):
    path, message = _bad_files(tmp_path, settings)[case]
    response = upload(login(world.district), path)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_too_big_upload(world, login, tmp_path, settings):
    settings.SURVEY_MAX_UPLOAD_BYTES = 2048
    response = upload(login(world.district), write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")]))
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_zip_bomb_upload(world, login, tmp_path):
    response = upload(login(world.district), make_zip_bomb(tmp_path / "bomb.xlsx"))
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_unknown_street_rejected_unless_creating(world, login, tmp_path):
    client = login(world.district)
    path = write_xlsx(tmp_path / "c.xlsx", [survey_row(1, "不存在街道")])
    upload(client, path)
    batch = ImportBatch.objects.get()
    assert (
        batch.rejected == 1
        and "不是本区已有的街道" in client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    )
    upload(client, path, create_streets="on")
    batch = ImportBatch.objects.latest("created_at")
    assert batch.rejected == 0 and batch.report["streets_created"] == ["不存在街道"]


def test_ledger_export_scoped_and_template(world, login):
    response = login(world.street_a_staff).get(reverse("orgs:survey_ledger_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["甲企业有限公司"]
    assert login(world.secretary_a).get(reverse("orgs:survey_ledger_export")).status_code == 404
    template = load_workbook(io.BytesIO(login(world.district).get(reverse("orgs:survey_template")).content))
    assert template.sheetnames == ["企业基本情况", "填表说明"]
    assert template["企业基本情况"].max_row == 1 or template["企业基本情况"]["A2"].value is None


def test_admin_import_uses_the_same_rules(world, login, tmp_path):
    from import_export.formats.base_formats import XLSX

    from surveys.resources import SurveyResource

    rows = [survey_row(1, "甲街道", **{"是否规上企业": "√"}), survey_row(2, "甲街道", **{"正式党员数": 9})]
    path = write_xlsx(tmp_path / "s.xlsx", rows, title_rows=[["排查摸底表"]])
    dataset = XLSX().create_dataset(path.read_bytes())
    result = SurveyResource(user=world.district).import_data(dataset, dry_run=False)
    assert result.totals["new"] == 1 and result.totals["invalid"] == 1
    assert Enterprise.objects.get(name="测试排查企业1有限公司").above_scale is True
    assert not Enterprise.objects.filter(name="测试排查企业2有限公司").exists()
    from django.contrib.auth.models import Permission

    world.district.is_staff = True
    world.district.save()
    world.district.user_permissions.set(Permission.objects.filter(codename__endswith="_enterprise"))
    admin = login(world.district).get(reverse("admin:orgs_enterprise_import"))
    assert admin.status_code == 200 and "统一社会信用代码" in admin.content.decode()


def test_a_batch_whose_file_went_bad_is_marked_failed_with_a_message(world, login, tmp_path):
    from surveys.batches import survey_batch_open, survey_batch_process

    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道")])
    with open(path, "rb") as fh:
        batch = survey_batch_open(
            upload=SimpleUploadedFile("s.xlsx", fh.read()), year=2026, by=world.district, street=None
        )
    with batch.source.storage.open(batch.source.name, "wb") as fh:
        fh.write(b"%PDF-1.4 broken")
    survey_batch_process(batch=batch, commit=False)
    batch.refresh_from_db()
    assert batch.status == "failed" and "无法识别的文件格式" in batch.report["error"]
    page = login(world.district).get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "无法识别的文件格式" in page and "hx-trigger" not in page


def test_new_parks_are_announced_in_the_preview_and_reported_once_imported(world, login, tmp_path):
    client = login(world.district)
    upload(client, write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "甲街道", **{"所属园区": "新星科技园"})]))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "将新建园区：新星科技园" in page
    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]))
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "新建园区：新星科技园" in page and "将新建园区" not in page


@pytest.mark.parametrize(("answer", "same_park"), [("existing", True), ("new", False)])
def test_a_park_close_to_an_existing_one_is_asked_about_not_created_silently(world, login, tmp_path, answer, same_park):
    """DESIGN §6: 马栏专业市场 under a second street (or 马栏 专业市场 under the
    same one) is probably the park already kept; the preview asks."""
    from orgs.models import Region

    market = Region.objects.create(name="马栏专业市场", kind=Region.Kind.PARK, parent=world.street_a)
    client = login(world.district)
    rows = [
        survey_row(1, "乙街道", **{"所属园区": "马栏专业市场"}),
        survey_row(2, "甲街道", **{"所属园区": "马栏（专业市场）"}),
        survey_row(3, "甲街道", **{"所属园区": "马栏专业市场"}),
    ]
    upload(client, write_xlsx(tmp_path / "s.xlsx", rows))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "名称相近" in page and "乙街道／马栏专业市场" in page and "甲街道／马栏（专业市场）" in page
    assert [p["key"] for p in batch.report["similar_parks"]] == ["乙街道／马栏专业市场", "甲街道／马栏（专业市场）"]

    # Confirming without an answer is refused and starts nothing.
    response = client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]), follow=True)
    assert "请为园区“乙街道／马栏专业市场”选择" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "preview" and not Enterprise.objects.filter(name__startswith="测试排查企业").exists()

    choice = str(market.pk) if answer == "existing" else "new"
    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]), {"park_0": choice, "park_1": str(market.pk)})
    batch.refresh_from_db()
    assert batch.status == "committed", batch.report.get("error")
    first = Enterprise.objects.get(name="测试排查企业1有限公司")
    assert (first.park_id == market.pk) is same_park
    assert first.street == world.street_b
    assert Enterprise.objects.get(name="测试排查企业2有限公司").park_id == market.pk
    assert Enterprise.objects.get(name="测试排查企业3有限公司").park_id == market.pk
    assert Region.objects.filter(kind=Region.Kind.PARK).count() == (1 if same_park else 2)


def test_a_confirm_cannot_name_a_park_the_preview_did_not_offer(world, login, tmp_path):
    from orgs.models import Region

    Region.objects.create(name="马栏专业市场", kind=Region.Kind.PARK, parent=world.street_a)
    elsewhere = Region.objects.create(name="别处园区", kind=Region.Kind.PARK, parent=world.street_b)
    client = login(world.district)
    upload(client, write_xlsx(tmp_path / "s.xlsx", [survey_row(1, "乙街道", **{"所属园区": "马栏 专业市场"})]))
    batch = ImportBatch.objects.get()
    client.post(reverse("orgs:survey_batch_confirm", args=[batch.pk]), {"park_0": str(elsewhere.pk)})
    batch.refresh_from_db()
    assert batch.status == "preview" and not Enterprise.objects.filter(name__startswith="测试排查企业").exists()
