"""A secretary proposes a change to their organization or an enterprise it
covers; street staff of its street (or district staff) confirm or reject it.
Confirming applies it through the staff edit's service, into the history."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from orgs.models import ChangeProposal, Role
from orgs.proposals import proposal_confirm, proposal_create
from orgs.services import enterprise_edit
from tests.factories import UserFactory, grant
from tests.orgs.test_enterprise_edits import _form


def _propose(client, enterprise, **changes):
    data = _form(enterprise, **changes)
    data.setdefault("phone", "")
    return client.post(reverse("orgs:enterprise_propose", args=[enterprise.pk]), data)


def _updates(record):
    return LogEntry.objects.get_for_object(record).filter(action=LogEntry.Action.UPDATE)


def test_secretary_proposes_and_nothing_changes_until_confirmed(world, login):
    client = login(world.secretary_a)
    page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])).content.decode()
    assert reverse("orgs:enterprise_propose", args=[world.enterprise_a.pk]) in page
    response = _propose(client, world.enterprise_a, employees=88, reason="企业扩招，从业人员增加")
    assert response.status_code == 302
    proposal = ChangeProposal.objects.get()
    assert proposal.values == {"employees": 88} and proposal.before == {"employees": 20}
    assert proposal.status == ChangeProposal.Status.PENDING and proposal.organization == world.org_a
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 20 and not _updates(world.enterprise_a).exists()
    # The secretary sees it and its outcome, on the list and the workbench.
    assert "甲企业有限公司" in client.get(reverse("orgs:proposal_list")).content.decode()
    assert "我的修改建议" in client.get(reverse("home")).content.decode()


def test_street_staff_see_the_queue_side_by_side_and_confirm_into_the_history(world, login):
    proposal = proposal_create(
        by=world.secretary_a, organization=world.org_a, record=world.enterprise_a, reason="从业人员更正", employees=88
    )
    client = login(world.street_a_staff)
    queue = client.get(reverse("orgs:proposal_list"))
    assert list(queue.context["queue"]) == [proposal]
    detail = client.get(reverse("orgs:proposal_detail", args=[proposal.pk]))
    assert detail.context["may_decide"]
    assert detail.context["rows"][0] | {} == {
        "field": "employees",
        "label": "从业人员数",
        "old": "20",
        "now": "20",
        "new": "88",
        "stale": False,
    }
    response = client.post(reverse("orgs:proposal_confirm", args=[proposal.pk]), {"note": "已核实"})
    assert response.status_code == 302
    world.enterprise_a.refresh_from_db()
    proposal.refresh_from_db()
    assert world.enterprise_a.employees == 88
    assert proposal.status == ChangeProposal.Status.CONFIRMED and proposal.decided_by == world.street_a_staff
    entry = _updates(world.enterprise_a).get()
    assert entry.actor == world.street_a_staff
    assert entry.additional_data == {"reason": f"从业人员更正（采纳{world.secretary_a}提出的修改建议）"}
    page = client.get(reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk])).content.decode()
    assert "20 → 88" in page and "采纳" in page
    # Decided proposals leave the queue.
    assert not client.get(reverse("orgs:proposal_list")).context["queue"]


def test_organization_facts_are_proposed_and_rejected_with_a_note(world, login):
    client = login(world.secretary_a)
    org = world.org_a
    data = {
        "name": org.name,
        "org_type": org.org_type,
        "formation_mode": org.formation_mode,
        "street": org.street_id,
        "secretary_name": "王新",
        "reason": "书记调整",
    }
    response = client.post(reverse("orgs:organization_propose", args=[org.pk]), data)
    assert response.status_code == 302, response.content.decode()
    proposal = ChangeProposal.objects.get(enterprise=None)
    assert set(proposal.values) == {"secretary_name"}
    staff = login(world.district)
    response = staff.post(reverse("orgs:proposal_reject", args=[proposal.pk]), {"note": ""})
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING  # a rejection needs its note
    staff.post(reverse("orgs:proposal_reject", args=[proposal.pk]), {"note": "请先登记换届"})
    proposal.refresh_from_db()
    org.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.REJECTED and proposal.decision_note == "请先登记换届"
    assert org.secretary_name != "王新"
    home = login(world.secretary_a).get(reverse("home")).content.decode()
    assert "已退回" in home and "请先登记换届" in home


def test_outsiders_get_404(world, login):
    proposal = proposal_create(
        by=world.secretary_a, organization=world.org_a, record=world.enterprise_a, reason="更正", employees=88
    )
    street_b = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    for user in (world.secretary_b, street_b, world.instructor):
        client = login(user)
        for name in ("orgs:proposal_detail", "orgs:proposal_confirm", "orgs:proposal_reject"):
            method = client.get if name == "orgs:proposal_detail" else client.post
            assert method(reverse(name, args=[proposal.pk]), {"note": "x"}).status_code == 404, (user, name)
        listed = client.get(reverse("orgs:proposal_list"))
        assert listed.status_code == 403 or proposal not in list(listed.context["page"])
    assert (
        login(world.secretary_b).get(reverse("orgs:enterprise_propose", args=[world.enterprise_a.pk])).status_code
        == 404
    )
    assert login(world.secretary_b).get(reverse("orgs:organization_propose", args=[world.org_a.pk])).status_code == 404
    # Staff reach the record but propose nothing: they edit it.
    assert (
        login(world.street_a_staff).get(reverse("orgs:enterprise_propose", args=[world.enterprise_a.pk])).status_code
        == 403
    )
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING


def test_the_proposer_never_decides_their_own(world, login):
    both = grant(UserFactory(username="both"), Role.SECRETARY, organization=world.org_a)
    grant(both, Role.STREET, region=world.street_a)
    proposal = proposal_create(
        by=both, organization=world.org_a, record=world.enterprise_a, reason="更正", employees=88
    )
    client = login(both)
    assert proposal not in list(client.get(reverse("orgs:proposal_list")).context["queue"])
    assert not client.get(reverse("orgs:proposal_detail", args=[proposal.pk])).context["may_decide"]
    response = client.post(reverse("orgs:proposal_confirm", args=[proposal.pk]), {"note": ""})
    assert response.status_code == 403
    assert "不能确认或退回自己提出的修改建议" in response.content.decode()
    proposal.refresh_from_db()
    world.enterprise_a.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING and world.enterprise_a.employees == 20


def test_a_stale_proposal_is_refused_on_confirm(world, login):
    proposal = proposal_create(
        by=world.secretary_a, organization=world.org_a, record=world.enterprise_a, reason="更正", employees=88
    )
    enterprise_edit(enterprise=world.enterprise_a, by=world.district, reason="普查更正", employees=30)
    client = login(world.street_a_staff)
    detail = client.get(reverse("orgs:proposal_detail", args=[proposal.pk]))
    assert detail.context["rows"][0]["stale"]
    response = client.post(reverse("orgs:proposal_confirm", args=[proposal.pk]), {"note": ""}, follow=True)
    assert "提出建议后，从业人员数已被修改，不能确认" in response.content.decode()
    world.enterprise_a.refresh_from_db()
    proposal.refresh_from_db()
    assert world.enterprise_a.employees == 30 and proposal.status == ChangeProposal.Status.PENDING


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"phone": "12345", "reason": "更正电话"}, "phone", "电话号码格式不正确"),
        ({"status": "suspended", "reason": "企业停业"}, "closed_on", "停业或注销须填写停业/注销日期"),
        ({"employees": 88, "reason": ""}, "reason", ""),
        ({"members_total": 9, "reason": "更正党员数"}, "members_total", "正式党员数与预备党员数之和"),
    ],
)
def test_bad_input_is_named_and_nothing_written(world, login, changes, field, words):
    response = _propose(login(world.secretary_a), world.enterprise_a, **changes)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert not ChangeProposal.objects.exists()


def test_confirm_needs_the_editor_rights_of_the_record(world, login):
    """A leader reaches the proposal and may decide nothing."""
    proposal = proposal_create(
        by=world.secretary_a, organization=world.org_a, record=world.enterprise_a, reason="更正", employees=88
    )
    response = login(world.leader).post(reverse("orgs:proposal_confirm", args=[proposal.pk]), {"note": ""})
    assert response.status_code == 403
    with pytest.raises(Exception, match="处理该修改建议"):
        proposal_confirm(proposal=proposal, by=world.secretary_b)
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING
