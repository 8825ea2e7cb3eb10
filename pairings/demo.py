"""Demo pairings for seed_demo: every kind in the first district's streets,
with visits this quarter and last (some quarters short of the quota, some
problems found and settled). The demo leader leads the first street's area.
Its own random stream, so the other demo data stay as they were."""

import random
from datetime import date, timedelta

from members.models import Member, Stage
from orgs.models import Enterprise, Region, User

from .models import Pairing, PairingKind, SideKind, Visit
from .selectors import previous_quarter, quarter_of

DEPARTMENTS = ["区经信局", "区人社局", "区市场监管局", "区税务局", "街道经济发展办"]
FINDINGS = [
    "了解企业生产经营和用工情况",
    "企业反映招工难，技术工人缺口较大",
    "宣传党建政策，了解党员教育管理情况",
    "企业反映融资困难，希望对接银行",
    "了解困难职工家庭情况，送去慰问",
    "与流动党员电话联系，了解近况",
]
FOLLOW_UPS = ["下季度回访", "对接相关部门协调解决", "指导做好党员发展工作", ""]


def seed(*, as_of: date, streets_max: int = 4) -> int:
    """Write the demo pairings; returns how many. Runs after the demo users exist."""
    rng = random.Random(20261202)
    district_user = User.objects.filter(username="district").first()
    street_user = User.objects.filter(username="street").first()
    leader = User.objects.filter(username="leader").first()
    street_of_demo = street_user.role_grants.first().region if street_user else None  # type: ignore[union-attr]
    if street_of_demo is None or district_user is None:
        return 0
    streets = list(Region.objects.filter(parent_id=street_of_demo.parent_id, kind=Region.Kind.STREET).order_by("pk"))
    streets = [street_of_demo] + [s for s in streets if s.pk != street_of_demo.pk][: streets_max - 1]
    starts = as_of - timedelta(days=400)
    pairings: list[Pairing] = []
    for index, street in enumerate(streets):
        enterprises = list(Enterprise.objects.filter(street=street).order_by("pk")[:40])
        members = list(
            Member.objects.filter(organization__street=street, status=Member.Status.ACTIVE)
            .select_related("enterprise")
            .order_by("pk")[:300]
        )
        formal = [m for m in members if m.stage == Stage.FORMAL]
        candidates = [m for m in members if m.stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)]
        mobile = [m for m in members if m.mobility]
        if not enterprises or not formal:
            continue
        cadre = street_user if index == 0 else district_user

        def add(kind: str, side_kind: str, **fields: object) -> None:
            pairings.append(
                Pairing(
                    kind=kind,
                    side_kind=side_kind,
                    street=street,  # noqa: B023
                    starts_on=starts,
                    quota_per_quarter=rng.choice([1, 1, 2, 3]),
                    created_by=district_user,
                    **fields,
                )
            )

        for e in enterprises[:3]:
            add(PairingKind.DEPARTMENT_ENTERPRISE, SideKind.DEPARTMENT, side_name=rng.choice(DEPARTMENTS), enterprise=e)
        if index == 0 and leader is not None:
            add(PairingKind.LEADER_AREA, SideKind.LEADER, side_user=leader)
        for e in enterprises[3:6]:
            add(PairingKind.CADRE_POINT, SideKind.CADRE, side_user=cadre, enterprise=e)
        for e in enterprises[6:8]:
            owner = e.owner_name or "业主"
            add(
                PairingKind.COMMITTEE_OWNER,
                SideKind.MEMBER,
                side_member=rng.choice(formal),
                enterprise=e,
                target_name=owner,
            )
        for target in candidates[:2]:
            add(
                PairingKind.MEMBER_CANDIDATE,
                SideKind.MEMBER,
                side_member=rng.choice(formal),
                target_member=target,
                enterprise=target.enterprise,
            )
        for e in enterprises[8:10]:
            name = "困难职工" + rng.choice("甲乙丙丁")
            add(
                PairingKind.MEMBER_HARDSHIP,
                SideKind.MEMBER,
                side_member=rng.choice(formal),
                enterprise=e,
                target_name=name,
            )
        station = f"{street.name}党群服务站"
        for target in mobile[:2]:
            add(
                PairingKind.STATION_MOBILE,
                SideKind.STATION,
                side_name=station,
                target_member=target,
                enterprise=target.enterprise,
            )
        if not mobile:
            add(
                PairingKind.STATION_MOBILE,
                SideKind.STATION,
                side_name=station,
                enterprise=enterprises[0],
                target_name="流动党员甲",
            )
    created = Pairing.objects.bulk_create(pairings)

    visits: list[Visit] = []
    this_start, _this_end = quarter_of(as_of)
    for pairing in created:
        for start, end, top in ((*previous_quarter(as_of), pairing.quota_per_quarter + 1), (this_start, as_of, 2)):
            # Some quarters end short of the quota.
            for _ in range(rng.randint(0, top)):
                day = start + timedelta(days=rng.randint(0, max((end - start).days, 0)))
                problem = rng.random() < 0.3
                settled = day + timedelta(days=rng.randint(3, 30)) if problem and rng.random() < 0.6 else None
                visits.append(
                    Visit(
                        pairing=pairing,
                        visited_on=day,
                        kind=rng.choice(Visit.Kind.values),
                        findings=rng.choice(FINDINGS),
                        follow_up=rng.choice(FOLLOW_UPS),
                        problem_found=problem,
                        settled_on=settled if settled and settled <= as_of else None,
                        created_by=pairing.side_user or pairing.created_by,
                    )
                )
    Visit.objects.bulk_create(visits)
    return len(created)
