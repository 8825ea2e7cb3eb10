"""factory_boy factories. Identifiers are generated valid (check characters included)."""

from datetime import date
from decimal import Decimal

import factory
from stdnum.cn import ric

from core.crypto import blind_index
from core.validators import credit_code_from_number
from members.models import Member, Stage
from members.rules import gender_from_id_number
from orgs.models import (
    Alert,
    CoverageSnapshot,
    Enterprise,
    PartyOrganization,
    Rating,
    Region,
    Role,
    RoleGrant,
    User,
)


def make_credit_code(n: int) -> str:
    return credit_code_from_number(n)


def make_id_number(n: int, birth: date = date(1985, 6, 15), *, gender: str | None = None) -> str:
    """A valid ID number; its 17th digit (n's last) is odd for a man. With
    `gender`, the sequence is 2n or 2n+1 so that digit states that gender
    (distinct n still give distinct numbers)."""
    sequence = n % 1000
    if gender is not None:
        sequence = (2 * n + (gender == Member.Gender.MALE)) % 1000
    stem = f"210204{birth:%Y%m%d}{sequence:03d}"
    return stem + ric.calc_check_digit(stem + "0")  # stdnum expects a placeholder check digit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-9")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = "测试区"
    kind = Region.Kind.DISTRICT


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"第{n}街道")
    kind = Region.Kind.STREET
    parent = factory.SubFactory(DistrictFactory)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(make_credit_code)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    street = factory.SubFactory(StreetFactory)
    employees = 20
    members_total = 5
    members_formal = 4
    members_probationary = 1


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"中共测试企业{n}支部委员会")
    street = factory.SubFactory(StreetFactory)

    @factory.post_generation
    def enterprises(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.enterprises.set(extracted)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    # A valid person (members.rules): gender and birth date as the ID number
    # states them, 18+ when applying, a year as activist, a year of probation.
    name = factory.Sequence(lambda n: f"党员{n}")
    id_number = factory.Sequence(make_id_number)
    gender = factory.LazyAttribute(lambda m: gender_from_id_number(m.id_number))
    birth_date = factory.LazyAttribute(lambda m: ric.get_birth_date(m.id_number))
    id_number_index = factory.LazyAttribute(lambda m: blind_index(m.id_number))
    phone = "13812345678"
    phone_index = factory.LazyAttribute(lambda m: blind_index(m.phone))
    organization = factory.SubFactory(OrganizationFactory)
    stage = Stage.FORMAL
    applied_on = date(2015, 1, 1)
    activist_on = date(2015, 6, 1)
    candidate_on = date(2016, 6, 1)
    probationary_on = date(2016, 9, 1)
    formal_on = date(2017, 9, 1)


def grant(user: User, role: str, *, region=None, organization=None) -> User:
    RoleGrant.objects.create(user=user, role=role, region=region, organization=organization)
    user.__dict__.pop("_scope_cache", None)
    user.__dict__.pop("_write_scope_cache", None)
    return user


__all__ = ["Role", "grant"]


class SnapshotFactory(factory.django.DjangoModelFactory):
    """A coverage snapshot as the nightly statistics would store it."""

    class Meta:
        model = CoverageSnapshot

    date = date(2026, 10, 31)
    scope_kind = CoverageSnapshot.ScopeKind.DISTRICT
    scope_key = ""
    above_scale_only = False
    enterprises = 100
    org_covered = 40
    work_covered = 60
    own_org_eligible = 30
    own_org = 20
    should_form_not_formed = 5
    organizations = 35
    members_formal = 300
    members_probationary = 20
    employees = 5000


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    organization = factory.SubFactory(OrganizationFactory)
    year = 2026
    computed_on = date(2026, 10, 31)
    published_on = date(2026, 10, 31)
    score = Decimal("75.00")
    computed_stars = 3


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    kind = Alert.Kind.NO_ACTIVITY_90
    level = Alert.Level.YELLOW
    subject_key = factory.Sequence(lambda n: f"subject:{n}")
    message = factory.Sequence(lambda n: f"预警说明{n}")
    opened_on = date(2026, 10, 1)
    last_seen_on = date(2026, 10, 31)
