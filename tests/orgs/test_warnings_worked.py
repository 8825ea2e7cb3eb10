"""Warnings are worked (DESIGN.md §10): staff assign a warning with a
deadline, the assignee answers with evidence, staff close it or send it back;
every step is history. The nightly refresh closes a cleared warning with a
step and raises an overdue one a level, once. Pages and the API, one policy."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from orgs.alerts import alert_assign, alert_respond
from orgs.models import Alert, AlertStep, PartyOrganization, RectificationPlan, RectificationStep
from stats.warnings import Producer, no_secretary, warnings_refresh

NO_SECRETARY_ONLY = [Producer(Alert.Kind.NO_SECRETARY, no_secretary)]


def _alert(world, *, org=None, level=Alert.Level.YELLOW, key=None) -> Alert:
    org = org or world.org_a
    return Alert.objects.create(
        kind=Alert.Kind.NO_SECRETARY,
        level=level,
        street=org.street,
        organization=org,
        subject_key=key or f"org:{org.pk}",
        message=f"{org.name} 未配备书记",
        opened_on=date(2026, 1, 1),
        last_seen_on=date(2026, 1, 1),
    )


def _tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def _assigned(world, **kw) -> Alert:
    alert = _alert(world, **kw)
    return alert_assign(alert=alert, by=world.street_a_staff, assignee=world.secretary_a, deadline=_tomorrow())


# --- the whole round, through the pages --------------------------------------------------------


def test_staff_assign_secretary_answers_with_evidence_staff_close_and_history_shows_each_step(world, client):
    alert = _alert(world)
    client.force_login(world.street_a_staff)
    response = client.post(
        reverse("orgs:warning_assign", args=[alert.pk]),
        {"assignee": world.secretary_a.pk, "deadline": _tomorrow().isoformat(), "note": "请一周内配齐书记"},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.assignee, alert.deadline) == (Alert.State.ASSIGNED, world.secretary_a, _tomorrow())

    client.force_login(world.secretary_a)
    home = client.get(reverse("home"))
    assert reverse("orgs:warning_detail", args=[alert.pk]) in home.content.decode()
    response = client.post(
        reverse("orgs:warning_respond", args=[alert.pk]),
        {"text": "已选举王某为书记", "evidence": SimpleUploadedFile("会议记录.png", _png(), "image/png")},
    )
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESPONDED
    step = alert.steps.get(action=AlertStep.Action.RESPOND)
    assert step.by == world.secretary_a and step.note == "已选举王某为书记" and step.evidence
    evidence_url = reverse("orgs:warning_evidence", args=[alert.pk, step.pk])
    assert client.get(evidence_url).status_code == 200

    client.force_login(world.street_a_staff)
    client.post(reverse("orgs:warning_close", args=[alert.pk]), {"note": "核实无误"})
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED and alert.closed_on == timezone.localdate()
    page = client.get(reverse("orgs:warning_detail", args=[alert.pk])).content.decode()
    for text in ("请一周内配齐书记", "已选举王某为书记", "核实无误", "会议记录.png"):
        assert text in page
    assert list(alert.steps.values_list("action", flat=True)) == ["assign", "respond", "close"]

    # The outsider reaches neither the warning nor its evidence.
    client.force_login(world.secretary_b)
    assert client.get(reverse("orgs:warning_detail", args=[alert.pk])).status_code == 404
    assert client.get(evidence_url).status_code == 404


def test_staff_send_an_answer_back_with_a_note(world, client):
    alert = _assigned(world)
    alert_respond(alert=alert, by=world.secretary_a, text="已处理")
    client.force_login(world.street_a_staff)
    client.post(reverse("orgs:warning_reopen", args=[alert.pk]), {"note": "缺少会议记录"})
    alert.refresh_from_db()
    assert alert.state == Alert.State.ASSIGNED
    assert alert.steps.last().note == "缺少会议记录"


# --- bad input: a Chinese message naming the field, nothing written ----------------------------


def _nothing_written(alert: Alert, before: tuple) -> None:
    alert.refresh_from_db()
    assert (alert.state, alert.assignee_id, alert.deadline, alert.steps.count()) == before


def _snapshot(alert: Alert) -> tuple:
    alert.refresh_from_db()
    return (alert.state, alert.assignee_id, alert.deadline, alert.steps.count())


def test_a_deadline_in_the_past_is_refused_by_page_and_api(world, client, api):
    alert = _alert(world)
    before = _snapshot(alert)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    client.force_login(world.street_a_staff)
    response = client.post(
        reverse("orgs:warning_assign", args=[alert.pk]),
        {"assignee": world.secretary_a.pk, "deadline": yesterday},
        follow=True,
    )
    assert "办理期限" in response.content.decode()
    response = api(world.street_a_staff).post(
        f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": world.secretary_a.pk, "deadline": yesterday}, format="json"
    )
    assert response.status_code == 400 and "办理期限" in str(response.json()["deadline"])
    _nothing_written(alert, before)


def test_an_assignee_outside_the_warnings_scope_is_refused(world, client, api):
    alert = _alert(world)
    before = _snapshot(alert)
    response = api(world.street_a_staff).post(
        f"/api/v1/alerts/{alert.pk}/assign/",
        {"assignee": world.secretary_b.pk, "deadline": _tomorrow().isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "责任人" in str(response.json()["assignee"])
    client.force_login(world.street_a_staff)
    response = client.post(
        reverse("orgs:warning_assign", args=[alert.pk]),
        {"assignee": world.secretary_b.pk, "deadline": _tomorrow().isoformat()},
        follow=True,
    )
    assert "责任人" in response.content.decode()
    _nothing_written(alert, before)


def test_responding_to_a_warning_not_assigned_to_you_is_refused(world, api):
    alert = _alert(world)
    alert_assign(alert=alert, by=world.district, assignee=world.street_a_staff, deadline=_tomorrow())
    before = _snapshot(alert)
    response = api(world.secretary_a).post(f"/api/v1/alerts/{alert.pk}/respond/", {"text": "已处理"}, format="json")
    assert response.status_code == 400 and "责任人" in str(response.json()["assignee"])
    _nothing_written(alert, before)


def test_closing_twice_is_refused(world, api):
    alert = _alert(world)
    client = api(world.street_a_staff)
    assert client.post(f"/api/v1/alerts/{alert.pk}/close/", {"note": "已核实"}, format="json").status_code == 200
    alert.refresh_from_db()
    before = _snapshot(alert)
    response = client.post(f"/api/v1/alerts/{alert.pk}/close/", {"note": "再次"}, format="json")
    assert response.status_code == 400 and "办理状态" in str(response.json()["state"])
    _nothing_written(alert, before)


def test_a_respond_without_text_names_the_field(world, api):
    alert = _assigned(world)
    before = _snapshot(alert)
    response = api(world.secretary_a).post(f"/api/v1/alerts/{alert.pk}/respond/", {"text": " "}, format="json")
    assert response.status_code == 400 and "办理情况" in str(response.json()["text"])
    _nothing_written(alert, before)


def test_evidence_that_is_not_a_photo_or_pdf_is_refused(world, client):
    alert = _assigned(world)
    before = _snapshot(alert)
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("orgs:warning_respond", args=[alert.pk]),
        {"text": "已处理", "evidence": SimpleUploadedFile("证明.pdf", b"<html><script>x</script></html>")},
        follow=True,
    )
    assert "佐证材料" in response.content.decode()
    _nothing_written(alert, before)


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretary_a", "leader", "instructor"])
def test_only_staff_assign(world, api, role):
    alert = _alert(world)
    before = _snapshot(alert)
    response = api(getattr(world, role)).post(
        f"/api/v1/alerts/{alert.pk}/assign/",
        {"assignee": world.secretary_a.pk, "deadline": _tomorrow().isoformat()},
        format="json",
    )
    assert response.status_code in (403, 404)
    _nothing_written(alert, before)


def test_outsider_gets_404_on_every_write_and_the_detail(world, api, client):
    alert = _alert(world, org=world.org_b)
    before = _snapshot(alert)
    outsider = api(world.secretary_a)
    for action, body in [
        ("assign", {"assignee": world.secretary_a.pk, "deadline": _tomorrow().isoformat()}),
        ("respond", {"text": "x"}),
        ("close", {"note": "x"}),
        ("reopen", {"note": "x"}),
    ]:
        assert outsider.post(f"/api/v1/alerts/{alert.pk}/{action}/", body, format="json").status_code == 404
    client.force_login(world.street_a_staff)
    assert client.get(reverse("orgs:warning_detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("orgs:warning_close", args=[alert.pk]), {"note": "x"}).status_code == 404
    _nothing_written(alert, before)


# --- the list, its filters and its export ----------------------------------------------------------


def test_the_list_is_scoped_filtered_and_exported_as_shown(world, client):
    mine = _assigned(world)
    other = _alert(world, org=world.org_b)
    overdue = _alert(world, key="late")
    Alert.objects.filter(pk=overdue.pk).update(
        state=Alert.State.ASSIGNED, assignee=world.secretary_a, deadline=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(world.street_a_staff)
    page = client.get(reverse("orgs:warning_list")).content.decode()
    assert reverse("orgs:warning_detail", args=[mine.pk]) in page
    assert reverse("orgs:warning_detail", args=[other.pk]) not in page
    unassigned = _alert(world, key="nobody")
    page = client.get(reverse("orgs:warning_list"), {"assignee": world.secretary_a.pk, "state": "assigned"})
    page = page.content.decode()
    assert reverse("orgs:warning_detail", args=[mine.pk]) in page
    assert reverse("orgs:warning_detail", args=[unassigned.pk]) not in page
    page = client.get(reverse("orgs:warning_list"), {"overdue": "true"}).content.decode()
    assert reverse("orgs:warning_detail", args=[overdue.pk]) in page
    assert reverse("orgs:warning_detail", args=[mine.pk]) + '"' not in page

    response = client.get(reverse("orgs:warning_export"), {"overdue": "true"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][8] == "是"

    # The secretary of B sees only B's warnings.
    client.force_login(world.secretary_b)
    response = client.get(reverse("orgs:warning_export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and world.org_b.name in rows[1]


def test_api_carries_state_assignee_deadline_and_overdue(world, api):
    alert = _assigned(world)
    data = api(world.secretary_a).get(f"/api/v1/alerts/{alert.pk}/").json()
    assert data["state"] == "assigned" and data["assignee"] == world.secretary_a.pk
    assert data["deadline"] == _tomorrow().isoformat() and data["overdue"] is False
    assert data["steps"][0]["action"] == "assign"
    listed = api(world.street_a_staff).get("/api/v1/alerts/", {"state": "assigned"}).json()
    assert [r["id"] for r in listed["results"]] == [alert.pk]
    # Existing fields stay.
    assert {"kind", "kind_display", "level", "message", "link", "opened_on", "closed_on"} <= set(data)


def test_dashboard_counts_warnings_by_state(world, client):
    _assigned(world)
    _alert(world, key="open-one")
    _alert(world, org=world.org_b)
    client.force_login(world.street_a_staff)
    response = client.get(reverse("orgs:dashboard"))
    work = response.context["alert_work"]
    assert (work["open"], work["assigned"], work["responded"], work["overdue"]) == (1, 1, 0, 0)


# --- the nightly refresh ------------------------------------------------------------------------


def test_a_cleared_condition_closes_the_warning_with_a_step(world):
    today = timezone.localdate()
    PartyOrganization.objects.filter(pk=world.org_a.pk).update(secretary_name="")
    warnings_refresh(on=today, producers=NO_SECRETARY_ONLY)
    alert = Alert.objects.get(organization=world.org_a, closed_on__isnull=True)
    alert = alert_assign(alert=alert, by=world.street_a_staff, assignee=world.secretary_a, deadline=_tomorrow())
    PartyOrganization.objects.filter(pk=world.org_a.pk).update(secretary_name="王书记")
    warnings_refresh(on=today, producers=NO_SECRETARY_ONLY)
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED and alert.closed_on == today and alert.closed_by_refresh
    step = alert.steps.last()
    assert step.action == AlertStep.Action.AUTO_CLOSE and step.note == "条件已消除，自动解除"
    # Run again for the same date: the same result, one step, not two.
    warnings_refresh(on=today, producers=NO_SECRETARY_ONLY)
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED
    assert alert.steps.filter(action=AlertStep.Action.AUTO_CLOSE).count() == 1


def test_overdue_raises_the_level_once_and_the_refresh_keeps_it(world):
    today = timezone.localdate()
    PartyOrganization.objects.filter(pk=world.org_a.pk).update(secretary_name="")
    warnings_refresh(on=today - timedelta(days=3), producers=NO_SECRETARY_ONLY)
    alert = Alert.objects.get(organization=world.org_a, closed_on__isnull=True)
    assert alert.level == Alert.Level.RED
    Alert.objects.filter(pk=alert.pk).update(level=Alert.Level.BLUE)
    Alert.objects.filter(pk=alert.pk).update(
        state=Alert.State.ASSIGNED, assignee=world.secretary_a, deadline=today - timedelta(days=1)
    )
    warnings_refresh(on=today, producers=NO_SECRETARY_ONLY)
    alert.refresh_from_db()
    # The producer says red; the overdue step raises red no further, but is recorded once.
    assert alert.escalated and alert.level == Alert.Level.RED
    warnings_refresh(on=today, producers=NO_SECRETARY_ONLY)
    assert alert.steps.filter(action=AlertStep.Action.ESCALATE).count() == 1


def test_overdue_raises_yellow_to_red_once(world):
    today = timezone.localdate()
    alert = _alert(world, level=Alert.Level.BLUE, key="data")
    Alert.objects.filter(pk=alert.pk).update(
        kind=Alert.Kind.DATA_QUALITY,
        state=Alert.State.ASSIGNED,
        assignee=world.district,
        deadline=today - timedelta(days=1),
    )
    warnings_refresh(on=today, producers=[])
    alert.refresh_from_db()
    assert alert.level == Alert.Level.YELLOW and alert.escalated
    warnings_refresh(on=today + timedelta(days=1), producers=[])
    alert.refresh_from_db()
    assert alert.level == Alert.Level.YELLOW
    assert list(alert.steps.values_list("action", flat=True)) == ["escalate"]


# --- 整顿 plans -------------------------------------------------------------------------------------


def test_staff_plan_a_rectification_and_the_secretary_marks_steps_done(world, client):
    client.force_login(world.street_a_staff)
    url = reverse("orgs:rectification_create") + f"?organization={world.org_a.pk}"
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        url,
        {
            "reason": "weak",
            "title": "软弱涣散整顿",
            "step_1": "调整班子",
            "due_1": due,
            "step_2": "恢复三会一课",
            "due_2": due,
        },
    )
    assert response.status_code == 302
    plan = RectificationPlan.objects.get(organization=world.org_a)
    assert plan.steps.count() == 2
    assert "软弱涣散整顿" in client.get(reverse("orgs:organization_detail", args=[world.org_a.pk])).content.decode()
    assert "软弱涣散整顿" in client.get(reverse("orgs:warning_list")).content.decode()

    step = plan.steps.first()
    client.force_login(world.secretary_b)
    assert client.post(reverse("orgs:rectification_step_done", args=[step.pk])).status_code == 404
    client.force_login(world.secretary_a)
    client.post(reverse("orgs:rectification_step_done", args=[step.pk]))
    step.refresh_from_db()
    assert step.done_on == timezone.localdate() and step.done_by == world.secretary_a


def test_a_plan_without_dated_steps_is_refused_and_a_secretary_may_not_plan(world, client):
    client.force_login(world.street_a_staff)
    url = reverse("orgs:rectification_create") + f"?organization={world.org_a.pk}"
    response = client.post(url, {"reason": "weak", "title": "整顿", "step_1": "调整班子"})
    assert "整顿步骤" in response.content.decode()
    client.force_login(world.secretary_a)
    assert (
        client.post(url, {"reason": "weak", "title": "整顿", "step_1": "x", "due_1": "2030-01-01"}).status_code == 403
    )
    client.force_login(world.secretary_b)
    assert client.get(url).status_code == 404
    assert not RectificationPlan.objects.exists() and not RectificationStep.objects.exists()
