"""Setting up pairings and logging visits: the happy path, and each refusal
in Chinese with nothing written."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.errors import ApplicationError
from members.models import Stage
from orgs.models import Role
from pairings.models import Pairing, PairingKind, SideKind, Visit, VisitPhoto
from pairings.services import pairing_create, pairing_set_active, visit_log, visit_photos_prepare, visit_settle
from tests.factories import MemberFactory, UserFactory, grant


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return SimpleUploadedFile("现场.jpg", out.getvalue(), content_type="image/jpeg")


def test_street_staff_set_up_a_department_pairing(world):
    pairing = pairing_create(
        by=world.street_a_staff,
        kind=PairingKind.DEPARTMENT_ENTERPRISE,
        side_kind=SideKind.DEPARTMENT,
        side_name="街道经济发展办",
        enterprise=world.enterprise_a,
        starts_on=date(2026, 1, 1),
        quota_per_quarter=3,
    )
    assert pairing.street == world.street_a
    assert str(pairing) == "街道经济发展办 → 甲企业有限公司"


def test_owner_name_defaults_to_the_ledger(world):
    world.enterprise_a.owner_name = "王业主"
    world.enterprise_a.save()
    pairing = pairing_create(
        by=world.district,
        kind=PairingKind.COMMITTEE_OWNER,
        side_kind=SideKind.MEMBER,
        side_member=world.member_a,
        enterprise=world.enterprise_a,
        starts_on=date(2026, 1, 1),
    )
    assert pairing.target_label == "王业主（甲企业有限公司）"


def test_leader_area_needs_a_leader_account(world):
    pairing = pairing_create(
        by=world.district,
        kind=PairingKind.LEADER_AREA,
        side_kind=SideKind.LEADER,
        side_user=world.leader,
        street=world.street_b,
        starts_on=date(2026, 1, 1),
    )
    assert pairing.target_label == "乙街道"
    with pytest.raises(ApplicationError) as exc:
        pairing_create(
            by=world.district,
            kind=PairingKind.LEADER_AREA,
            side_kind=SideKind.LEADER,
            side_user=world.secretary_a,
            street=world.street_b,
            starts_on=date(2026, 1, 1),
        )
    assert "领导包片的联系方须是领导账号" in _messages(exc.value)
    assert Pairing.objects.count() == 1


BAD_PAIRINGS = [
    ({"quota_per_quarter": -1}, "每季度联系次数不能小于0"),
    ({"ends_on": date(2025, 12, 31)}, "结束日期不能早于开始日期"),
    ({"side_kind": SideKind.MEMBER}, "“部门联企”的联系方应为"),
    ({"kind": PairingKind.MEMBER_HARDSHIP}, "“党员帮扶困难职工”的联系方应为"),
    ({"target_name": "张三"}, "联系对象是企业，不填写人员姓名"),
    ({"kind": PairingKind.INSTRUCTOR_ENTERPRISE}, "党建指导员联系企业请在“指导员选派”中登记"),
    ({"side_name": ""}, "请填写联系方（部门）"),
]


@pytest.mark.parametrize(("change", "message"), BAD_PAIRINGS)
def test_bad_pairings_are_refused_with_nothing_written(world, change, message):
    fields = {
        "kind": PairingKind.DEPARTMENT_ENTERPRISE,
        "side_kind": SideKind.DEPARTMENT,
        "side_name": "街道经济发展办",
        "enterprise": world.enterprise_a,
        "starts_on": date(2026, 1, 1),
        "quota_per_quarter": 1,
        **change,
    }
    with pytest.raises(ApplicationError) as exc:
        pairing_create(by=world.street_a_staff, **fields)
    assert message in _messages(exc.value)
    assert not Pairing.objects.exists()


def test_targets_must_fit_the_kind(world):
    formal = MemberFactory(organization=world.org_a, enterprise=world.enterprise_a, name="赵正式")
    with pytest.raises(ApplicationError) as exc:
        pairing_create(
            by=world.district,
            kind=PairingKind.MEMBER_CANDIDATE,
            side_kind=SideKind.MEMBER,
            side_member=world.member_a,
            target_member=formal,
            starts_on=date(2026, 1, 1),
        )
    assert "须是入党申请人、积极分子或发展对象" in _messages(exc.value)
    with pytest.raises(ApplicationError) as exc:
        pairing_create(
            by=world.district,
            kind=PairingKind.STATION_MOBILE,
            side_kind=SideKind.STATION,
            side_name="甲街道党群服务站",
            target_member=formal,
            starts_on=date(2026, 1, 1),
        )
    assert "须是登记的流动党员" in _messages(exc.value)
    assert not Pairing.objects.exists()
    candidate = MemberFactory(organization=world.org_a, enterprise=world.enterprise_a, stage=Stage.CANDIDATE)
    pairing = pairing_create(
        by=world.district,
        kind=PairingKind.MEMBER_CANDIDATE,
        side_kind=SideKind.MEMBER,
        side_member=world.member_a,
        target_member=candidate,
        starts_on=date(2026, 1, 1),
    )
    assert pairing.enterprise == world.enterprise_a and pairing.street == world.street_a


def test_other_streets_and_secretaries_cannot_set_up_pairings(world):
    fields = {
        "kind": PairingKind.DEPARTMENT_ENTERPRISE,
        "side_kind": SideKind.DEPARTMENT,
        "side_name": "部门",
        "enterprise": world.enterprise_b,
        "starts_on": date(2026, 1, 1),
    }
    with pytest.raises(PermissionDenied):
        pairing_create(by=world.street_a_staff, **fields)
    with pytest.raises(PermissionDenied):
        pairing_create(by=world.secretary_b, **fields)
    assert not Pairing.objects.exists()


def test_cadre_logs_a_visit_with_a_photo(world, pairing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photos = visit_photos_prepare(uploads=[_jpeg()])
    visit = visit_log(
        pairing=pairing,
        by=world.street_a_staff,
        visited_on=timezone.localdate(),
        kind=Visit.Kind.HELP,
        findings="企业反映招工难",
        follow_up="对接人社部门",
        problem_found=True,
        photos=photos,
    )
    photo = VisitPhoto.objects.get()
    assert photo.visit == visit and photo.file.name.startswith(f"pairings/{pairing.pk}/{visit.pk}/")
    assert photo.file.storage.exists(photo.file.name)
    settled = visit_settle(visit=visit, by=world.street_a_staff, settled_on=timezone.localdate())
    assert settled.settled_on == timezone.localdate()


def test_a_pdf_is_not_a_photo(world):
    pdf = SimpleUploadedFile(
        "a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf"
    )
    with pytest.raises(ApplicationError) as exc:
        visit_photos_prepare(uploads=[pdf])
    assert "只能上传照片" in _messages(exc.value)


def _bad_visit(world, pairing, **change):
    fields = {"visited_on": timezone.localdate(), "kind": Visit.Kind.VISIT, "findings": "了解经营情况", **change}
    with pytest.raises(ApplicationError) as exc:
        visit_log(pairing=pairing, by=world.street_a_staff, **fields)
    assert not Visit.objects.exists()
    return _messages(exc.value)


def test_bad_visits_are_refused_with_nothing_written(world, pairing):
    today = timezone.localdate()
    assert "联系日期不能晚于今天" in _bad_visit(world, pairing, visited_on=today + timedelta(days=1))
    assert "联系日期不在结对期限内" in _bad_visit(world, pairing, visited_on=date(2024, 12, 31))
    pairing.ends_on = today - timedelta(days=10)
    pairing.save()
    assert "联系日期不在结对期限内" in _bad_visit(world, pairing, visited_on=today - timedelta(days=5))
    pairing.ends_on = None
    pairing.save()
    assert "请填写了解情况" in _bad_visit(world, pairing, findings="  ")
    assert "未发现问题，不填写解决日期" in _bad_visit(world, pairing, settled_on=today)
    assert "问题解决日期不能早于联系日期" in _bad_visit(
        world, pairing, problem_found=True, settled_on=today - timedelta(days=1)
    )
    pairing_set_active(pairing=pairing, by=world.street_a_staff, active=False)
    assert "该结对已停用，不能登记联系记录" in _bad_visit(world, pairing)


def test_only_the_party_side_and_its_staff_log_visits(world, pairing):
    other_cadre = grant(UserFactory(), Role.STREET, region=world.street_b)
    for outsider in (other_cadre, world.secretary_a, world.leader):
        with pytest.raises(PermissionDenied):
            visit_log(
                pairing=pairing, by=outsider, visited_on=timezone.localdate(), kind=Visit.Kind.VISIT, findings="x"
            )
    assert not Visit.objects.exists()
