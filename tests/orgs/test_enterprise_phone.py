"""An enterprise's contact phone (often a person's mobile, PIPL personal data):
ciphertext in the database, masked on every way out, whole only through the
audited reveal, to those who keep the enterprise's ledger entry."""

import io
from datetime import date
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Enterprise, EnterpriseSurvey, ImportBatch, InstructorAssignment
from orgs.services import ENTERPRISE_WRITABLE, enterprise_create
from surveys.resources import SurveyResource
from tests.factories import UserFactory, make_credit_code

URL = "/api/v1/enterprises/"
WHOLE, MASKED = "13912345678", "139****5678"


@pytest.fixture
def phoned(world):
    """enterprise_a with a mobile number, a survey of it, and the instructor assigned to it."""
    world.enterprise_a.phone = WHOLE
    world.enterprise_a.save()
    EnterpriseSurvey.objects.create(
        enterprise=world.enterprise_a,
        year=2026,
        survey_date=date(2026, 3, 31),
        name=world.enterprise_a.name,
        street=world.street_a,
        phone=WHOLE,
    )
    InstructorAssignment.objects.create(
        instructor=world.instructor, enterprise=world.enterprise_a, start_on=date(2026, 1, 1)
    )
    return world


def _raw_phones(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {table} WHERE phone <> ''")
        return [row[0] for row in cursor.fetchall()]


def test_database_holds_only_ciphertext(phoned):
    enterprise_create(
        credit_code=make_credit_code(9001), by=None, name="丙企业", street=phoned.street_a, phone="13700001111"
    )
    for table in ("orgs_enterprise", "orgs_enterprisesurvey"):
        stored = _raw_phones(table)
        assert stored and all(value.startswith("gAAAAA") for value in stored)
        assert WHOLE not in str(stored) and "13700001111" not in str(stored)
    assert Enterprise.objects.get(pk=phoned.enterprise_a.pk).phone == WHOLE


@pytest.mark.parametrize("role", ["district", "street_a_staff", "leader", "instructor", "secretary_a"])
def test_api_list_and_detail_are_masked_for_every_reader(phoned, api, role):
    client = api(getattr(phoned, role))
    listed = client.get(URL)
    assert WHOLE not in listed.content.decode()
    (row,) = [r for r in listed.json()["results"] if r["id"] == phoned.enterprise_a.pk]
    assert row["phone"] == MASKED
    detail = client.get(f"{URL}{phoned.enterprise_a.pk}/")
    assert detail.status_code == 200 and detail.json()["phone"] == MASKED
    assert WHOLE not in detail.content.decode()


def test_survey_api_is_masked(phoned, api):
    response = api(phoned.district).get("/api/v1/surveys/")
    assert WHOLE not in response.content.decode()
    assert [r["phone"] for r in response.json()["results"]] == [MASKED]


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_reveal_by_ledger_keepers_is_audited(phoned, api, role):
    user = getattr(phoned, role)
    response = api(user).post(f"{URL}{phoned.enterprise_a.pk}/reveal/")
    assert response.status_code == 200
    assert response.json() == {"id": phoned.enterprise_a.pk, "phone": WHOLE}
    (entry,) = LogEntry.objects.filter(additional_data__event="enterprise_phone_reveal")
    assert entry.actor == user and entry.object_pk == str(phoned.enterprise_a.pk)
    assert entry.remote_addr == "127.0.0.1"
    assert WHOLE not in str(entry.changes)


@pytest.mark.parametrize("role", ["leader", "instructor", "secretary_a"])
def test_reveal_refused_to_readers_and_nothing_logged(phoned, api, role):
    response = api(getattr(phoned, role)).post(f"{URL}{phoned.enterprise_a.pk}/reveal/")
    assert response.status_code == 403
    assert WHOLE not in response.content.decode() and "联系电话" in response.json()["detail"]
    assert not LogEntry.objects.filter(additional_data__event="enterprise_phone_reveal").exists()


@pytest.mark.parametrize("role", ["secretary_b", "street_a_staff"])
def test_reveal_outside_scope_is_404(phoned, api, role):
    target = phoned.enterprise_a if role == "secretary_b" else phoned.enterprise_b
    assert api(getattr(phoned, role)).post(f"{URL}{target.pk}/reveal/").status_code == 404
    assert not LogEntry.objects.filter(additional_data__event="enterprise_phone_reveal").exists()


def test_a_masked_read_written_back_keeps_the_number_and_a_new_one_is_stored(phoned, api):
    client = api(phoned.district)
    url = f"{URL}{phoned.enterprise_a.pk}/"
    body = client.get(url).json()
    writable = {k: body[k] for k in ENTERPRISE_WRITABLE}
    response = client.put(url, {**writable, "employees": 99}, format="json")
    assert response.status_code == 200, response.json()
    phoned.enterprise_a.refresh_from_db()
    assert (phoned.enterprise_a.employees, phoned.enterprise_a.phone) == (99, WHOLE)
    assert client.patch(url, {"phone": "0411-84661234"}, format="json").json()["phone"] == "041******1234"
    phoned.enterprise_a.refresh_from_db()
    assert phoned.enterprise_a.phone == "0411-84661234"
    # The change is in the audit trail, the numbers are not.
    diffs = LogEntry.objects.filter(object_pk=str(phoned.enterprise_a.pk), content_type__model="enterprise")
    assert diffs.exists() and not any("phone" in (e.changes or {}) for e in diffs)
    assert "84661234" not in str([e.changes for e in diffs])


def test_ledger_export_is_masked_even_for_district_staff(phoned, login):
    for user in (phoned.district, phoned.leader):
        response = login(user).get(reverse("orgs:survey_ledger_export"))
        assert response.status_code == 200
        cells = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
        assert MASKED in cells and WHOLE not in cells


def test_admin_shows_and_exports_masked_and_a_masked_import_keeps_the_number(phoned, client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    survey = EnterpriseSurvey.objects.get()
    for url in (
        f"/admin/orgs/enterprise/{phoned.enterprise_a.pk}/change/",
        f"/admin/orgs/enterprisesurvey/{survey.pk}/change/",
    ):
        body = client.get(url).content.decode()
        assert WHOLE not in body and MASKED in body
    dataset = SurveyResource().export(queryset=Enterprise.objects.filter(pk=phoned.enterprise_a.pk))
    assert dataset.dict[0]["联系电话"] == MASKED
    result = SurveyResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert [row.import_type for row in result.rows] == ["skip"]
    phoned.enterprise_a.refresh_from_db()
    assert phoned.enterprise_a.phone == WHOLE


def _migration():
    from importlib import import_module

    return import_module("orgs.migrations.0012_encrypt_enterprise_phone")


def test_data_migration_encrypts_and_reverses(phoned):
    """The migration's steps over plain-text rows as 0010 left them."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orgs_enterprise SET phone = %s WHERE id = %s", [WHOLE, phoned.enterprise_a.pk])
        cursor.execute("UPDATE orgs_enterprisesurvey SET phone = %s", [WHOLE])
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.SURVEY,
        year=2026,
        undo={"enterprises_updated": {str(phoned.enterprise_a.pk): {"phone": "13700001111", "employees": 3}}},
        report={"changes": [{"row": 2, "diff": [["联系电话", "13700001111", WHOLE], ["从业人员数", "3", "4"]]}]},
    )
    editor = SimpleNamespace(connection=connection)
    migration = _migration()
    migration.encrypt_phones(apps, editor)
    migration.encrypt_phones(apps, editor)  # a second run leaves ciphertext alone
    assert all(v.startswith("gAAAAA") for t in ("orgs_enterprise", "orgs_enterprisesurvey") for v in _raw_phones(t))
    assert Enterprise.objects.get(pk=phoned.enterprise_a.pk).phone == WHOLE
    assert EnterpriseSurvey.objects.get().phone == WHOLE
    batch.refresh_from_db()
    kept = batch.undo["enterprises_updated"][str(phoned.enterprise_a.pk)]
    assert kept["phone"].startswith("gAAAAA") and kept["employees"] == 3
    assert batch.report["changes"][0]["diff"] == [["联系电话", "137****1111", MASKED], ["从业人员数", "3", "4"]]
    migration.decrypt_phones(apps, editor)
    assert _raw_phones("orgs_enterprise") == [WHOLE] and _raw_phones("orgs_enterprisesurvey") == [WHOLE]
    batch.refresh_from_db()
    assert batch.undo["enterprises_updated"][str(phoned.enterprise_a.pk)]["phone"] == "13700001111"


def test_detail_page_is_masked_and_offers_the_reveal_to_ledger_keepers_only(phoned, login, client):
    page = reverse("orgs:enterprise_detail", args=[phoned.enterprise_a.pk])
    reveal = reverse("orgs:enterprise_phone_reveal", args=[phoned.enterprise_a.pk])
    for role, offered in (("district", True), ("street_a_staff", True), ("leader", False), ("secretary_a", False)):
        body = login(getattr(phoned, role)).get(page).content.decode()
        assert MASKED in body and WHOLE not in body
        assert (reveal in body) is offered
    response = login(phoned.street_a_staff).post(reveal)
    assert response.status_code == 200 and WHOLE in response.content.decode()
    (entry,) = LogEntry.objects.filter(additional_data__event="enterprise_phone_reveal")
    assert entry.actor == phoned.street_a_staff
    assert login(phoned.leader).post(reveal).status_code == 403
    assert login(phoned.secretary_b).post(reveal).status_code == 404
    assert client.get(reveal).status_code == 405
    assert LogEntry.objects.filter(additional_data__event="enterprise_phone_reveal").count() == 1
