"""Bases, payments and reliefs: the happy paths, and each bad input of the
issue refused in Chinese with nothing written."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.crypto import decrypt_text
from core.errors import ApplicationError
from dues import services
from dues.models import DuesBasis, Payment, Relief
from dues.rules import add_months, month_start
from dues.services import MonthRow
from tests.factories import MemberFactory

from .conftest import message, probationary


def test_the_income_is_encrypted_at_rest(world, payer):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select monthly_income from dues_duesbasis where member_id = %s", [payer.pk])
        stored = cursor.fetchone()[0]
    assert "6500" not in stored and decrypt_text(stored) == "6500.00"
    assert DuesBasis.objects.get(member=payer).income == Decimal("6500.00")


def test_a_negative_income_is_refused(world):
    member = MemberFactory(organization=world.org_a)
    with pytest.raises(ApplicationError) as exc:
        services.basis_declare(by=world.secretary_a, member=member, category="employed", monthly_income="-1.00")
    assert "税后月收入" in message(exc.value) and "负数" in message(exc.value)
    assert not DuesBasis.objects.exists()


def test_the_other_secretary_may_not_declare(world):
    member = MemberFactory(organization=world.org_a)
    with pytest.raises(PermissionDenied):
        services.basis_declare(by=world.secretary_b, member=member, category="student")
    assert not DuesBasis.objects.exists()


def test_one_payment(world, payer, months_ago):
    payment = services.payment_record(
        by=world.secretary_a, member=payer, period=months_ago(1), amount="97.50", paid_on=timezone.localdate()
    )
    assert payment.amount == Decimal("97.50") and payment.organization == world.org_a


def test_a_future_month_is_refused(world, payer, this_month):
    with pytest.raises(ApplicationError) as exc:
        services.payment_record(
            by=world.secretary_a, member=payer, period=add_months(this_month, 1), amount="97.50",
            paid_on=timezone.localdate(),
        )  # fmt: skip
    assert "所属月份" in message(exc.value) and "未来" in message(exc.value)
    assert not Payment.objects.exists()


def test_a_second_payment_for_a_month_is_refused(world, payer, months_ago):
    kw = {"by": world.secretary_a, "member": payer, "period": months_ago(2), "paid_on": timezone.localdate()}
    services.payment_record(amount="97.50", **kw)
    with pytest.raises(ApplicationError) as exc:
        services.payment_record(amount="97.50", **kw)
    assert "重复" in message(exc.value)
    assert Payment.objects.count() == 1


def test_an_amount_off_the_bracket_is_refused(world, payer, months_ago):
    with pytest.raises(ApplicationError) as exc:
        services.payment_record(
            by=world.secretary_a, member=payer, period=months_ago(1), amount="50.00", paid_on=timezone.localdate()
        )
    assert "金额" in message(exc.value) and "97.50" in message(exc.value)
    assert not Payment.objects.exists()


def test_an_approved_reduction_changes_what_is_due(world, payer, months_ago):
    with pytest.raises(PermissionDenied):
        services.relief_grant(
            by=world.secretary_a, member=payer, kind="reduced", monthly_amount="20.00",
            first_period=months_ago(3), last_period=months_ago(1), reason="家庭困难",
        )  # fmt: skip
    relief = services.relief_grant(
        by=world.street_a_staff, member=payer, kind="reduced", monthly_amount="20.00",
        first_period=months_ago(3), last_period=months_ago(1), reason="家庭困难",
    )  # fmt: skip
    assert relief.approved_by == world.street_a_staff
    services.payment_record(
        by=world.secretary_a, member=payer, period=months_ago(1), amount="20.00", paid_on=timezone.localdate()
    )
    with pytest.raises(ApplicationError):
        services.payment_record(
            by=world.secretary_a, member=payer, period=months_ago(4), amount="20.00", paid_on=timezone.localdate()
        )


def test_a_relief_needs_a_reason(world, payer, months_ago):
    with pytest.raises(ApplicationError) as exc:
        services.relief_grant(
            by=world.district, member=payer, kind="exempt", first_period=months_ago(2), last_period=months_ago(1),
            reason=" ",
        )  # fmt: skip
    assert "理由" in message(exc.value)
    assert not Relief.objects.exists()


def test_a_probationary_member_pays_from_the_month_of_acceptance(world, this_month):
    accepted = add_months(this_month, -2).replace(day=15)
    member = probationary(world, accepted)
    with pytest.raises(ApplicationError) as exc:
        services.basis_declare(
            by=world.secretary_a, member=member, category="employed", monthly_income="4000",
            due_from=add_months(this_month, -3),
        )  # fmt: skip
    assert "起缴月份" in message(exc.value)
    services.basis_declare(by=world.secretary_a, member=member, category="employed", monthly_income="4000")
    assert DuesBasis.objects.get(member=member).due_from == month_start(accepted)
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as exc:
        services.payment_record(
            by=world.secretary_a, member=member, period=add_months(this_month, -3), amount="40.00", paid_on=today
        )
    assert "无需缴纳" in message(exc.value)
    services.payment_record(
        by=world.secretary_a, member=member, period=month_start(accepted), amount="40.00", paid_on=today
    )


def test_an_applicant_pays_no_dues(world):
    member = MemberFactory(organization=world.org_a, stage="candidate", probationary_on=None, formal_on=None)
    with pytest.raises(ApplicationError):
        services.basis_declare(by=world.secretary_a, member=member, category="student")


def test_a_whole_month_is_all_or_nothing_and_names_the_member(world, payer, months_ago):
    other = MemberFactory(organization=world.org_a, name="孙学生")
    services.basis_declare(by=world.secretary_a, member=other, category="student", due_from=months_ago(6))
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as exc:
        services.payments_record_month(
            by=world.secretary_a, organization=world.org_a, period=months_ago(1), paid_on=today,
            rows=[MonthRow(payer, "97.50"), MonthRow(other, "0.50")],
        )  # fmt: skip
    assert "孙学生" in message(exc.value) and "0.20" in message(exc.value)
    assert not Payment.objects.exists()
    payments = services.payments_record_month(
        by=world.secretary_a, organization=world.org_a, period=months_ago(1), paid_on=today,
        rows=[MonthRow(payer, "97.50"), MonthRow(other, "0.20")],
    )  # fmt: skip
    assert len(payments) == 2 and Payment.objects.count() == 2


def test_a_month_of_another_organization_is_refused(world, payer, months_ago):
    with pytest.raises(PermissionDenied):
        services.payments_record_month(
            by=world.secretary_b, organization=world.org_a, period=months_ago(1), paid_on=timezone.localdate(),
            rows=[MonthRow(payer, "97.50")],
        )  # fmt: skip
    assert not Payment.objects.exists()
