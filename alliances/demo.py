"""Demo alliances for seed_demo: a few 产业链党建联盟 along the chains the
demo district has (装备制造, 软件和信息服务, 港口物流, and one dissolved
食品加工 alliance), with X and N members, problems in every state and joint
activities. Written through the services, as staff would, from its own
random stream so the rest of the demo keeps its data."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db.models import Q

from activities.models import ActivityType
from orgs.models import BusinessStatus, Enterprise, PartyOrganization, Region, User

from . import services
from .models import Alliance, ProblemCategory

# (chain, GB/T 4754 section the demo's enterprises of that chain are filed under, lead kind)
CHAINS = [
    ("装备制造", "C", Alliance.LeadKind.ENTERPRISE),
    ("软件和信息服务", "I", Alliance.LeadKind.ASSOCIATION),
    ("港口物流", "G", Alliance.LeadKind.PARK),
    ("食品加工", "H", Alliance.LeadKind.ENTERPRISE),
]
PROBLEMS = [
    ("复工复产防疫物资短缺", ProblemCategory.RESUMPTION),
    ("外贸订单下滑，需对接国内渠道", ProblemCategory.ORDERS),
    ("技术工人招聘难", ProblemCategory.LABOUR),
    ("流动资金贷款到期续贷", ProblemCategory.FINANCING),
    ("钢材原料价格上涨", ProblemCategory.MATERIALS),
    ("厂区疫情防控方案备案", ProblemCategory.PREVENTION),
    ("联合采购降低成本", ProblemCategory.PURCHASING),
    ("新产品进入本地市场", ProblemCategory.MARKET),
    ("园区道路施工影响通行", ProblemCategory.OTHER),
]
FIRST_SECRETARIES = [
    ("王立新", "区委组织部副部长"),
    ("刘志强", "街道党工委副书记"),
    ("陈海涛", "区商务局局长"),
    ("赵明", "区工信局副局长"),
]
SECRETARIES_GENERAL = [
    ("孙丽", "区两新工委干事"),
    ("周凯", "街道非公党委委员"),
    ("吴静", "行业协会秘书长"),
    ("郑伟", "园区党委委员"),
]


def _active_orgs() -> Q:
    return Q(dissolved_on__isnull=True)


def seed(*, district: Region, secretary_organization: PartyOrganization | None, as_of: date, seed: int) -> int:
    """The demo's alliances in `district`; the first is led by the demo
    secretary's organization, in its street. Returns how many were made."""
    rng = random.Random(seed + 18)
    staff = User.objects.filter(username="district").first()
    if staff is None:
        return 0
    streets = list(Region.objects.filter(parent=district, kind=Region.Kind.STREET).order_by("pk"))
    made = 0
    used_orgs: set[int] = set()
    for index, (chain, code, lead_kind) in enumerate(CHAINS):
        chain_enterprises = list(
            Enterprise.objects.filter(street__in=streets, industry_id=code, status=BusinessStatus.OPERATING)
            .exclude(surveys__isnull=True)
            .order_by("pk")
        )
        with_org = [e for e in chain_enterprises if e.organizations.filter(_active_orgs()).exists()]
        without_org = [e for e in chain_enterprises if e not in with_org]
        orgs = list(
            PartyOrganization.objects.filter(_active_orgs(), enterprises__in=with_org)
            .exclude(pk__in=used_orgs)
            .distinct()
            .order_by("pk")
        )
        if index == 0 and secretary_organization is not None:
            lead_org = secretary_organization
        elif orgs:
            lead_org = orgs.pop(0)
        else:
            continue
        used_orgs.add(lead_org.pk)
        region = lead_org.street if index != 1 else district
        founded = as_of - timedelta(days=420 - 60 * index)
        lead_enterprise = lead_org.enterprises.order_by("pk").first()
        park = Region.objects.filter(kind=Region.Kind.PARK, parent=lead_org.street).order_by("pk").first()
        if lead_kind == Alliance.LeadKind.PARK and park is None:
            lead_kind = Alliance.LeadKind.ASSOCIATION
        if lead_kind == Alliance.LeadKind.ENTERPRISE and lead_enterprise is None:
            lead_kind = Alliance.LeadKind.ASSOCIATION
        first, first_post = FIRST_SECRETARIES[index]
        general, general_post = SECRETARIES_GENERAL[index]
        alliance = services.alliance_create(
            by=staff,
            name=f"{district.name}{chain}产业链党建联盟",
            chain=chain,
            region=region,
            lead_kind=lead_kind,
            lead_enterprise=lead_enterprise if lead_kind == Alliance.LeadKind.ENTERPRISE else None,
            lead_association=f"{district.name}{chain}行业协会" if lead_kind == Alliance.LeadKind.ASSOCIATION else "",
            lead_park=park if lead_kind == Alliance.LeadKind.PARK else None,
            lead_organization=lead_org,
            first_secretary=first,
            first_secretary_post=first_post,
            secretary_general=general,
            secretary_general_post=general_post,
            founded_on=founded,
        )
        made += 1
        x_members = []
        for org in orgs[:4]:
            joined = founded + timedelta(days=rng.randrange(0, 60))
            if org.founded_on is not None and org.founded_on > joined:
                continue
            services.member_add(by=staff, alliance=alliance, organization=org, joined_on=joined)
            used_orgs.add(org.pk)
            x_members.append(org)
        n_members = []
        for e in without_org[: 5 if index < 3 else 3]:
            joined = founded + timedelta(days=rng.randrange(0, 90))
            services.member_add(by=staff, alliance=alliance, enterprise=e, joined_on=joined)
            n_members.append((e, joined))
        if len(n_members) > 3:
            # One N member left again: its coverage through the alliance ends that day.
            services.member_leave(
                by=staff,
                member=alliance.members.get(enterprise=n_members[-1][0]),
                left_on=min(as_of, n_members[-1][1] + timedelta(days=200)),
            )
        raisers = [e for e, _joined in n_members[:3]] + [o.enterprises.order_by("pk").first() for o in x_members[:2]]
        raisers = [e for e in raisers if e is not None]
        for k, (title, category) in enumerate(rng.sample(PROBLEMS, min(len(PROBLEMS), 5 + index % 2))):
            if not raisers:
                break
            enterprise = raisers[k % len(raisers)]
            joined = alliance.members.filter(Q(enterprise=enterprise) | Q(organization__enterprises=enterprise))
            start = max([founded, *[m.joined_on for m in joined]]) + timedelta(days=1)
            end = min(as_of, start + timedelta(days=300))
            if end <= start:
                continue
            raised = start + timedelta(days=rng.randrange(0, (end - start).days))
            problem = services.problem_raise(
                by=staff,
                alliance=alliance,
                enterprise=enterprise,
                title=title,
                category=category,
                raised_on=raised,
                handler=general,
            )
            # Most are resolved (the article reports 92.4%); some still open.
            if k % 3 != 2 and raised + timedelta(days=7) <= as_of:
                services.problem_resolve(
                    by=staff,
                    problem=problem,
                    resolved_on=raised + timedelta(days=rng.randrange(3, 8)),
                    resolution="联盟牵头协调成员单位对接解决，已回访企业",
                )
        attendees = [lead_org, *x_members[:3]]
        for k, (title, kind) in enumerate(
            [
                ("产业链党建联盟联合主题党日", ActivityType.THEME_DAY),
                ("链上企业党员联合党课", ActivityType.PARTY_LECTURE),
            ]
        ):
            held = founded + timedelta(days=90 + 120 * k)
            if held > as_of:
                continue
            present = [
                o
                for o in attendees
                if o == lead_org or alliance.members.filter(organization=o, joined_on__lte=held).exists()
            ]
            services.joint_activity_record(
                by=staff,
                alliance=alliance,
                held_on=held,
                title=title,
                activity_type=kind,
                organizations=present,
                content="链上企业党组织共同参加，交流产业链协同发展",
            )
        if index == 3:
            services.alliance_dissolve(
                by=staff, alliance=alliance, dissolved_on=min(as_of, founded + timedelta(days=300))
            )
    return made
