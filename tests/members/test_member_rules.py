"""Bad input for members: a clear Chinese message naming the field, nothing written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from members.models import Member, Stage
from members.services import member_create
from tests.factories import make_id_number


def _create(world, **overrides):
    fields = dict(
        organization=world.org_a,
        id_number=make_id_number(901),
        by=world.secretary_a,
        name="王五",
        gender=Member.Gender.MALE,
        stage=Stage.FORMAL,
        applied_on=date(2010, 1, 1),
        activist_on=date(2010, 6, 1),
        candidate_on=date(2011, 6, 1),
        probationary_on=date(2011, 9, 1),
        formal_on=date(2012, 9, 1),
    )
    fields.update(overrides)
    return member_create(**fields)


def test_valid_member_is_encrypted_at_rest_and_found_by_blind_index(world):
    member = _create(world, phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [member.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert member.id_number not in raw_id and "13912345678" not in raw_phone
    assert Member.objects.get(pk=member.pk).id_number == make_id_number(901)
    from members.selectors import member_by_id_number

    assert member_by_id_number(id_number=make_id_number(901).lower()) == member
    assert member.birth_date == date(1985, 6, 15)


def test_bad_id_number_names_the_field(world):
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(world, id_number="210204198506150011")
    assert "校验位" in exc.value.message_dict["id_number"][0]
    assert Member.objects.count() == before


def test_stage_dates_out_of_order_are_refused(world):
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(world, activist_on=date(2009, 1, 1))
    assert "不能早于" in exc.value.message_dict["activist_on"][0]
    assert Member.objects.count() == before


def test_current_stage_needs_its_date(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, formal_on=None)
    assert "formal_on" in exc.value.message_dict


def test_future_stage_date_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, formal_on=date(2999, 1, 1))
    assert "晚于今天" in exc.value.message_dict["formal_on"][0]


def test_member_cannot_be_in_two_organizations_at_once(world):
    # member_b already holds this number in 乙's organization.
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(world, id_number=world.member_b.id_number, gender=world.member_b.gender)
    message = exc.value.message_dict["id_number"][0]
    assert "中共乙企业支部委员会" in message
    assert Member.objects.count() == before


def test_unknown_fields_are_refused(world):
    with pytest.raises(ValidationError, match="不可写入"):
        _create(world, status="left")


def test_masked_by_default(world):
    assert world.member_a.id_number_masked.count("*") == 8
    assert world.member_a.phone_masked == "138****5678"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_stage_dates_out_of_order(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Member.objects.filter(pk=world.member_a.pk).update(applied_on=date(2020, 1, 1))
