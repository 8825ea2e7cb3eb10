"""Rolling back a committed survey batch: the state before the import comes
back exactly, one audit entry records it, a row referenced elsewhere refuses
the whole rollback with nothing changed, and only the batch's importers may
start it (everyone else gets 404). Tasks run inline in tests."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.db.models import ForeignKey, OneToOneField
from django.urls import reverse

from activities.models import ActivityType
from alliances.models import Alliance, JointActivity
from core.errors import ApplicationError
from orgs.models import (
    Enterprise,
    EnterpriseSurvey,
    ImportBatch,
    InstructorAssignment,
    PartyOrganization,
    Region,
)
from surveys.report import FACTS
from surveys.rollback import (
    CASCADED,
    REFUSED_BY_CONSTRAINT,
    UNDONE,
    survey_batch_rollback,
    survey_batch_rollback_run,
    survey_batch_rollback_start,
)
from surveys.services import survey_import
from tests.factories import MemberFactory
from tests.helpers.survey_files import survey_row, write_xlsx

YEAR = 2026
REFUSED = "已被其他记录"


def run(path, **kwargs):
    kwargs.setdefault("year", YEAR)
    kwargs.setdefault("by", None)
    return survey_import(path=path, **kwargs)


def state() -> dict:
    """Every row a survey import writes, as comparable values."""
    through = PartyOrganization.enterprises.through
    return {
        "enterprises": sorted(Enterprise.objects.values_list("id", "credit_code", "latest_survey_year", *FACTS)),
        "surveys": sorted(EnterpriseSurvey.objects.values_list("id", "enterprise_id", "year", "batch_id", *FACTS)),
        "organizations": sorted(PartyOrganization.objects.values_list("id", "name", "street_id")),
        "links": sorted(through.objects.values_list("partyorganization_id", "enterprise_id")),
        "assignments": sorted(InstructorAssignment.objects.values_list("id", "enterprise_id")),
        "regions": sorted(Region.objects.values_list("id", "name", "parent_id")),
    }


def first_import_rows(world) -> list[dict]:
    return [
        survey_row(1, "甲街道", **{"是否选派党建指导员": "是"}),  # its own new organization, an instructor
        survey_row(2, "甲街道", **{"党组织名称": world.org_a.name}),  # linked to a recorded organization
        survey_row(3, "甲街道", **{"党组织名称": ""}),  # a placeholder organization
        survey_row(4, "新建街道", **{"所属园区": "新建园区"}),  # a new street and park
        survey_row(5, "乙街道", **{"党组织设置情况": "未建", "党组织名称": ""}),
    ]


def test_rollback_of_a_first_import_restores_the_state_before(world, tmp_path):
    before = state()
    report = run(write_xlsx(tmp_path / "a.xlsx", first_import_rows(world)), create_streets=True)
    assert report.created == 5 and report.assignments_created == 1 and report.streets_created == ["新建街道"]
    imported = state()
    assert all(len(imported[k]) > len(before[k]) for k in before)
    entries = LogEntry.objects.count()

    batch = survey_batch_rollback(batch=ImportBatch.objects.get(pk=report.batch), by=world.district)

    assert state() == before
    assert batch.status == ImportBatch.Status.ROLLED_BACK and batch.rolled_back_at is not None
    # One audit entry for the whole batch, saying what was undone.
    assert LogEntry.objects.count() == entries + 1
    entry = LogEntry.objects.latest("pk")
    assert entry.changes_dict["event"] == "survey_rolled_back" and entry.actor == world.district
    assert entry.changes_dict["enterprises_deleted"] == 5
    assert entry.changes_dict["surveys_deleted"] == 5
    assert entry.changes_dict["organizations_deleted"] == 3
    assert entry.changes_dict["links_deleted"] == 4
    assert entry.changes_dict["assignments_deleted"] == 1
    assert entry.changes_dict["regions_deleted"] == 2


def test_rollback_of_a_second_import_restores_previous_values(world, tmp_path):
    rows = [survey_row(i, "甲街道") for i in range(3)]
    first = run(write_xlsx(tmp_path / "a.xlsx", rows))
    after_first = state()
    changed = [
        survey_row(0, "甲街道", **{"从业人员数": 99, "联系电话": "13900001111", "企业名称": "改名企业有限公司"}),
        survey_row(1, "甲街道", **{"是否规上企业": "是", "年营业收入(万元)": "999.9"}),
        survey_row(2, "甲街道"),  # unchanged
        survey_row(7, "甲街道"),  # new
        survey_row(8, "甲街道", **{"统一社会信用代码": world.enterprise_a.credit_code, "企业名称": "甲企业有限公司"}),
    ]
    second = run(write_xlsx(tmp_path / "b.xlsx", changed))
    assert (second.created, second.updated, second.unchanged) == (1, 3, 1)
    assert Enterprise.objects.get(name="改名企业有限公司").phone == "13900001111"
    assert EnterpriseSurvey.objects.filter(batch_id=second.batch).count() == 4

    survey_batch_rollback(batch=ImportBatch.objects.get(pk=second.batch), by=None)

    assert state() == after_first
    assert Enterprise.objects.get(credit_code=rows[0]["统一社会信用代码"]).phone == "13812345678"
    assert set(EnterpriseSurvey.objects.values_list("batch_id", flat=True)) == {first.batch}
    assert ImportBatch.objects.get(pk=first.batch).status == ImportBatch.Status.COMMITTED


def test_a_referenced_organization_refuses_the_whole_rollback(world, tmp_path, login):
    report = run(write_xlsx(tmp_path / "a.xlsx", first_import_rows(world)), create_streets=True)
    MemberFactory(organization=PartyOrganization.objects.get(name="中共测试排查企业1支部委员会"))
    before, entries = state(), LogEntry.objects.count()
    batch = ImportBatch.objects.get(pk=report.batch)

    with pytest.raises(ApplicationError, match=REFUSED):
        survey_batch_rollback(batch=batch, by=world.district)

    assert state() == before and LogEntry.objects.count() == entries
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and REFUSED in batch.report["error"]
    page = login(world.district).get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert REFUSED in page and "撤销此批次" in page


def test_an_organization_that_attended_a_joint_activity_refuses_the_rollback(world, tmp_path):
    report = run(write_xlsx(tmp_path / "a.xlsx", first_import_rows(world)), create_streets=True)
    alliance = Alliance.objects.create(
        name="甲街道产业链党建联盟",
        chain="装备制造",
        lead_kind=Alliance.LeadKind.ENTERPRISE,
        lead_enterprise=world.enterprise_a,
        lead_organization=world.org_a,
        first_secretary="王立新",
        secretary_general="孙丽",
        founded_on=date(2026, 1, 1),
        region=world.street_a,
    )
    activity = JointActivity.objects.create(
        alliance=alliance, held_on=date(2026, 3, 1), title="联合主题党日", activity_type=ActivityType.THEME_DAY
    )
    activity.organizations.add(world.org_a, PartyOrganization.objects.get(name="中共测试排查企业1支部委员会"))
    before = state()
    batch = ImportBatch.objects.get(pk=report.batch)

    with pytest.raises(ApplicationError, match=REFUSED):
        survey_batch_rollback(batch=batch, by=world.district)

    assert state() == before
    assert activity.organizations.count() == 2


def test_a_referenced_enterprise_refuses_the_rollback_from_the_page(world, tmp_path, login):
    report = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道"), survey_row(2, "甲街道")]))
    MemberFactory(organization=world.org_a, enterprise=Enterprise.objects.get(name="测试排查企业2有限公司"))
    before = state()
    client = login(world.district)

    response = client.post(reverse("orgs:survey_batch_rollback", args=[report.batch]))

    assert response.status_code == 302
    assert state() == before
    batch = ImportBatch.objects.get(pk=report.batch)
    assert batch.status == ImportBatch.Status.COMMITTED and REFUSED in batch.report["error"]
    assert REFUSED in client.get(response["Location"]).content.decode()
    # Once the member is elsewhere, the rollback goes through and the message goes.
    Enterprise.objects.get(name="测试排查企业2有限公司").members.update(enterprise=world.enterprise_a)
    client.post(reverse("orgs:survey_batch_rollback", args=[report.batch]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK and "error" not in batch.report


@pytest.mark.parametrize("role", ["secretary_a", "leader", "instructor"])
def test_others_get_404_and_nothing_changes(world, tmp_path, login, role):
    report = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    response = login(getattr(world, role)).post(reverse("orgs:survey_batch_rollback", args=[report.batch]))
    assert response.status_code == 404
    assert ImportBatch.objects.get(pk=report.batch).status == ImportBatch.Status.COMMITTED
    assert Enterprise.objects.filter(name="测试排查企业1有限公司").exists()


def test_broker_down_leaves_the_batch_committed_with_a_message(world, tmp_path, login, monkeypatch):
    from core import jobs

    def refuse(task, *args, **kwargs):
        raise jobs.JobNotQueued("后台任务队列暂时无法连接")

    monkeypatch.setattr(jobs, "send", refuse)
    report = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    client = login(world.district)
    response = client.post(reverse("orgs:survey_batch_rollback", args=[report.batch]), follow=True)
    assert "后台任务队列暂时无法连接" in response.content.decode()
    assert ImportBatch.objects.get(pk=report.batch).status == ImportBatch.Status.COMMITTED
    assert Enterprise.objects.filter(name="测试排查企业1有限公司").exists()


def test_street_staff_cannot_undo_a_district_batch(world, tmp_path):
    report = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    batch = ImportBatch.objects.get(pk=report.batch)
    with pytest.raises(ApplicationError):
        survey_batch_rollback_start(batch=batch, by=world.street_a_staff)
    assert ImportBatch.objects.get(pk=report.batch).status == ImportBatch.Status.COMMITTED


def test_the_page_shows_progress_while_rolling_back(world, tmp_path, login):
    report = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    batch = survey_batch_rollback_start(batch=ImportBatch.objects.get(pk=report.batch), by=world.district)
    assert (batch.status, batch.progress, batch.progress_note) == ("rolling_back", 0, "等待撤销")
    client = login(world.district)
    page = client.get(reverse("orgs:survey_batch", args=[batch.pk])).content.decode()
    assert "撤销中" in page and "hx-trigger" in page and "撤销此批次" not in page
    # A second click is refused while the first one runs.
    with pytest.raises(ApplicationError, match="只有已导入的批次可以撤销"):
        survey_batch_rollback_start(batch=batch, by=world.district)

    survey_batch_rollback_run(batch=batch, by=world.district)
    done = client.get(reverse("orgs:survey_batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    # A task delivered twice finds nothing left to do.
    entries = LogEntry.objects.count()
    assert survey_batch_rollback_run(batch=batch, by=None).status == ImportBatch.Status.ROLLED_BACK
    assert LogEntry.objects.count() == entries


def test_a_later_import_while_waiting_refuses_the_rollback(world, tmp_path):
    first = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    batch = survey_batch_rollback_start(batch=ImportBatch.objects.get(pk=first.batch), by=None)
    run(write_xlsx(tmp_path / "b.xlsx", [survey_row(1, "甲街道", **{"从业人员数": 77})]))
    with pytest.raises(ApplicationError, match="请先撤销较晚的批次"):
        survey_batch_rollback_run(batch=batch, by=None)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and "较晚" in batch.report["error"]
    assert Enterprise.objects.get(name="测试排查企业1有限公司").employees == 77


def test_an_earlier_batch_waits_for_a_later_one_being_rolled_back(world, tmp_path):
    first = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    second = run(write_xlsx(tmp_path / "b.xlsx", [survey_row(2, "甲街道")]))
    later = survey_batch_rollback_start(batch=ImportBatch.objects.get(pk=second.batch), by=None)
    with pytest.raises(ApplicationError, match="请先撤销较晚的批次"):
        survey_batch_rollback_start(batch=ImportBatch.objects.get(pk=first.batch), by=None)
    survey_batch_rollback_run(batch=later, by=None)
    assert survey_batch_rollback(batch=ImportBatch.objects.get(pk=first.batch), by=None).status == "rolled_back"
    assert not Enterprise.objects.filter(name__startswith="测试排查企业").exists()


def test_a_rollback_whose_worker_is_gone_or_never_came_is_committed_again(world, tmp_path, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core import jobs

    report = run(write_xlsx(tmp_path / "a.xlsx", [survey_row(1, "甲街道")]))
    batch = survey_batch_rollback_start(batch=ImportBatch.objects.get(pk=report.batch), by=None)
    # Taken by a worker that died an hour ago (its transaction with it).
    long_ago = timezone.now() - timedelta(hours=2)
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=long_ago, heartbeat_at=long_ago)
    assert jobs.sweep()["survey_rollbacks"] == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and "中途停止" in batch.report["error"]
    assert Enterprise.objects.filter(name="测试排查企业1有限公司").exists()
    # Sent, but no worker ever took it.
    batch = survey_batch_rollback_start(batch=batch, by=None)
    assert jobs.sweep()["survey_rollbacks"] == 0  # not waiting long yet
    ImportBatch.objects.filter(pk=batch.pk).update(queued_at=timezone.now() - timedelta(days=1))
    assert jobs.sweep()["survey_rollbacks"] == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and "仍未开始" in batch.report["error"]
    # Then it can be rolled back.
    assert survey_batch_rollback(batch=batch, by=None).status == ImportBatch.Status.ROLLED_BACK


def test_every_relation_to_what_a_rollback_deletes_is_decided():
    """A new model pointing at an enterprise, organization, snapshot, region
    or assignment must be either refused by the database (PROTECT, with a
    constraint), deleted along by the rollback (CASCADED), or left to the
    database's foreign key to refuse (REFUSED_BY_CONSTRAINT)."""
    from django.db.models import PROTECT

    for model in UNDONE:
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and rel.is_relation) or rel.many_to_many:
                continue
            name = f"{rel.related_model._meta.label}.{rel.field.name}"
            assert isinstance(rel.field, ForeignKey | OneToOneField), name
            assert rel.field.db_constraint, name
            assert rel.on_delete is PROTECT or name in CASCADED | REFUSED_BY_CONSTRAINT, name
