"""The survey import's bulk mode on PostgreSQL: foreign keys checked per
distinct key instead of per row, with the same outcome as the per-row checks."""

import pytest
from django.db import connection

from core.errors import ApplicationError
from orgs.models import Enterprise, EnterpriseSurvey, ImportBatch, PartyOrganization
from surveys.bulkload import BULK_TABLES, bulk_load
from surveys.services import survey_import
from surveys.sql import select_by_keys
from surveys.validate import Context
from tests.helpers.survey_files import survey_row, write_xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PLAIN_ROLE = "pb_plain_importer"


@pytest.fixture
def street():
    from orgs.reference import ensure_reference_data
    from tests.factories import StreetFactory

    ensure_reference_data()
    return StreetFactory(name="甲街道")


@pytest.fixture(params=["bulk", "plain"])
def mode(request):
    """'bulk': the test database's superuser may set session_replication_role.
    'plain': an ordinary role with table rights only, which may not."""
    if request.param == "bulk":
        yield "bulk"
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {PLAIN_ROLE}")
        cursor.execute(f"CREATE ROLE {PLAIN_ROLE} NOSUPERUSER")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PLAIN_ROLE}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PLAIN_ROLE}")
        cursor.execute(f"SET ROLE {PLAIN_ROLE}")
    try:
        yield "plain"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP OWNED BY {PLAIN_ROLE}")
            cursor.execute(f"DROP ROLE {PLAIN_ROLE}")


def test_bulk_mode_is_taken_only_where_the_database_allows_it(street, mode):
    from django.db import transaction

    with transaction.atomic(), bulk_load() as checks:
        assert checks.enabled is (mode == "bulk")
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == ("replica" if mode == "bulk" else "origin")
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_import_writes_the_same_either_way(street, mode, tmp_path):
    rows = [survey_row(i, "甲街道") for i in range(30)]
    report = survey_import(path=write_xlsx(tmp_path / "s.xlsx", rows), year=2026, by=None)
    assert (report.created, report.rejected) == (30, [])
    assert Enterprise.objects.filter(street=street).count() == 30
    assert EnterpriseSurvey.objects.filter(year=2026, street=street).count() == 30
    assert PartyOrganization.objects.filter(street=street).exists()
    assert ImportBatch.objects.get(pk=report.batch).status == ImportBatch.Status.COMMITTED


def test_a_street_deleted_meanwhile_fails_the_whole_import(street, mode, tmp_path, monkeypatch):
    """The import has read the street list; another session deletes the
    street before the rows are written. Per-row or per-key, the import must
    refuse it all."""
    load = Context.__init__

    def street_deleted_meanwhile(self, **kwargs):
        load(self, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM orgs_region WHERE id = %s", [street.pk])

    monkeypatch.setattr(Context, "__init__", street_deleted_meanwhile)
    rows = [survey_row(i, "甲街道") for i in range(5)]
    with pytest.raises(ApplicationError, match="未写入任何数据"):
        survey_import(path=write_xlsx(tmp_path / "s.xlsx", rows), year=2026, by=None)
    assert not Enterprise.objects.exists()
    assert not EnterpriseSurvey.objects.exists()
    assert not ImportBatch.objects.exists()


def test_bulk_tables_have_no_triggers_of_their_own():
    """session_replication_role = replica turns off every ordinary trigger;
    on these tables that must mean the referential ones only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
            [list(BULK_TABLES)],
        )
        assert cursor.fetchall() == []


def test_lookups_by_key_find_keys_with_and_without_commas(street):
    """Keys go to the server as one comma-joined string, except where a key
    holds a comma itself."""
    from tests.factories import EnterpriseFactory

    plain = EnterpriseFactory(street=street, name="甲有限公司")
    comma = EnterpriseFactory(street=street, name="乙,丙有限公司")
    table = Enterprise._meta.db_table
    assert select_by_keys("name, id", table, "name", ["甲有限公司"]) == [("甲有限公司", plain.pk)]
    assert sorted(select_by_keys("id", table, "name", ["甲有限公司", "乙,丙有限公司"])) == sorted(
        [(plain.pk,), (comma.pk,)]
    )
    assert select_by_keys("name", table, "id", [comma.pk, plain.pk + comma.pk + 1]) == [("乙,丙有限公司",)]
