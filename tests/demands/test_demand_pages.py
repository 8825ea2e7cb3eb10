"""The library's pages: scoped lists, 404 outside scope, buttons as the policy
says, forms that refuse bad input in Chinese and write nothing."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from demands.models import DemandClaim, DemandProject
from demands.services import demand_claim


def test_list_is_scoped(world, projects, login):
    body = login(world.secretary_b).get(reverse("demands:list")).content.decode()
    assert "区级项目" in body and "甲街道项目" not in body and "甲支部项目" not in body
    body = login(world.secretary_a).get(reverse("demands:list")).content.decode()
    assert all(title in body for title in ("区级项目", "甲街道项目", "甲支部项目"))
    body = login(world.district).get(reverse("demands:list"), {"level": "C"}).content.decode()
    assert "甲支部项目" in body and "甲街道项目" not in body
    assert login(world.instructor).get(reverse("demands:list")).status_code == 403


def test_outsider_gets_404_and_writes_nothing(world, projects, login, street_b_staff):
    for user in (world.secretary_b, street_b_staff):
        client = login(user)
        for level in ("B", "C"):
            pk = projects[level].pk
            assert client.get(reverse("demands:detail", args=[pk])).status_code == 404
            for name in ("claim", "check", "complete", "send_back", "rectified", "exit"):
                assert client.post(reverse(f"demands:{name}", args=[pk]), {"reason": "x"}).status_code == 404
    assert not DemandClaim.objects.exists()
    assert set(DemandProject.objects.values_list("state", flat=True)) == {"open"}


def _buttons(client, project):
    body = client.get(reverse("demands:detail", args=[project.pk])).content.decode()
    names = ("claim", "check", "complete", "send_back", "rectified", "exit")
    return {name for name in names if reverse(f"demands:{name}", args=[project.pk]) in body}


def test_buttons_follow_the_policy(world, projects, login):
    assert _buttons(login(world.district), projects["A"]) == {"claim", "check", "exit"}
    assert _buttons(login(world.secretary_a), projects["A"]) == {"claim"}
    assert _buttons(login(world.street_a_staff), projects["B"]) == {"claim", "exit"}
    assert _buttons(login(world.street_a_staff), projects["C"]) == {"claim", "check", "exit"}
    assert _buttons(login(world.leader), projects["A"]) == set()
    demand_claim(project=projects["C"], by=world.secretary_a, organization=world.org_a)
    assert _buttons(login(world.secretary_a), projects["C"]) == {"claim", "complete", "send_back", "exit"}


def test_set_up_form(world, login):
    client = login(world.secretary_a)
    page = client.get(reverse("demands:create")).content.decode()
    assert "C类（党组织）" in page and "A类（区县）" not in page
    data = {
        "level": "C",
        "organization": world.org_a.pk,
        "title": "职工书屋建设",
        "proposer_kind": "employee",
        "collected_by": "forum",
        "target_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
    }
    answer = client.post(reverse("demands:create"), data)
    assert answer.status_code == 200 and "计划完成日期：不能早于建单日期" in answer.content.decode()
    assert not DemandProject.objects.exists()
    data["target_date"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    answer = client.post(reverse("demands:create"), data)
    project = DemandProject.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("demands:detail", args=[project.pk])
    assert (project.level, project.organization, project.created_by) == ("C", world.org_a, world.secretary_a)
    assert login(world.leader).get(reverse("demands:create")).status_code == 403


def test_complete_form_refuses_a_bad_satisfaction(world, projects, login):
    project = projects["C"]
    demand_claim(project=project, by=world.secretary_a, organization=world.org_a)
    client = login(world.secretary_a)
    answer = client.post(reverse("demands:complete", args=[project.pk]), {"satisfaction": "7"})
    assert answer.status_code == 200 and "满意度：应为 1 到 5 之间的整数" in answer.content.decode()
    project.refresh_from_db()
    assert (project.state, project.satisfaction) == ("claimed", None)
    answer = client.post(reverse("demands:complete", args=[project.pk]), {"satisfaction": "4"})
    project.refresh_from_db()
    assert answer.status_code == 302 and (project.state, project.satisfaction) == ("completed", 4)


def test_claim_on_an_exited_project_from_the_page(world, projects, login):
    project = projects["B"]
    client = login(world.street_a_staff)
    assert client.post(reverse("demands:exit", args=[project.pk]), {"reason": "需求已变化"}).status_code == 302
    answer = client.post(reverse("demands:claim", args=[project.pk]), {"organization": world.org_a.pk})
    assert answer.status_code == 200 and "该项目已退出，不能认领" in answer.content.decode()
    assert not DemandClaim.objects.exists()


def test_figures_on_dashboard_and_bulletin(world, projects, login):
    client = login(world.district)
    for name in ("orgs:dashboard", "orgs:bulletin"):
        body = client.get(reverse(name)).content.decode()
        assert 'data-testid="demand-figures"' in body, name
