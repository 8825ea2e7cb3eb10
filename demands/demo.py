"""Demo data of the demand library: projects of every class in every state
in the demo's first district (some overdue, some not checked for a quarter),
with claims and checks, all written through the services as real work is."""

from __future__ import annotations

import random
from datetime import date, timedelta

from members.models import Member
from orgs.models import PartyOrganization, Role, RoleGrant, User

from .models import DemandCheck, DemandProject
from .services import (
    demand_check,
    demand_claim,
    demand_complete,
    demand_exit,
    demand_send_back,
    demand_set_up,
)

State = DemandProject.State

TITLES = {
    "A": [
        "“红色代办”企业开办全程帮办",
        "两新组织党务干部轮训",
        "产业工人技能提升订单式培训",
        "“党建+金融”企业融资对接会",
        "高层次人才子女入学协调",
        "两新组织党员教育基地共建",
    ],
    "B": [
        "园区职工子女暑期托管",
        "街道共享党建活动阵地建设",
        "外来务工人员租房信息平台",
        "楼宇青年职工联谊活动",
        "园区食堂夜间供餐",
        "街道企业用工信息共享",
    ],
    "C": [
        "车间党员先锋岗设立",
        "职工书屋建设",
        "困难职工结对帮扶",
        "新员工入职“师带徒”",
        "企业文化墙更新",
        "党员志愿服务队组建",
    ],
}
DESCRIPTIONS = {
    State.OPEN: "经征集梳理后建单，等待党员或党组织认领。",
    State.CLAIMED: "已由党员或党组织认领，正在推进。",
    State.RECTIFYING: "跟单检查发现推进缓慢，已退回整改。",
    State.COMPLETED: "已按计划完成，需求提出方已评价。",
    State.EXITED: "实施效果不佳，经评估退出需求库。",
}
# Per class: (final state, set up days before today, target days after set-up, checked lately)
PLAN = [
    (State.OPEN, 40, 120, False),
    (State.OPEN, 150, 60, False),  # overdue, never claimed
    (State.CLAIMED, 120, 150, True),
    (State.CLAIMED, 130, 90, False),  # overdue and (A/B) not checked for a quarter
    (State.RECTIFYING, 100, 120, True),
    (State.COMPLETED, 200, 90, True),
    (State.EXITED, 180, 120, True),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def seed(*, as_of: date, seed: int = 0) -> int:
    """Write the demo projects; returns how many. Needs the demo accounts."""
    rng = random.Random(seed)
    district_user, street_user, secretary = _user("district"), _user("street"), _user("secretary")
    if district_user is None or street_user is None or secretary is None:
        return 0
    street_grant = RoleGrant.objects.filter(user=street_user, role=Role.STREET).select_related("region").first()
    org_grant = RoleGrant.objects.filter(user=secretary, role=Role.SECRETARY).select_related("organization").first()
    if street_grant is None or org_grant is None or street_grant.region is None or org_grant.organization is None:
        return 0
    street = street_grant.region
    district = street.parent
    own_org = org_grant.organization
    owners = {
        "A": (district, district_user, district_user),
        "B": (street, street_user, district_user),
        "C": (own_org, secretary, street_user if own_org.street_id == street.pk else district_user),
    }
    count = 0
    for level, (owner, runner, checker) in owners.items():
        scope = PartyOrganization.objects.filter(dissolved_on__isnull=True)
        if level == "A":
            scope = scope.filter(street__parent=district)
        elif level == "B":
            scope = scope.filter(street=street)
        else:
            scope = scope.filter(pk=own_org.pk)
        claimers = list(scope.order_by("pk")[:40])
        for n, (state, ago, span, checked) in enumerate(PLAN):
            set_up_on = as_of - timedelta(days=ago)
            project = demand_set_up(
                by=runner,
                level=level,
                owner=owner,
                title=TITLES[level][n % len(TITLES[level])] + ("（二期）" if n >= len(TITLES[level]) else ""),
                description=DESCRIPTIONS[state],
                proposer_kind=rng.choice(DemandProject.Proposer.values),
                collected_by=rng.choice(DemandProject.Collection.values),
                set_up_on=set_up_on,
                target_date=set_up_on + timedelta(days=span),
            )
            count += 1
            if state == State.OPEN:
                continue
            claimed_on = set_up_on + timedelta(days=rng.randint(3, 20))
            organization = rng.choice(claimers) if claimers else own_org
            members = list(
                Member.objects.filter(organization=organization, status=Member.Status.ACTIVE).order_by("pk")[:2]
            )
            if n % 2 and members:
                demand_claim(project=project, by=runner, members=members, claimed_on=claimed_on)
            else:
                demand_claim(project=project, by=runner, organization=organization, claimed_on=claimed_on)
            if checked:
                demand_check(
                    project=project,
                    by=checker,
                    checked_on=max(claimed_on, min(as_of - timedelta(days=rng.randint(5, 40)), project.target_date)),
                    finding="查看台账并走访需求提出方，项目按计划推进。",
                )
            if state == State.RECTIFYING:
                demand_check(
                    project=project,
                    by=checker,
                    checked_on=as_of - timedelta(days=3),
                    finding="进度滞后于计划，党员群众评价一般，请限期整改。",
                    result=DemandCheck.Result.RECTIFY,
                )
            elif state == State.COMPLETED:
                demand_complete(
                    project=project,
                    by=runner,
                    satisfaction=rng.choice([3, 4, 4, 5, 5]),
                    completed_on=min(project.target_date, as_of - timedelta(days=2)),
                )
            elif state == State.EXITED:
                demand_send_back(project=project, by=runner, reason="实施效果不明显，需求提出方评价较差。")
                demand_exit(project=project, by=runner, reason="整改后仍达不到预期，经评估退出。", exited_on=as_of)
    return count
