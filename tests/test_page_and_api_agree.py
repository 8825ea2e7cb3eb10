"""For every write that both a page and the API offer, every role gets the
same answer from both doors: the write happens through both or through
neither (orgs.policy decides, the services ask it).

Each case builds its record, makes the write through the page inside a
savepoint that is then rolled back, makes the same write through the API
the same way, and compares what changed in the database, not the status
codes (a page redirects where the API answers 200).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from activities.models import Activity
from funds import services
from funds.models import Application
from members.models import Member
from orgs.models import Alert, Election, PartyOrganization, User, VenueChecklist
from tests.factories import make_id_number
from tests.helpers import hostile_uploads as hostile
from tests.helpers.funds import file_project, open_accounts, through_publicity
from tests.helpers.records import make_activity, member_form_data

ROLES = ["district", "street_a_staff", "secretary_a", "secretary_b", "leader", "instructor"]


@dataclass
class Write:
    setup: Callable[[Any], Any]
    page: Callable[[Client, Any, Any], Any]
    api: Callable[[APIClient, Any, Any], Any]
    effect: Callable[[Any, Any], Any]


def _activity(status: str) -> Callable[[Any], Activity]:
    return lambda world: make_activity(world.org_a, 1, status=status, held_on=date(2026, 3, 2))


def _status(model) -> Callable[[Any, Any], str]:
    return lambda world, obj: model.objects.get(pk=obj.pk).status


def _application(world) -> Application:
    open_accounts(world, deposit="1000.00")
    return file_project(world, "300.00")


def _receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("发票.pdf", hostile.clean_pdf(), content_type="application/pdf")


def _disbursed(world) -> Application:
    app = _application(world)
    through_publicity(world, app, on=date(2026, 5, 1))
    return services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))


def _settlement_under_review(world) -> Application:
    app = _disbursed(world)
    lines = [{"item": "场地费", "amount": "250.00", "receipt": _receipt()}]
    return services.application_settle(application=app, by=world.secretary_a, lines=lines)


SETTLE_PAGE = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-item": "场地费", "lines-0-amount": "250"}
SETTLE_API = {"lines": '[{"item": "场地费", "amount": "250"}]'}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Receipts are real uploads; keep them out of the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"


def _organization_page_edit(c: Client, world: Any, org: Any) -> Any:
    data = {
        "name": org.name,
        "org_type": org.org_type,
        "formation_mode": org.formation_mode,
        "street": org.street_id,
        "secretary_name": "钱书记",
        "enterprise_codes": world.enterprise_a.credit_code,
    }
    return c.post(reverse("orgs:organization_edit", args=[org.pk]), data)


def _held_on() -> str:
    return (timezone.localdate() - timedelta(days=3)).isoformat()


def _alert(state: str = "open") -> Callable[[Any], Alert]:
    def build(world) -> Alert:
        alert = Alert.objects.create(
            kind=Alert.Kind.NO_SECRETARY,
            level=Alert.Level.YELLOW,
            street=world.street_a,
            organization=world.org_a,
            subject_key=f"org:{world.org_a.pk}",
            message="甲未配备书记",
            opened_on=date(2026, 1, 1),
            last_seen_on=date(2026, 1, 1),
        )
        if state != "open":
            Alert.objects.filter(pk=alert.pk).update(
                state=state, assignee=world.secretary_a, deadline=timezone.localdate() + timedelta(days=7)
            )
        return alert

    return build


def _alert_effect(world, alert) -> tuple:
    alert = Alert.objects.get(pk=alert.pk)
    return (alert.state, alert.assignee_id, alert.deadline, alert.steps.count())


def _deadline() -> str:
    return (timezone.localdate() + timedelta(days=10)).isoformat()


API_MEMBER = {
    "name": "王新",
    "gender": "male",
    "stage": "applicant",
    "applied_on": "2025-03-01",
    "phone": "13912345678",
}

WRITES: dict[str, Write] = {
    "member_create": Write(
        setup=lambda world: None,
        page=lambda c, world, _: c.post(reverse("members:create"), member_form_data(world)),
        api=lambda c, world, _: c.post(
            "/api/v1/members/",
            {**API_MEMBER, "organization": world.org_a.pk, "id_number": make_id_number(777)},
            format="json",
        ),
        effect=lambda world, _: Member.objects.filter(name="王新").count(),
    ),
    "member_reveal": Write(
        setup=lambda world: world.member_a,
        page=lambda c, world, m: c.post(reverse("members:reveal", args=[m.pk]), {"field": "id_number"}),
        api=lambda c, world, m: c.post(f"/api/v1/members/{m.pk}/reveal/"),
        # One audited reveal per field: the page reveals one, the API both.
        effect=lambda world, _: LogEntry.objects.filter(additional_data__event="member_reveal").exists(),
    ),
    "enterprise_phone_reveal": Write(
        setup=lambda world: world.enterprise_a,
        page=lambda c, world, e: c.post(reverse("orgs:enterprise_phone_reveal", args=[e.pk])),
        api=lambda c, world, e: c.post(f"/api/v1/enterprises/{e.pk}/reveal/"),
        effect=lambda world, _: LogEntry.objects.filter(additional_data__event="enterprise_phone_reveal").exists(),
    ),
    "activity_submit": Write(
        setup=_activity(Activity.Status.DRAFT),
        page=lambda c, world, a: c.post(reverse("activities:submit", args=[a.pk])),
        api=lambda c, world, a: c.post(f"/api/v1/activities/{a.pk}/submit/"),
        effect=_status(Activity),
    ),
    "activity_approve": Write(
        setup=_activity(Activity.Status.SUBMITTED),
        page=lambda c, world, a: c.post(reverse("activities:approve", args=[a.pk])),
        api=lambda c, world, a: c.post(f"/api/v1/activities/{a.pk}/approve/"),
        effect=_status(Activity),
    ),
    "activity_return": Write(
        setup=_activity(Activity.Status.SUBMITTED),
        page=lambda c, world, a: c.post(reverse("activities:return", args=[a.pk]), {"reason": "缺少会议照片"}),
        api=lambda c, world, a: c.post(f"/api/v1/activities/{a.pk}/return/", {"reason": "缺少会议照片"}, format="json"),
        effect=_status(Activity),
    ),
    "withdrawal_street_approval": Write(
        setup=_application,
        page=lambda c, world, app: c.post(
            reverse("funds:application_approve", args=[app.pk, "street"]), {"opinion": "同意"}
        ),
        api=lambda c, world, app: c.post(
            f"/api/v1/fund-applications/{app.pk}/street-approve/", {"opinion": "同意"}, format="json"
        ),
        effect=_status(Application),
    ),
    "withdrawal_street_return": Write(
        setup=_application,
        page=lambda c, world, app: c.post(
            reverse("funds:application_return", args=[app.pk, "street"]), {"reason": "预算不清"}
        ),
        api=lambda c, world, app: c.post(
            f"/api/v1/fund-applications/{app.pk}/return/", {"reason": "预算不清"}, format="json"
        ),
        effect=_status(Application),
    ),
    "settlement_submit": Write(
        setup=_disbursed,
        page=lambda c, world, app: c.post(
            reverse("funds:application_settle", args=[app.pk]), {**SETTLE_PAGE, "lines-0-receipt": _receipt()}
        ),
        api=lambda c, world, app: c.post(
            f"/api/v1/fund-applications/{app.pk}/settle/", {**SETTLE_API, "receipt_1": _receipt()}, format="multipart"
        ),
        effect=_status(Application),
    ),
    "settlement_approve": Write(
        setup=_settlement_under_review,
        page=lambda c, world, app: c.post(reverse("funds:settlement_approve", args=[app.pk]), {"opinion": "同意"}),
        api=lambda c, world, app: c.post(
            f"/api/v1/fund-applications/{app.pk}/settlement-approve/", {"opinion": "同意"}, format="json"
        ),
        effect=_status(Application),
    ),
    "settlement_return": Write(
        setup=_settlement_under_review,
        page=lambda c, world, app: c.post(reverse("funds:settlement_return", args=[app.pk]), {"reason": "缺票据"}),
        api=lambda c, world, app: c.post(
            f"/api/v1/fund-applications/{app.pk}/settlement-return/", {"reason": "缺票据"}, format="json"
        ),
        effect=_status(Application),
    ),
    "organization_edit": Write(
        setup=lambda world: world.org_a,
        page=_organization_page_edit,
        api=lambda c, world, org: c.patch(
            f"/api/v1/organizations/{org.pk}/", {"secretary_name": "钱书记"}, format="json"
        ),
        effect=lambda world, org: PartyOrganization.objects.get(pk=org.pk).secretary_name,
    ),
    "organization_election": Write(
        setup=lambda world: world.org_a,
        page=lambda c, world, org: c.post(
            reverse("orgs:organization_election", args=[org.pk]),
            {"held_on": _held_on(), "term_years": 3, "secretary": "张甲", "committee": "吴委员"},
        ),
        api=lambda c, world, org: c.post(
            f"/api/v1/organizations/{org.pk}/elections/",
            {"held_on": _held_on(), "secretary": "张甲", "committee": ["吴委员"]},
            format="json",
        ),
        effect=lambda world, org: Election.objects.filter(organization=org).count(),
    ),
    "user_create": Write(
        setup=lambda world: None,
        page=lambda c, world, _: c.post(
            reverse("orgs:user_create"),
            {
                "username": "wangwu",
                "password": "Qiang-Mima-2026",
                "role": "secretary",
                "organization": world.org_a.pk,
            },
        ),
        api=lambda c, world, _: c.post(
            "/api/v1/users/",
            {
                "username": "wangwu",
                "password": "Qiang-Mima-2026",
                "grants": [{"role": "secretary", "organization": world.org_a.pk}],
            },
            format="json",
        ),
        effect=lambda world, _: User.objects.filter(username="wangwu").exists(),
    ),
    "user_grant": Write(
        setup=lambda world: world.secretary_a,
        page=lambda c, world, u: c.post(
            reverse("orgs:user_grant", args=[u.pk]), {"role": "secretary", "organization": world.org_b.pk}
        ),
        api=lambda c, world, u: c.patch(
            f"/api/v1/users/{u.pk}/",
            {
                "grants": [
                    {"role": "secretary", "organization": world.org_a.pk},
                    {"role": "secretary", "organization": world.org_b.pk},
                ]
            },
            format="json",
        ),
        effect=lambda world, u: sorted(u.role_grants.values_list("organization_id", flat=True)),
    ),
    "user_reset_password": Write(
        setup=lambda world: world.secretary_a,
        page=lambda c, world, u: c.post(reverse("orgs:user_password", args=[u.pk]), {"password": "Qiang-Mima-2026"}),
        api=lambda c, world, u: c.patch(f"/api/v1/users/{u.pk}/", {"password": "Qiang-Mima-2026"}, format="json"),
        effect=lambda world, u: User.objects.get(pk=u.pk).password,
    ),
    "venue_check": Write(
        setup=lambda world: world.org_a,
        page=lambda c, world, org: c.post(
            reverse("orgs:organization_venue_check", args=[org.pk]),
            {"has_place": "on", "has_flag": "on", "checked_on": timezone.localdate().isoformat()},
        ),
        api=lambda c, world, org: c.post(
            f"/api/v1/organizations/{org.pk}/venue-checks/",
            {"place": True, "facilities": False, "sign": False, "flag": True, "books": False, "rules": False},
            format="json",
        ),
        effect=lambda world, org: list(
            VenueChecklist.objects.filter(organization=org).values_list(*VenueChecklist.ITEMS)
        ),
    ),
    "alert_assign": Write(
        setup=_alert(),
        page=lambda c, world, a: c.post(
            reverse("orgs:warning_assign", args=[a.pk]), {"assignee": world.secretary_a.pk, "deadline": _deadline()}
        ),
        api=lambda c, world, a: c.post(
            f"/api/v1/alerts/{a.pk}/assign/", {"assignee": world.secretary_a.pk, "deadline": _deadline()}, format="json"
        ),
        effect=_alert_effect,
    ),
    "alert_respond": Write(
        setup=_alert("assigned"),
        page=lambda c, world, a: c.post(reverse("orgs:warning_respond", args=[a.pk]), {"text": "已配齐书记"}),
        api=lambda c, world, a: c.post(f"/api/v1/alerts/{a.pk}/respond/", {"text": "已配齐书记"}, format="json"),
        effect=_alert_effect,
    ),
    "alert_close": Write(
        setup=_alert("responded"),
        page=lambda c, world, a: c.post(reverse("orgs:warning_close", args=[a.pk]), {"note": "核实无误"}),
        api=lambda c, world, a: c.post(f"/api/v1/alerts/{a.pk}/close/", {"note": "核实无误"}, format="json"),
        effect=_alert_effect,
    ),
    "alert_reopen": Write(
        setup=_alert("responded"),
        page=lambda c, world, a: c.post(reverse("orgs:warning_reopen", args=[a.pk]), {"note": "缺少记录"}),
        api=lambda c, world, a: c.post(f"/api/v1/alerts/{a.pk}/reopen/", {"note": "缺少记录"}, format="json"),
        effect=_alert_effect,
    ),
}


def _through(write: Write, door: str, client: Any, world: Any, target: Any) -> Any:
    """Make the write through one door, read its effect, and undo it all."""
    with transaction.atomic():
        getattr(write, door)(client, world, target)
        seen = write.effect(world, target)
        transaction.set_rollback(True)
    return seen


def _clients(user) -> tuple[Client, APIClient]:
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return page, api


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_page_and_api_answer_a_role_the_same(world, name, role):
    write = WRITES[name]
    target = write.setup(world)
    before = write.effect(world, target)
    page, api = _clients(getattr(world, role))
    by_page = _through(write, "page", page, world, target)
    by_api = _through(write, "api", api, world, target)
    assert write.effect(world, target) == before, "the savepoints left something behind"
    assert (by_page != before) == (by_api != before), (
        f"{role} {name}: the page {'did' if by_page != before else 'did not'} write, "
        f"the API {'did' if by_api != before else 'did not'}"
    )


# Someone may make each write: the agreement above is not two doors that refuse everyone.
ALLOWED = {
    "member_create": "secretary_a",
    "member_reveal": "district",
    "enterprise_phone_reveal": "street_a_staff",
    "activity_submit": "secretary_a",
    "activity_approve": "street_a_staff",
    "activity_return": "street_a_staff",
    "withdrawal_street_approval": "street_a_staff",
    "withdrawal_street_return": "street_a_staff",
    "settlement_submit": "secretary_a",
    "settlement_approve": "street_a_staff",
    "settlement_return": "street_a_staff",
    "organization_edit": "street_a_staff",
    "organization_election": "street_a_staff",
    "user_create": "district",
    "user_grant": "district",
    "user_reset_password": "district",
    "venue_check": "street_a_staff",
    "alert_assign": "street_a_staff",
    "alert_respond": "secretary_a",
    "alert_close": "street_a_staff",
    "alert_reopen": "street_a_staff",
}


def test_every_write_is_in_the_allowed_list():
    assert set(ALLOWED) == set(WRITES)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_right_role_writes_through_both_doors(world, name):
    write = WRITES[name]
    target = write.setup(world)
    before = write.effect(world, target)
    page, api = _clients(getattr(world, ALLOWED[name]))
    assert _through(write, "page", page, world, target) != before
    assert _through(write, "api", api, world, target) != before
