"""Staff correct an enterprise between surveys: with a reason, audited, shown in its history;
closing needs a date; moving to another street needs district level or both streets."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from orgs.forms import ENTERPRISE_EDITABLE
from orgs.models import Enterprise, Role
from tests.factories import grant


def _form(enterprise, **changes):
    data = {}
    for name in ENTERPRISE_EDITABLE:
        value = getattr(enterprise, name if name not in ("street", "park", "industry") else f"{name}_id")
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data["closed_on"] = ""
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _edit(client, enterprise, **changes):
    return client.post(reverse("orgs:enterprise_edit", args=[enterprise.pk]), _form(enterprise, **changes))


def _updates(enterprise):
    return LogEntry.objects.get_for_object(enterprise).filter(action=LogEntry.Action.UPDATE)


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_staff_edit_with_a_reason_and_the_history_shows_it(world, login, role):
    client = login(getattr(world, role))
    response = _edit(client, world.enterprise_a, employees=88, reason="企业来电更正从业人数")
    assert response.status_code == 302
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 88
    entry = _updates(world.enterprise_a).get()
    assert entry.actor == getattr(world, role)
    assert entry.additional_data == {"reason": "企业来电更正从业人数"}
    page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])).content.decode()
    assert "修改历史" in page and "从业人员数" in page and "20 → 88" in page and "企业来电更正从业人数" in page


def test_a_reason_is_required_and_nothing_is_written(world, login):
    response = _edit(login(world.district), world.enterprise_a, employees=88, reason="")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 20 and not _updates(world.enterprise_a).exists()


def test_closing_needs_a_date_not_in_the_future(world, login):
    client = login(world.street_a_staff)
    response = _edit(client, world.enterprise_a, status="deregistered", reason="已注销")
    assert "停业/注销日期" in response.context["form"].errors["closed_on"][0]
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = _edit(client, world.enterprise_a, status="deregistered", closed_on=tomorrow, reason="已注销")
    assert "不能晚于今天" in response.context["form"].errors["closed_on"][0]
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).status == "operating"
    day = timezone.localdate() - timedelta(days=3)
    assert _edit(client, world.enterprise_a, status="deregistered", closed_on=day, reason="已注销").status_code == 302
    e = Enterprise.objects.get(pk=world.enterprise_a.pk)
    assert (e.status, e.closed_on) == ("deregistered", day)


def test_street_staff_cannot_move_an_enterprise_to_a_street_they_do_not_hold(world, login):
    response = _edit(login(world.street_a_staff), world.enterprise_a, street=world.street_b.pk, reason="迁址")
    # Street B is not among the form's choices: refused on the field, nothing written.
    assert "street" in response.context["form"].errors
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).street == world.street_a


def test_staff_holding_both_streets_or_the_district_move_it(world, login):
    both = grant(world.street_a_staff, Role.STREET, region=world.street_b)
    assert _edit(login(both), world.enterprise_a, street=world.street_b.pk, reason="迁址").status_code == 302
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).street == world.street_b
    assert _edit(login(world.district), world.enterprise_a, street=world.street_a.pk, reason="迁回").status_code == 302
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).street == world.street_a


def test_move_policy_refuses_a_street_outside_scope(world):
    from orgs import policy

    assert not policy.may_move_enterprise(world.street_a_staff, world.enterprise_a, world.street_b)
    assert policy.may_move_enterprise(world.district, world.enterprise_a, world.street_b)


@pytest.mark.parametrize("role", ["secretary_a", "leader"])
def test_secretary_and_leader_may_not_edit(world, login, role):
    client = login(getattr(world, role))
    url = reverse("orgs:enterprise_edit", args=[world.enterprise_a.pk])
    assert client.get(url).status_code == 403
    assert _edit(client, world.enterprise_a, employees=88, reason="x").status_code == 403
    page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])).content.decode()
    assert url not in page
    assert Enterprise.objects.get(pk=world.enterprise_a.pk).employees == 20


def test_outsider_gets_404(world, login):
    client = login(world.street_a_staff)
    assert client.get(reverse("orgs:enterprise_edit", args=[world.enterprise_b.pk])).status_code == 404
    assert _edit(client, world.enterprise_b, employees=1, reason="x").status_code == 404
    assert Enterprise.objects.get(pk=world.enterprise_b.pk).employees == 20


def test_edit_button_shown_only_to_editors(world, login):
    url = reverse("orgs:enterprise_edit", args=[world.enterprise_a.pk])
    detail = reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])
    assert url in login(world.street_a_staff).get(detail).content.decode()
    assert url in login(world.district).get(reverse("orgs:enterprise_list")).content.decode()
    assert url not in login(world.leader).get(reverse("orgs:enterprise_list")).content.decode()
