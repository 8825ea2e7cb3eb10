"""The roster's domain rules (DESIGN.md §6): gender and birth date follow the
ID number, an applicant is 18, an activist is trained a year before becoming
a 发展对象, probation lasts a year. Each door (page, API, roster import,
admin) refuses a person who breaks one, names the field, and writes nothing."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.models import Member, MemberEvent, Stage
from members.rules import member_rule_errors
from members.services import member_create
from tests.factories import MemberFactory, UserFactory, make_id_number

MINOR_BIRTH = date(2015, 3, 1)

# name: (what the person says, the field refused, words of its message)
RULES = {
    "odd_17th_digit_saved_as_female": (
        {"id_number": make_id_number(777, gender="male"), "gender": "female"},
        "gender",
        "性别与身份证号不符：身份证号第17位为奇数，应为男",
    ),
    "even_17th_digit_saved_as_male": (
        {"id_number": make_id_number(777, gender="female"), "gender": "male"},
        "gender",
        "性别与身份证号不符：身份证号第17位为偶数，应为女",
    ),
    "born_2015_applying_in_2016": (
        {"id_number": make_id_number(777, MINOR_BIRTH, gender="male"), "applied_on": "2016-05-01"},
        "applied_on",
        "递交入党申请时须年满18周岁（出生日期2015-03-01）：递交入党申请日期不能早于2033-03-01",
    ),
    "activist_promoted_after_five_months": (
        {
            "stage": "candidate",
            "applied_on": "2023-01-10",
            "activist_on": "2024-03-01",
            "candidate_on": "2024-08-01",
        },
        "candidate_on",
        "入党积极分子须培养一年以上才能确定为发展对象：确定发展对象日期不能早于2025-03-01",
    ),
    "probation_of_seven_months": (
        {
            "stage": "formal",
            "applied_on": "2019-01-10",
            "activist_on": "2019-06-01",
            "candidate_on": "2020-06-01",
            "probationary_on": "2021-06-01",
            "formal_on": "2022-01-01",
        },
        "formal_on",
        "预备期为一年：转为正式党员日期不能早于2022-06-01",
    ),
}
RULE_CASES = [pytest.param(*case, id=name) for name, case in RULES.items()]


def _person(**over) -> dict:
    """A valid applicant of organization A, as the page posts it."""
    data = {
        "name": "王新",
        "id_number": make_id_number(777, gender="male"),
        "gender": "male",
        "phone": "13912345678",
        "stage": "applicant",
        "applied_on": "2025-03-01",
        "mobility": "",
    }
    data.update(over)
    return data


@pytest.fixture
def nothing_written():
    members, events = Member.objects.count(), MemberEvent.objects.count()
    yield
    assert not Member.objects.filter(name="王新").exists()
    assert (Member.objects.count(), MemberEvent.objects.count()) == (members, events)


def test_a_valid_person_passes_every_door(world, login, api):
    """The base person of the cases below is accepted, so each refusal is the rule's."""
    assert member_rule_errors(Member(**{**_person(), "applied_on": date(2025, 3, 1)})) == {}
    response = login(world.secretary_a).post(reverse("members:create"), {**_person(), "organization": world.org_a.pk})
    assert response.status_code == 302
    response = api(world.secretary_a).post(
        "/api/v1/members/",
        {**_person(name="王二", id_number=make_id_number(778, gender="male")), "organization": world.org_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.content


# --- the roster page -------------------------------------------------------


@pytest.mark.parametrize(("over", "field", "message"), RULE_CASES)
def test_page_refuses_naming_the_field(world, login, nothing_written, over, field, message):
    response = login(world.secretary_a).post(
        reverse("members:create"), {**_person(**over), "organization": world.org_a.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]


def test_page_edit_refuses_a_gender_the_id_number_contradicts(world, login):
    member = world.member_a
    wrong = "female" if member.gender == "male" else "male"
    data = {
        "name": member.name,
        "gender": wrong,
        "id_number": "",
        "phone": "",
        "stage": "formal",
        "mobility": "",
        **{f: getattr(member, f).isoformat() for f in ("applied_on", "activist_on", "candidate_on")},
        **{f: getattr(member, f).isoformat() for f in ("probationary_on", "formal_on")},
    }
    response = login(world.secretary_a).post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 200
    assert "性别与身份证号不符" in response.context["form"].errors["gender"][0]
    member.refresh_from_db()
    assert member.gender != wrong


def test_page_edit_of_the_id_number_brings_its_birth_date(world, login):
    """The form has no birth date: a new ID number states it, and the member
    keeps no birth date the number contradicts."""
    member = world.member_a
    number = make_id_number(321, date(1990, 2, 3), gender=member.gender)
    data = {
        "name": member.name,
        "gender": member.gender,
        "id_number": number,
        "phone": "",
        "stage": "formal",
        "mobility": "",
        **{f: getattr(member, f).isoformat() for f in ("applied_on", "activist_on", "candidate_on")},
        **{f: getattr(member, f).isoformat() for f in ("probationary_on", "formal_on")},
    }
    response = login(world.secretary_a).post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.birth_date) == (number, date(1990, 2, 3))
    assert member_rule_errors(member) == {}


def test_page_advance_of_an_activist_after_five_months_is_refused(world, login):
    today = timezone.localdate()
    activist = MemberFactory(
        organization=world.org_a,
        stage=Stage.ACTIVIST,
        applied_on=today - timedelta(days=400),
        activist_on=today - timedelta(days=150),
        candidate_on=None,
        probationary_on=None,
        formal_on=None,
    )
    events = MemberEvent.objects.count()
    response = login(world.secretary_a).post(
        reverse("members:advance", args=[activist.pk]), {"on": today.isoformat()}, follow=True
    )
    assert "入党积极分子须培养一年以上才能确定为发展对象" in response.content.decode()
    activist.refresh_from_db()
    assert (activist.stage, activist.candidate_on) == (Stage.ACTIVIST, None)
    assert MemberEvent.objects.count() == events
    # A year and a day later it is allowed.
    activist.activist_on = today - timedelta(days=366)
    activist.save()
    login(world.secretary_a).post(reverse("members:advance", args=[activist.pk]), {"on": today.isoformat()})
    activist.refresh_from_db()
    assert activist.stage == Stage.CANDIDATE


# --- the API ---------------------------------------------------------------

BIRTH_DATE_CASE = pytest.param(
    {"birth_date": "1990-01-01"},
    "birth_date",
    "出生日期与身份证号不符：身份证号中的出生日期为1985-06-15",
    id="birth_date",
)
MINOR_ACTIVIST_CASE = pytest.param(
    {
        "id_number": make_id_number(777, MINOR_BIRTH, gender="male"),
        "stage": "activist",
        "applied_on": None,
        "activist_on": "2016-05-01",
    },
    "activist_on",
    "递交入党申请时须年满18周岁（出生日期2015-03-01）：确定积极分子日期不能早于2033-03-01",
    id="minor_activist_with_no_application_date",
)


FUTURE_BIRTH_CASE = pytest.param(
    {"id_number": make_id_number(777, date(9990, 1, 1), gender="male")},
    "id_number",
    "身份证号中的出生日期（9990-01-01）晚于今天",
    id="birth_in_the_future",
)


@pytest.mark.parametrize(
    ("over", "field", "message"), [*RULE_CASES, BIRTH_DATE_CASE, MINOR_ACTIVIST_CASE, FUTURE_BIRTH_CASE]
)
def test_api_refuses_naming_the_field(world, api, nothing_written, over, field, message):
    response = api(world.secretary_a).post(
        "/api/v1/members/", {**_person(**over), "organization": world.org_a.pk}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field] == [message]


# --- the roster import -----------------------------------------------------

COLUMNS = {
    "name": "姓名",
    "gender": "性别",
    "id_number": "身份证号",
    "stage": "发展阶段",
    "applied_on": "递交入党申请日期",
    "activist_on": "确定积极分子日期",
    "candidate_on": "确定发展对象日期",
    "probationary_on": "接收预备党员日期",
    "formal_on": "转为正式党员日期",
}
LABELS = {**dict(Member.Gender.choices), **dict(Stage.choices)}


def _roster(*people: dict) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS.values()))
    for person in people:
        sheet.append([str(LABELS.get(person.get(f), person.get(f) or "")) for f in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


@pytest.mark.parametrize(("over", "field", "message"), RULE_CASES)
def test_roster_import_refuses_the_file_naming_row_and_column(world, login, nothing_written, over, field, message):
    good = _person(name="赵一", id_number=make_id_number(501, gender="male"))
    upload = _roster(good, _person(**over))
    response = login(world.secretary_a).post(
        reverse("members:import"), {"organization": world.org_a.pk, "file": upload}
    )
    assert response.context["report"]["errors"] == [{"row": 3, "column": COLUMNS[field], "message": message}]
    assert "未导入任何数据" in response.content.decode()
    assert not Member.objects.filter(name="赵一").exists()


# --- the admin -------------------------------------------------------------


def test_admin_cannot_write_a_member_at_all(world, client, nothing_written):
    """Members are kept through the roster page, the API and the import
    (whose services ask the rules); the admin reads them and writes none,
    so no person gets past the rules there, not even a superuser's."""
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    wrong = {**_person(**RULES["odd_17th_digit_saved_as_female"][0]), "organization": world.org_a.pk}
    assert client.get(reverse("admin:members_member_add")).status_code == 403
    assert client.post(reverse("admin:members_member_add"), wrong).status_code == 403
    change = reverse("admin:members_member_change", args=[world.member_a.pk])
    before = Member.objects.values().get(pk=world.member_a.pk)
    client.post(change, {**wrong, "name": "改名"})
    assert Member.objects.values().get(pk=world.member_a.pk) == before


# --- the rule itself, at its edges -------------------------------------------


def _create(world, **over):
    fields = dict(organization=world.org_a, by=world.secretary_a, **_person())
    fields.pop("mobility")
    fields.update(over)
    return member_create(**fields)


def test_eighteenth_birthday_is_old_enough_the_day_before_is_not(world):
    number = make_id_number(610, date(2000, 3, 1), gender="male")
    with pytest.raises(ValidationError) as exc:
        _create(world, id_number=number, applied_on=date(2018, 2, 28))
    assert "须年满18周岁" in exc.value.message_dict["applied_on"][0]
    assert not Member.objects.filter(name="王新").exists()
    assert _create(world, id_number=number, applied_on=date(2018, 3, 1)).birth_date == date(2000, 3, 1)


def test_exactly_a_year_as_activist_and_on_probation_is_enough(world):
    member = _create(
        world,
        stage=Stage.FORMAL,
        applied_on=date(2019, 1, 10),
        activist_on=date(2019, 2, 28),
        candidate_on=date(2020, 2, 28),
        probationary_on=date(2020, 2, 29),
        formal_on=date(2021, 2, 28),
    )
    assert member.stage == Stage.FORMAL
    with pytest.raises(ValidationError) as exc:
        _create(
            world,
            id_number=make_id_number(611, gender="male"),
            stage=Stage.CANDIDATE,
            applied_on=date(2019, 1, 10),
            activist_on=date(2019, 3, 1),
            candidate_on=date(2020, 2, 29),
        )
    assert "candidate_on" in exc.value.message_dict


def test_every_broken_rule_is_reported_at_once(world):
    with pytest.raises(ValidationError) as exc:
        _create(
            world,
            id_number=make_id_number(612, MINOR_BIRTH, gender="male"),
            gender="female",
            birth_date=date(2015, 3, 2),
            stage=Stage.FORMAL,
            applied_on=date(2016, 1, 1),
            activist_on=date(2016, 6, 1),
            candidate_on=date(2016, 9, 1),
            probationary_on=date(2017, 1, 1),
            formal_on=date(2017, 6, 1),
        )
    assert set(exc.value.message_dict) == {"gender", "birth_date", "applied_on", "candidate_on", "formal_on"}
