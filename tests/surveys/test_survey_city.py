"""Survey import per district (DESIGN.md §8): a file belongs to one district,
chosen at upload or on the command line (`--district NAME|ID`), or a city's
file names each row's district in 所属区县. Street names resolve within the
district; a row of another district is refused with its row and column,
and nothing of it is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.errors import ApplicationError
from orgs.models import Enterprise, ImportBatch, Region, Role
from surveys.services import survey_import
from tests.factories import EnterpriseFactory, UserFactory, grant
from tests.helpers.survey_files import HEADERS, survey_row, write_xlsx

YEAR = 2026
CITY_HEADERS = [*HEADERS, "所属区县"]


@pytest.fixture
def city(db):
    city = Region.objects.create(name="测试市", kind=Region.Kind.CITY)
    a = Region.objects.create(name="甲区", kind=Region.Kind.DISTRICT, parent=city)
    b = Region.objects.create(name="乙区", kind=Region.Kind.DISTRICT, parent=city)
    streets = {
        "a1": Region.objects.create(name="甲一街道", kind=Region.Kind.STREET, parent=a),
        "b1": Region.objects.create(name="乙一街道", kind=Region.Kind.STREET, parent=b),
        # The same street name in both districts: the district decides which.
        "a_centre": Region.objects.create(name="中心街道", kind=Region.Kind.STREET, parent=a),
        "b_centre": Region.objects.create(name="中心街道", kind=Region.Kind.STREET, parent=b),
    }
    return {
        "city": city,
        "a": a,
        "b": b,
        **streets,
        "ent_b": EnterpriseFactory(street=streets["b1"], name="乙区原有企业有限公司"),
        "district_a": grant(UserFactory(username="district_a"), Role.DISTRICT, region=a),
        "street_a1": grant(UserFactory(username="street_a1"), Role.STREET, region=streets["a1"]),
    }


def _names_in(street):
    return set(Enterprise.objects.filter(street=street).values_list("name", flat=True))


def _rejected(report):
    return {(r["row"], r["column"]): r["message"] for r in report.rejected}


def test_a_row_naming_another_districts_street_is_refused(city, tmp_path):
    rows = [
        survey_row(1, "甲一街道"),
        survey_row(2, "乙一街道"),
        # An enterprise district B keeps, sent in district A's file under A's street.
        survey_row(3, "甲一街道", **{"统一社会信用代码": city["ent_b"].credit_code, "企业名称": "改名企业"}),
        survey_row(4, "中心街道"),
    ]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    report = survey_import(path=path, year=YEAR, by=city["district_a"], district=city["a"])
    rejected = _rejected(report)
    assert "乙区" in rejected[(3, "所属街道")] and "甲区" in rejected[(3, "所属街道")]
    assert "其他区县" in rejected[(4, "所属街道")]
    assert len(rejected) == 2
    # Nothing of the refused rows is written; the rest imports.
    assert _names_in(city["a1"]) == {"测试排查企业1有限公司"}
    assert _names_in(city["a_centre"]) == {"测试排查企业4有限公司"}
    assert _names_in(city["b1"]) == {"乙区原有企业有限公司"}
    assert not _names_in(city["b_centre"])
    assert ImportBatch.objects.get(pk=report.batch).district == city["a"]


def test_the_district_column_routes_each_row(city, tmp_path):
    rows = [
        survey_row(1, "中心街道", **{"所属区县": "甲区"}),
        survey_row(2, "中心街道", **{"所属区县": "乙区"}),
        survey_row(3, "乙一街道", **{"所属区县": " 乙区 "}),
        survey_row(4, "甲一街道", **{"所属区县": "乙区"}),
        survey_row(5, "甲一街道", **{"所属区县": "丙区"}),
        survey_row(6, "甲一街道"),
    ]
    path = write_xlsx(tmp_path / "city.xlsx", rows, headers=CITY_HEADERS)
    report = survey_import(path=path, year=YEAR, by=None)
    rejected = _rejected(report)
    assert set(rejected) == {(5, "所属街道"), (6, "所属区县"), (7, "所属区县")}
    assert "乙区" in rejected[(5, "所属街道")]
    assert "丙区" in rejected[(6, "所属区县")]
    assert "不能为空" in rejected[(7, "所属区县")]
    assert _names_in(city["a_centre"]) == {"测试排查企业1有限公司"}
    assert _names_in(city["b_centre"]) == {"测试排查企业2有限公司"}
    assert "测试排查企业3有限公司" in _names_in(city["b1"])
    assert not _names_in(city["a1"])
    # A city's file: the batch names the region above its districts.
    assert ImportBatch.objects.get(pk=report.batch).district == city["city"]


def test_a_district_column_that_disagrees_with_the_chosen_district_is_refused(city, tmp_path):
    rows = [survey_row(1, "甲一街道", **{"所属区县": "甲区"}), survey_row(2, "乙一街道", **{"所属区县": "乙区"})]
    path = write_xlsx(tmp_path / "a.xlsx", rows, headers=CITY_HEADERS)
    report = survey_import(path=path, year=YEAR, by=None, district=city["a"])
    assert set(_rejected(report)) == {(3, "所属区县")}
    assert _names_in(city["a1"]) == {"测试排查企业1有限公司"}
    assert _names_in(city["b1"]) == {"乙区原有企业有限公司"}


def test_district_a_staff_cannot_import_for_district_b(city, tmp_path, client):
    path = write_xlsx(tmp_path / "b.xlsx", [survey_row(1, "乙一街道")])
    with pytest.raises(ApplicationError, match="本区县"):
        survey_import(path=path, year=YEAR, by=city["district_a"], district=city["b"])
    with pytest.raises(ApplicationError, match="本街道"):
        survey_import(path=path, year=YEAR, by=city["street_a1"], street=city["b1"])
    # A city's file: district A's staff import A's rows, never B's.
    rows = [survey_row(2, "甲一街道", **{"所属区县": "甲区"}), survey_row(3, "乙一街道", **{"所属区县": "乙区"})]
    report = survey_import(
        path=write_xlsx(tmp_path / "city.xlsx", rows, headers=CITY_HEADERS), year=YEAR, by=city["district_a"]
    )
    assert "乙区" in _rejected(report)[(3, "所属区县")]
    assert _names_in(city["a1"]) == {"测试排查企业2有限公司"}
    assert _names_in(city["b1"]) == {"乙区原有企业有限公司"}

    # The upload page offers district A only; district B is refused, nothing kept.
    client.force_login(city["district_a"])
    page = client.get(reverse("orgs:survey_import")).content.decode()
    assert "甲区" in page and "乙区" not in page
    with open(path, "rb") as fh:
        response = client.post(
            reverse("orgs:survey_import"),
            {"file": SimpleUploadedFile("b.xlsx", fh.read()), "year": YEAR, "district": city["b"].pk},
        )
    assert response.status_code == 400
    assert ImportBatch.objects.count() == 1  # the city file's, above


def test_the_upload_page_takes_the_district(city, tmp_path, client, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲一街道")])
    client.force_login(UserFactory(is_superuser=True))

    def upload(**data):
        with open(path, "rb") as fh:
            payload = {"file": SimpleUploadedFile("a.xlsx", fh.read()), "year": YEAR, **data}
        return client.post(reverse("orgs:survey_import"), payload)

    response = upload()
    assert response.status_code == 400 and "多个区县" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert upload(district=city["a"].pk).status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.district == city["a"] and batch.status == ImportBatch.Status.PREVIEW and batch.created == 1


def test_the_command_requires_the_district_where_there_are_two(city, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "中心街道")])
    with pytest.raises(CommandError, match="--district") as refused:
        call_command("import_survey", str(path), "--year", str(YEAR))
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="丙区") as unknown:
        call_command("import_survey", str(path), "--year", str(YEAR), "--district", "丙区")
    assert unknown.value.returncode == 2
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()
    assert not ImportBatch.objects.exists()

    call_command("import_survey", str(path), "--year", str(YEAR), "--district", "甲区")
    assert _names_in(city["a_centre"]) == {"测试排查企业1有限公司"}
    second = write_xlsx(tmp_path / "b.xlsx", [survey_row(2, "中心街道")])
    call_command("import_survey", str(second), "--year", str(YEAR), "--district", str(city["b"].pk))
    assert _names_in(city["b_centre"]) == {"测试排查企业2有限公司"}
    assert list(ImportBatch.objects.order_by("pk").values_list("district", flat=True)) == [city["a"].pk, city["b"].pk]


def test_one_district_needs_no_district_argument(db, tmp_path):
    district = Region.objects.create(name="独区", kind=Region.Kind.DISTRICT)
    street = Region.objects.create(name="独一街道", kind=Region.Kind.STREET, parent=district)
    call_command("import_survey", str(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "独一街道")])), "--year", "2026")
    assert _names_in(street) == {"测试排查企业1有限公司"}
    assert ImportBatch.objects.get().district == district
    # With one district a 所属区县 column is read as before: not at all.
    rows = [survey_row(2, "独一街道", **{"所属区县": "大连市某某区"})]
    report = survey_import(path=write_xlsx(tmp_path / "b.xlsx", rows, headers=CITY_HEADERS), year=YEAR, by=None)
    assert not report.rejected
    assert _names_in(street) == {"测试排查企业1有限公司", "测试排查企业2有限公司"}


def test_a_districts_batch_rolls_back_after_another_districts_import(city, tmp_path):
    from surveys.rollback import survey_batch_rollback

    first = survey_import(
        path=write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲一街道")]), year=YEAR, by=None, district=city["a"]
    )
    survey_import(
        path=write_xlsx(tmp_path / "b.xlsx", [survey_row(2, "乙一街道")]), year=YEAR, by=None, district=city["b"]
    )
    again = survey_import(
        path=write_xlsx(tmp_path / "a2.xlsx", [survey_row(3, "甲一街道")]), year=YEAR, by=None, district=city["a"]
    )
    # A later batch of the same district still comes first.
    with pytest.raises(ApplicationError, match="较晚"):
        survey_batch_rollback(batch=ImportBatch.objects.get(pk=first.batch), by=city["district_a"])
    survey_batch_rollback(batch=ImportBatch.objects.get(pk=again.batch), by=city["district_a"])
    survey_batch_rollback(batch=ImportBatch.objects.get(pk=first.batch), by=city["district_a"])
    assert not _names_in(city["a1"])
    assert _names_in(city["b1"]) == {"乙区原有企业有限公司", "测试排查企业2有限公司"}
