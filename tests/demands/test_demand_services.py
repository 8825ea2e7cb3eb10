"""The demand library's services: the main path, each bad input refused in
Chinese with nothing written, and who may do what."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ApplicationError
from demands.models import DemandCheck, DemandClaim, DemandProject, DemandStep
from demands.services import (
    demand_check,
    demand_claim,
    demand_complete,
    demand_exit,
    demand_rectified,
    demand_send_back,
    demand_set_up,
)

from .conftest import set_up, yesterday

State = DemandProject.State


def counts():
    return (
        DemandProject.objects.count(),
        DemandClaim.objects.count(),
        DemandCheck.objects.count(),
        DemandStep.objects.count(),
        list(DemandProject.objects.order_by("pk").values_list("state", "satisfaction", "exit_reason")),
    )


def refused(match, call, **kwargs):
    before = counts()
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    assert match in " ".join(info.value.messages)
    assert counts() == before
    return info.value


def test_main_path_set_up_claim_check_complete(world, projects):
    project = projects["B"]
    assert project.state == State.OPEN and project.district == world.street_a.parent
    demand_claim(project=project, by=world.secretary_a, members=[world.member_a], claimed_on=yesterday())
    demand_claim(project=project, by=world.street_a_staff, organization=world.org_a)
    project.refresh_from_db()
    assert project.state == State.CLAIMED
    assert sorted(c.claimant_name for c in project.claims.all()) == ["中共甲企业支部委员会", "张甲"]
    check = demand_check(project=project, by=world.district, checked_on=yesterday(), finding="进展顺利")
    assert check.kind == DemandCheck.Kind.QUARTERLY
    demand_complete(project=project, by=world.street_a_staff, satisfaction=4)
    project.refresh_from_db()
    assert (project.state, project.satisfaction, project.completed_on) == (State.COMPLETED, 4, timezone.localdate())
    assert list(project.steps.values_list("action", flat=True)) == [
        "set_up",
        "claimed",
        "claimed",
        "checked",
        "completed",
    ]


def test_send_back_rectify_and_exit(world, projects):
    project = projects["C"]
    demand_claim(project=project, by=world.secretary_a, organization=world.org_a)
    demand_send_back(project=project, by=world.secretary_a, reason="效果不明显")
    project.refresh_from_db()
    assert (project.state, project.rectification_reason) == (State.RECTIFYING, "效果不明显")
    refused("正在整改", demand_complete, project=project, by=world.secretary_a, satisfaction=5)
    demand_rectified(project=project, by=world.secretary_a, note="已补充人手")
    project.refresh_from_db()
    assert project.state == State.CLAIMED
    demand_exit(project=project, by=world.secretary_a, reason="企业需求已变化")
    project.refresh_from_db()
    assert (project.state, project.exit_reason) == (State.EXITED, "企业需求已变化")


def test_a_check_finding_rectification_sends_a_claimed_project_back(world, projects):
    project = projects["C"]
    demand_claim(project=project, by=world.secretary_a, organization=world.org_a)
    check = demand_check(
        project=project, by=world.street_a_staff, checked_on=yesterday(), finding="进度滞后", result="rectify"
    )
    project.refresh_from_db()
    assert check.kind == DemandCheck.Kind.SPOT
    assert (project.state, project.rectification_reason) == (State.RECTIFYING, "进度滞后")


def test_claim_on_an_exited_or_completed_project_is_refused(world, projects):
    project = projects["B"]
    demand_exit(project=project, by=world.street_a_staff, reason="效果差")
    refused("已退出", demand_claim, project=project, by=world.street_a_staff, organization=world.org_a)
    done = projects["C"]
    demand_claim(project=done, by=world.secretary_a, organization=world.org_a)
    demand_complete(project=done, by=world.secretary_a, satisfaction=5)
    refused("已完成", demand_claim, project=done, by=world.secretary_a, members=[world.member_a])


@pytest.mark.parametrize("value", [0, 6, -1, "abc", "", None, "3.5", 2.5, True])
def test_satisfaction_outside_1_to_5_is_refused(world, projects, value):
    project = projects["C"]
    demand_claim(project=project, by=world.secretary_a, organization=world.org_a)
    refused("满意度", demand_complete, project=project, by=world.secretary_a, satisfaction=value)


def test_check_in_the_future_or_before_set_up_is_refused(world, projects):
    project = projects["A"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    check = {"project": project, "by": world.district, "finding": "x"}
    refused("检查日期：不能晚于今天", demand_check, checked_on=tomorrow, **check)
    refused("检查日期：不能早于建单日期", demand_check, checked_on=project.set_up_on - timedelta(days=1), **check)
    refused("检查情况", demand_check, project=project, by=world.district, checked_on=yesterday(), finding="  ")


def test_completion_of_an_unclaimed_project_is_refused(world, projects):
    refused("尚未认领", demand_complete, project=projects["A"], by=world.district, satisfaction=5)


def test_target_date_before_set_up_is_refused(world):
    today = timezone.localdate()
    error = refused(
        "计划完成日期：不能早于建单日期",
        demand_set_up,
        by=world.district,
        level="A",
        owner=world.street_a.parent,
        title="项目",
        proposer_kind="enterprise",
        collected_by="poll",
        target_date=today - timedelta(days=1),
    )
    assert "target_date" in error.message_dict


def test_set_up_is_refused_to_the_wrong_level(world):
    district = world.street_a.parent
    kwargs = {"title": "项目", "proposer_kind": "employee", "collected_by": "poll"}
    target = timezone.localdate() + timedelta(days=30)
    for by, level, owner in [
        (world.street_a_staff, "A", district),
        (world.secretary_a, "B", world.street_a),
        (world.street_a_staff, "B", world.street_b),
        (world.secretary_b, "C", world.org_a),
        (world.leader, "A", district),
    ]:
        with pytest.raises(ApplicationError):
            demand_set_up(by=by, level=level, owner=owner, target_date=target, **kwargs)
    assert not DemandProject.objects.exists()
    # Staff above a C project's organization may set it up too.
    assert set_up(world.street_a_staff, "C", world.org_a).organization == world.org_a


def test_claims_only_within_the_projects_reach(world, projects):
    # Secretary B may not claim org A's C project, nor for org B on street A's B project.
    refused("登记认领", demand_claim, project=projects["C"], by=world.secretary_b, organization=world.org_b)
    refused("登记认领", demand_claim, project=projects["B"], by=world.secretary_b, organization=world.org_b)
    # On the district's A project org B's secretary claims for org B, never for org A.
    refused("不在本项目范围内", demand_claim, project=projects["A"], by=world.secretary_b, organization=world.org_a)
    refused("不在本项目范围内", demand_claim, project=projects["A"], by=world.secretary_b, members=[world.member_a])
    demand_claim(project=projects["A"], by=world.secretary_b, members=[world.member_b])
    refused("已认领", demand_claim, project=projects["A"], by=world.secretary_b, members=[world.member_b])
    refused("二者选一", demand_claim, project=projects["A"], by=world.district)


def test_checks_by_level(world, projects):
    # A and B: district staff only; C: district or street staff, never the secretary.
    refused("跟单", demand_check, project=projects["B"], by=world.street_a_staff, checked_on=yesterday(), finding="x")
    refused("跟单", demand_check, project=projects["C"], by=world.secretary_a, checked_on=yesterday(), finding="x")
    demand_check(project=projects["B"], by=world.district, checked_on=yesterday(), finding="正常")
    demand_check(project=projects["C"], by=world.district, checked_on=yesterday(), finding="正常")


def test_only_who_runs_the_project_completes_or_exits_it(world, projects):
    project = projects["B"]
    demand_claim(project=project, by=world.secretary_a, organization=world.org_a)
    refused("完成评价", demand_complete, project=project, by=world.secretary_a, satisfaction=5)
    refused("退出", demand_exit, project=project, by=world.secretary_a, reason="x")
    refused("退出原因", demand_exit, project=project, by=world.street_a_staff, reason=" ")
    refused("整改原因", demand_send_back, project=project, by=world.street_a_staff, reason="")
