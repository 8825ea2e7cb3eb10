"""The survey import over encrypted phones: what it writes by COPY is
ciphertext, a re-import still tells unchanged from changed, its preview
and undo data hold no phone in clear, and a rollback restores the number."""

from django.db import connection

from orgs.models import Enterprise, EnterpriseSurvey, ImportBatch
from surveys.export import ledger_xlsx
from surveys.rollback import survey_batch_rollback
from surveys.services import survey_import
from tests.helpers.survey_files import survey_row, write_xlsx

YEAR = 2026
OLD, NEW = "13812345678", "13987654321"


def run(path, **kwargs):
    kwargs.setdefault("year", YEAR)
    kwargs.setdefault("by", None)
    return survey_import(path=path, **kwargs)


def _raw(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_imported_phones_are_ciphertext_and_a_reimport_is_unchanged(world, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [survey_row(i, "甲街道") for i in range(3)])
    first = run(path)
    assert first.created == 3
    for table in ("orgs_enterprise", "orgs_enterprisesurvey"):
        imported = [v for v in _raw(table) if v]
        assert len(imported) == 3 and all(v.startswith("gAAAAA") and OLD not in v for v in imported)
    assert set(Enterprise.objects.filter(name__startswith="测试排查企业").values_list("phone", flat=True)) == {OLD}
    again = run(path)
    assert (again.created, again.updated, again.unchanged, again.surveys_written) == (0, 0, 3, 0)


def test_a_changed_phone_is_detected_masked_in_the_preview_and_rolled_back(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道"), survey_row(2, "甲街道")]))
    changed = run(
        write_xlsx(tmp_path / "b.xlsx", [survey_row(1, "甲街道", **{"联系电话": NEW}), survey_row(2, "甲街道")])
    )
    assert (changed.updated, changed.unchanged) == (1, 1)
    (change,) = changed.changes
    assert change["diff"] == [["联系电话", "138****5678", "139****4321"]]
    code = survey_row(1, "")["统一社会信用代码"]
    assert Enterprise.objects.get(credit_code=code).phone == NEW
    assert EnterpriseSurvey.objects.get(enterprise__credit_code=code, year=YEAR).phone == NEW
    batch = ImportBatch.objects.get(pk=changed.batch)
    # Nothing the batch keeps holds either number in clear.
    assert OLD not in str(batch.undo) and NEW not in str(batch.undo)
    assert OLD not in str(batch.report) and NEW not in str(batch.report)
    survey_batch_rollback(batch=batch, by=None)
    assert Enterprise.objects.get(credit_code=code).phone == OLD
    assert EnterpriseSurvey.objects.get(enterprise__credit_code=code, year=YEAR).phone == OLD


def test_the_masked_ledger_export_imported_back_keeps_every_number(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(i, "甲街道", **{"联系电话": f"1380000000{i}"}) for i in range(3)]))
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger_xlsx(Enterprise.objects.all()))
    report = run(path)
    assert (report.created, report.updated, report.rejected) == (0, 0, [])
    assert sorted(Enterprise.objects.exclude(phone="").values_list("phone", flat=True)) == [
        f"1380000000{i}" for i in range(3)
    ]


def test_an_older_years_survey_keeps_its_own_phone(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道", **{"联系电话": NEW})]))
    older = run(write_xlsx(tmp_path / "b.xlsx", [survey_row(1, "甲街道")]), year=YEAR - 1)
    assert older.unchanged == 1
    code = survey_row(1, "")["统一社会信用代码"]
    assert Enterprise.objects.get(credit_code=code).phone == NEW
    assert EnterpriseSurvey.objects.get(enterprise__credit_code=code, year=YEAR - 1).phone == OLD
    assert all(v.startswith("gAAAAA") for v in _raw("orgs_enterprisesurvey") if v)


def test_a_reimport_decrypts_each_phone_once(world, tmp_path, monkeypatch):
    import surveys.sql

    path = write_xlsx(
        tmp_path / "s.xlsx", [survey_row(i, "甲街道", **{"联系电话": f"1380000000{i}"}) for i in range(3)]
    )
    run(path)
    seen: list[str] = []
    real = surveys.sql.decrypt_text

    def counting(token: str) -> str:
        seen.append(token)
        return real(token)

    monkeypatch.setattr(surveys.sql, "decrypt_text", counting)
    again = run(path)
    assert again.unchanged == 3
    # The ledger row and its snapshot share one ciphertext: three phones, three decryptions.
    assert len(seen) == 3
