"""Roster pages: scope, privacy, development stages, events, transfers, import/export."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.models import Member, MemberEvent, Stage, Transfer
from tests.factories import MemberFactory, make_id_number
from tests.helpers.records import member_form_data


def test_roster_is_scoped_and_masked(world, login):
    body = login(world.secretary_b).get(reverse("members:list")).content.decode()
    assert "李乙" in body and "张甲" not in body
    assert world.member_b.id_number not in body and world.member_b.id_number_masked in body


def test_outsider_gets_404_on_member_pages(world, login):
    client = login(world.secretary_b)
    pk = world.member_a.pk
    for name in ("members:detail", "members:edit"):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    for name in ("members:reveal", "members:advance", "members:event", "members:transfer"):
        assert client.post(reverse(name, args=[pk]), {"field": "id_number"}).status_code == 404


def test_secretary_adds_member(world, login):
    response = login(world.secretary_a).post(reverse("members:create"), member_form_data(world))
    member = Member.objects.get(name="王新")
    assert response.status_code == 302 and member.organization == world.org_a
    assert member.events.filter(kind=MemberEvent.Kind.JOINED).exists()


def test_duplicate_id_is_refused_with_where_it_lives(world, login):
    response = login(world.secretary_a).post(
        reverse("members:create"),
        member_form_data(world, id_number=world.member_b.id_number, gender=world.member_b.gender),
    )
    body = response.content.decode()
    assert "中共乙企业支部委员会" in body and "同一人不能同时在两个党组织" in body
    assert not Member.objects.filter(name="王新").exists()


def test_stage_dates_out_of_order_on_the_form(world, login):
    response = login(world.secretary_a).post(
        reverse("members:create"),
        member_form_data(world, stage="activist", applied_on="2025-03-01", activist_on="2024-01-01"),
    )
    assert "不能早于" in response.content.decode()
    assert not Member.objects.filter(name="王新").exists()


def test_reveal_is_audited_and_refused_to_street_staff(world, login, client):
    login(world.secretary_a)
    response = client.post(reverse("members:reveal", args=[world.member_a.pk]), {"field": "id_number"})
    assert world.member_a.id_number in response.content.decode()
    assert LogEntry.objects.filter(changes__icontains="member_reveal", actor=world.secretary_a).exists()
    login(world.street_a_staff)
    response = client.post(reverse("members:reveal", args=[world.member_a.pk]), {"field": "id_number"})
    assert response.status_code == 403
    assert (
        world.member_a.id_number not in client.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    )


def test_advance_stage_in_order_and_probation_of_one_year(world, login, client):
    applicant = MemberFactory(
        organization=world.org_a,
        stage=Stage.PROBATIONARY,
        formal_on=None,
        probationary_on=timezone.localdate() - timedelta(days=100),
    )
    login(world.secretary_a)
    response = client.post(
        reverse("members:advance", args=[applicant.pk]), {"on": timezone.localdate().isoformat()}, follow=True
    )
    assert "预备期为一年" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.stage == Stage.PROBATIONARY
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(reverse("members:advance", args=[applicant.pk]), {"on": future}, follow=True)
    assert "日期不能晚于今天" in response.content.decode()
    applicant.probationary_on = timezone.localdate() - timedelta(days=400)
    applicant.save()
    client.post(reverse("members:advance", args=[applicant.pk]), {"on": timezone.localdate().isoformat()})
    applicant.refresh_from_db()
    assert applicant.stage == Stage.FORMAL and applicant.events.filter(kind=MemberEvent.Kind.STAGE).exists()


def test_advance_before_previous_stage_date_is_refused(world, login):
    applicant = MemberFactory(
        organization=world.org_a,
        stage=Stage.APPLICANT,
        applied_on=date(2025, 5, 1),
        activist_on=None,
        candidate_on=None,
        probationary_on=None,
        formal_on=None,
    )
    response = login(world.secretary_a).post(
        reverse("members:advance", args=[applicant.pk]), {"on": "2025-04-01"}, follow=True
    )
    assert "不能早于" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.stage == Stage.APPLICANT and applicant.activist_on is None


def test_departure_is_an_event_not_a_deletion(world, login, client):
    login(world.secretary_a)
    response = client.post(
        reverse("members:event", args=[world.member_a.pk]),
        {"kind": "deceased", "on": "2026-01-02", "reason": ""},
        follow=True,
    )
    assert "请填写原因" in response.content.decode()
    client.post(
        reverse("members:event", args=[world.member_a.pk]), {"kind": "deceased", "on": "2026-01-02", "reason": "病故"}
    )
    world.member_a.refresh_from_db()
    assert world.member_a.status == Member.Status.LEFT and world.member_a.left_on == date(2026, 1, 2)
    client.post(reverse("members:event", args=[world.member_b.pk]), {"kind": "mobile_out", "on": "2026-01-02"})
    world.member_b.refresh_from_db()
    assert world.member_b.mobility == ""  # outside scope: nothing written


def test_mobility_and_reveal_events(world, login, client):
    login(world.secretary_a)
    client.post(reverse("members:event", args=[world.member_a.pk]), {"kind": "mobile_in", "on": "2026-01-02"})
    client.post(reverse("members:event", args=[world.member_a.pk]), {"kind": "revealed", "on": "2026-01-02"})
    world.member_a.refresh_from_db()
    assert world.member_a.mobility == "inflow" and world.member_a.identity_revealed


def test_transfer_request_and_confirm_moves_membership(world, login, client):
    login(world.secretary_a)
    client.post(
        reverse("members:transfer", args=[world.member_a.pk]), {"to_organization": world.org_b.pk, "reason": "调动"}
    )
    transfer = Transfer.objects.get()
    assert transfer.status == Transfer.Status.REQUESTED
    # The sender cannot confirm their own request.
    response = client.post(reverse("members:transfer_confirm", args=[transfer.pk]), follow=True)
    assert "只有接收党组织" in response.content.decode()
    # A second open request for the same member is refused.
    response = client.post(
        reverse("members:transfer", args=[world.member_a.pk]), {"to_organization": world.org_b.pk}, follow=True
    )
    assert "已有一条待接收" in response.content.decode()
    login(world.secretary_b)
    assert "张甲" in client.get(reverse("members:transfers")).content.decode()
    client.post(reverse("members:transfer_confirm", args=[transfer.pk]))
    world.member_a.refresh_from_db()
    transfer.refresh_from_db()
    assert world.member_a.organization == world.org_b and transfer.status == Transfer.Status.CONFIRMED
    kinds = set(world.member_a.events.values_list("kind", flat=True))
    assert {MemberEvent.Kind.TRANSFER_OUT, MemberEvent.Kind.TRANSFER_IN} <= kinds
    assert client.get(reverse("members:detail", args=[world.member_a.pk])).status_code == 200


def test_transfer_outsider_gets_404(world, login, client):
    transfer = Transfer.objects.create(
        member=world.member_a,
        from_organization=world.org_a,
        to_organization=world.org_b,
        requested_by=world.secretary_a,
    )
    from tests.factories import OrganizationFactory, UserFactory, grant

    stranger = grant(UserFactory(), "secretary", organization=OrganizationFactory(street=world.street_b))
    login(stranger)
    assert client.post(reverse("members:transfer_confirm", args=[transfer.pk])).status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED


def _sheet(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "姓名",
            "性别",
            "身份证号",
            "手机号",
            "发展阶段",
            "递交入党申请日期",
            "确定积极分子日期",
            "接收预备党员日期",
            "转为正式党员日期",
            "确定发展对象日期",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


def test_import_writes_valid_file(world, login):
    upload = _sheet(
        [["赵一", "男", make_id_number(501), "13900000001", "入党申请人", "2025-01-02", None, None, None, None]]
    )
    response = login(world.secretary_a).post(
        reverse("members:import"), {"organization": world.org_a.pk, "file": upload}
    )
    assert "已导入 1 名党员" in response.content.decode()
    assert Member.objects.get(name="赵一").organization == world.org_a


def test_import_with_bad_rows_writes_nothing_and_names_rows(world, login):
    upload = _sheet(
        [
            ["赵一", "男", make_id_number(501), "", "入党申请人", "2025-01-02", None, None, None, None],
            ["钱二", "男", "210204198506150011", "", "入党申请人", "2025-01-02", None, None, None, None],
            [
                "孙三",
                world.member_b.get_gender_display(),
                world.member_b.id_number,
                "",
                "正式党员",
                "2010-01-01",
                "2010-06-01",
                "2011-09-01",
                "2012-09-01",
                "2011-06-01",
            ],
            ["李四", "男", make_id_number(503), "", "入党积极分子", "2025-05-01", "2025-01-01", None, None, None],
        ]
    )
    body = (
        login(world.secretary_a)
        .post(reverse("members:import"), {"organization": world.org_a.pk, "file": upload})
        .content.decode()
    )
    assert "未导入任何数据" in body
    assert "校验位" in body and "中共乙企业支部委员会" in body and "不能早于" in body
    assert not Member.objects.filter(name__in=["赵一", "钱二", "孙三", "李四"]).exists()


def test_import_refuses_unreadable_file(world, login):
    upload = SimpleUploadedFile("roster.xlsx", b"not a spreadsheet")
    body = (
        login(world.secretary_a)
        .post(reverse("members:import"), {"organization": world.org_a.pk, "file": upload})
        .content.decode()
    )
    assert "无法读取该文件" in body


def test_import_into_another_org_is_refused(world, login):
    upload = _sheet([["赵一", "男", make_id_number(501), "", "入党申请人", "2025-01-02", None, None, None, None]])
    response = login(world.secretary_a).post(
        reverse("members:import"), {"organization": world.org_b.pk, "file": upload}
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Member.objects.filter(name="赵一").exists()


@pytest.mark.parametrize(("role", "whole"), [("secretary_a", True), ("district", True), ("street_a_staff", False)])
def test_export_masks_unless_allowed(world, login, role, whole):
    response = login(getattr(world, role)).get(reverse("members:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert "张甲" in values
    assert (world.member_a.id_number in values) is whole
    assert (world.member_a.id_number_masked in values) is not whole


def test_export_is_scoped(world, login):
    response = login(world.secretary_b).get(reverse("members:export"))
    values = [
        str(c.value) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row
    ]
    assert "李乙" in values and "张甲" not in values


def test_edit_keeps_id_when_left_empty_and_checks_a_new_one(world, login, client):
    login(world.secretary_a)
    url = reverse("members:edit", args=[world.member_a.pk])
    page = client.get(url).content.decode()
    assert world.member_a.id_number not in page and world.member_a.phone not in page
    data = {
        "name": "张甲改",
        "gender": world.member_a.gender,
        "id_number": "",
        "phone": "",
        "stage": "formal",
        "mobility": "",
        "applied_on": "2015-01-01",
        "activist_on": "2015-06-01",
        "candidate_on": "2016-06-01",
        "probationary_on": "2016-09-01",
        "formal_on": "2017-09-01",
    }
    assert client.post(url, data).status_code == 302
    world.member_a.refresh_from_db()
    assert world.member_a.name == "张甲改" and world.member_a.phone == "13812345678"
    response = client.post(url, {**data, "id_number": world.member_b.id_number})
    assert "中共乙企业支部委员会" in response.content.decode()
    world.member_a.refresh_from_db()
    assert world.member_a.id_number != world.member_b.id_number


def test_leader_reads_roster_but_cannot_edit(world, login):
    client = login(world.leader)
    assert client.get(reverse("members:detail", args=[world.member_a.pk])).status_code == 200
    assert client.get(reverse("members:edit", args=[world.member_a.pk])).status_code == 403
    assert client.get(reverse("members:create")).status_code == 404


def test_roster_page_does_not_grow_with_members(world, login, django_assert_max_num_queries):
    for _ in range(30):
        MemberFactory(organization=world.org_a)
    client = login(world.secretary_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("members:list")).status_code == 200


def test_search_by_whole_id_number_stays_in_scope(world, login):
    client = login(world.secretary_a)
    body = client.get(reverse("members:list"), {"q": world.member_a.id_number}).content.decode()
    assert "张甲" in body
    body = client.get(reverse("members:list"), {"q": world.member_b.id_number}).content.decode()
    assert "李乙" not in body


def test_probation_shorter_than_a_year_is_refused_on_the_form(world, login):
    response = login(world.secretary_a).post(
        reverse("members:create"),
        member_form_data(
            world,
            stage="formal",
            applied_on="2020-01-01",
            activist_on="2020-06-01",
            candidate_on="2021-01-01",
            probationary_on="2021-06-01",
            formal_on="2022-01-01",
        ),
    )
    assert "预备期为一年" in response.content.decode()
    assert not Member.objects.filter(name="王新").exists()
