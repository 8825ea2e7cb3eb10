import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from orgs.models import Enterprise
from orgs.services import enterprise_create


def test_invalid_credit_code_is_refused_with_nothing_written(world):
    before = Enterprise.objects.count()
    with pytest.raises(ValidationError) as exc:
        enterprise_create(credit_code="91210204AY4CL12T2X", by=world.district, name="坏企业", street=world.street_a)
    assert "校验位" in exc.value.messages[0]
    assert Enterprise.objects.count() == before


def test_member_counts_must_add_up(world):
    with pytest.raises(ValidationError) as exc:
        enterprise_create(
            credit_code="91210204AY4CL12T2Y",
            by=world.district,
            name="某企业",
            street=world.street_a,
            members_total=5,
            members_formal=4,
            members_probationary=0,
        )
    assert "党员总数" in exc.value.message_dict["members_total"][0]


def test_negative_count_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        enterprise_create(
            credit_code="91210204AY4CL12T2Y",
            by=world.district,
            name="某企业",
            street=world.street_a,
            employees=-1,
        )
    assert "employees" in exc.value.message_dict


def test_credit_code_is_stored_upper_case(world):
    enterprise = enterprise_create(
        credit_code=" 91210204ay4cl12t2y", by=world.district, name="某企业", street=world.street_a
    )
    assert enterprise.credit_code == "91210204AY4CL12T2Y"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_counts_that_do_not_add_up(world):
    with pytest.raises(IntegrityError):
        Enterprise.objects.filter(pk=world.enterprise_a.pk).update(members_total=99)
