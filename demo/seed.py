"""A realistic, deterministic demo district.

Distributions follow the survey: most small firms have no party member, a
few have many; organizations of every type and mode; members at every stage;
twelve months of activities with realistic gaps; fund accounts with entries.
Everything is generated from one `random.Random(seed)` and written with bulk
inserts, so the same seed gives the same data and 100,000 enterprises take
minutes, not hours.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import ric, uscc

from activities.models import Activity, ActivityType, Attendance
from activities.reference import ensure_reference_data as ensure_activity_reference
from core.crypto import blind_index
from core.errors import ApplicationError
from funds.models import FundAccount, TransactionKind
from funds.services import (
    account_open,
    application_approve,
    application_create,
    external_account,
    ledger_post,
    pool_account,
)
from members.models import Member, MemberEvent, Stage
from orgs.models import (
    BusinessStatus,
    Enterprise,
    EnterpriseSurvey,
    FormationMode,
    Industry,
    InstructorAssignment,
    InstructorVisit,
    LegalType,
    OrgSetup,
    PartyOrganization,
    Region,
    Role,
    RoleGrant,
    User,
    VenueChecklist,
)
from orgs.reference import ensure_reference_data as ensure_org_reference

DEFAULT_PASSWORD = "Dangjian@2026"
BATCH = 2000

STREETS = [
    "马栏街道",
    "春柳街道",
    "香炉礁街道",
    "西安路街道",
    "南沙河口街道",
    "星海湾街道",
    "李家街道",
    "黑石礁街道",
    "白山路街道",
]
PARKS = {
    "马栏街道": ["马栏专业市场"],
    "西安路街道": ["西安路商圈楼宇"],
    "黑石礁街道": ["沙河口科技园"],
    "星海湾街道": ["星海湾金融商务区"],
    "春柳街道": ["春柳工业园"],
    "香炉礁街道": ["香炉礁物流园"],
}
COMMUNITIES = ["社区一", "社区二", "社区三"]
INDUSTRY_WEIGHTS = {
    "F": 26,
    "C": 16,
    "I": 9,
    "L": 9,
    "M": 7,
    "E": 6,
    "G": 6,
    "H": 6,
    "K": 3,
    "O": 4,
    "R": 3,
    "N": 2,
    "P": 1,
    "Q": 1,
    "A": 1,
}
TRADE_WORDS = {
    "C": "机械制造",
    "F": "商贸",
    "I": "信息科技",
    "L": "商务咨询",
    "M": "科技",
    "E": "建设工程",
    "G": "物流",
    "H": "餐饮管理",
    "K": "置业",
    "O": "家政服务",
    "R": "文化传媒",
    "N": "环境工程",
    "P": "教育咨询",
    "Q": "健康管理",
    "A": "农业开发",
}
BRANDS = "星瑞科嘉信隆泰远华恒盛达鑫源宏图鼎立海天锦程博雅新禾安泰永兴聚丰润德天成瑞丰金桥万通东方远景凯旋金鼎"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅鑫波斌宇浩凯健俊帆帅旭宁亮晨欣佳琳颖婷雪倩慧"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RETURN_REASONS = ["会议记录不完整，请补充决议事项", "出席人数与签到照片不符，请核对", "请补充主题党日活动照片"]


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEFAULT_PASSWORD


class Seeder:
    def __init__(
        self, *, enterprises: int, seed: int, password: str, as_of: date, progress: Callable[[str], None] | None = None
    ):
        self.n = enterprises
        self.rng = random.Random(seed)
        self.password = password
        self.as_of = as_of
        self.progress = progress or (lambda message: None)
        self.result = SeedResult(password=password)
        self.survey_year = as_of.year if as_of >= date(as_of.year, 3, 31) else as_of.year - 1
        self.used_ids: set[str] = set()

    # --- small generators ---------------------------------------------------

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def credit_code(self, i: int) -> str:
        body = []
        value = i
        for _ in range(8):
            body.append(USCC_ALPHABET[value % 31])
            value //= 31
        stem = "91210204" + self.rng.choice("ABCDEFGHJKLMNPQRTUWXY") + "".join(reversed(body))
        return stem + uscc.calc_check_digit(stem)

    def id_number(self, birth: date) -> str:
        while True:
            stem = f"210204{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = stem + ric.calc_check_digit(stem + "0")  # stdnum expects a placeholder check digit
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def day_between(self, start: date, end: date) -> date:
        span = (end - start).days
        return start + timedelta(days=self.rng.randrange(max(span, 1)))

    # --- the district -------------------------------------------------------

    def run(self) -> SeedResult:
        ensure_org_reference()
        ensure_activity_reference()
        with transaction.atomic():
            self.regions()
            self.enterprises()
            self.organizations()
            self.members()
            self.surveys()
            self.instructors()
            self.activities()
            self.venues()
            self.users()
        # The ledger posts in its own transactions, as the real service does.
        self.funds()
        self.analyze()
        return self.result

    def regions(self) -> None:
        from django.conf import settings

        self.district = Region.objects.create(name=settings.DISTRICT_NAME, kind=Region.Kind.DISTRICT, code="210204")
        self.streets = []
        self.parks: dict[int, list[Region]] = {}
        self.communities: dict[int, list[Region]] = {}
        for index, name in enumerate(STREETS, start=1):
            street = Region.objects.create(
                name=name, kind=Region.Kind.STREET, parent=self.district, code=f"210204{index:03d}"
            )
            self.streets.append(street)
            self.parks[street.pk] = [
                Region.objects.create(name=p, kind=Region.Kind.PARK, parent=street) for p in PARKS.get(name, [])
            ]
            self.communities[street.pk] = [
                Region.objects.create(name=name.replace("街道", "") + c, kind=Region.Kind.COMMUNITY, parent=street)
                for c in COMMUNITIES
            ]
        self.result.counts["streets"] = len(self.streets)

    def enterprises(self) -> None:
        self.progress("企业")
        rng = self.rng
        industries = {i.code: i for i in Industry.objects.all()}
        industry_codes = [c for c in INDUSTRY_WEIGHTS if c in industries]
        industry_weights = [INDUSTRY_WEIGHTS[c] for c in industry_codes]
        street_weights = [rng.uniform(0.6, 1.4) for _ in self.streets]
        names: set[str] = set()
        batch: list[Enterprise] = []
        for i in range(self.n):
            street = rng.choices(self.streets, street_weights)[0]
            parks = self.parks[street.pk]
            park = rng.choice(parks) if parks and rng.random() < 0.35 else None
            code = rng.choices(industry_codes, industry_weights)[0]
            # Employee counts are heavy-tailed: most firms are small.
            employees = max(1, int(rng.lognormvariate(2.6, 1.2)))
            above_scale = employees > 150 or (employees > 40 and rng.random() < 0.25)
            p_member = min(0.92, 0.3 + employees / 300)
            if rng.random() < p_member:
                total = max(1, int(rng.lognormvariate(1.0, 1.1) * (1 + employees / 120)))
                total = min(total, max(1, employees))
            else:
                total = 0
            probationary = sum(1 for _ in range(total) if rng.random() < 0.06)
            status = rng.choices(list(BusinessStatus.values), [88, 8, 4])[0]
            name = f"大连{rng.choice(BRANDS)}{rng.choice(BRANDS)}{TRADE_WORDS.get(code, '实业')}有限公司"
            if name in names:
                name = name.replace("有限公司", f"{i:05d}有限公司")
            names.add(name)
            revenue = Decimal(int(employees * rng.uniform(20, 120) * 100)) / 100
            batch.append(
                Enterprise(
                    credit_code=self.credit_code(i),
                    name=name,
                    legal_type=rng.choices(list(LegalType.values), [62, 8, 10, 5, 6, 3, 6])[0],
                    street=street,
                    park=park,
                    community=rng.choice(self.communities[street.pk]),
                    industry=industries[code],
                    address=f"大连市沙河口区{street.name[:-2]}路{rng.randrange(1, 999)}号",
                    status=status,
                    above_scale=above_scale,
                    employees=employees,
                    members_total=total,
                    members_formal=total - probationary,
                    members_probationary=probationary,
                    owner_name=self.person_name(),
                    owner_is_member=total > 0 and rng.random() < 0.12,
                    union_established=employees >= 25 and rng.random() < 0.7,
                    league_established=employees >= 50 and rng.random() < 0.45,
                    phone=self.phone(),
                    revenue=revenue,
                    latest_survey_year=self.survey_year,
                )
            )
        self.enterprise_list = Enterprise.objects.bulk_create(batch, batch_size=BATCH)
        self.result.counts["enterprises"] = len(self.enterprise_list)

    def _term(self, org_type: str) -> tuple[date, date, date]:
        rng = self.rng
        founded = self.day_between(date(2008, 1, 1), self.as_of - timedelta(days=400))
        years = 5 if org_type == PartyOrganization.Type.COMMITTEE else 3
        # Most terms are current; about one in twelve has run out.
        if rng.random() < 0.08:
            term_start = self.as_of - timedelta(days=365 * years + rng.randrange(20, 400))
        else:
            term_start = self.as_of - timedelta(days=rng.randrange(30, 365 * years - 20))
        term_start = max(term_start, founded)
        term_end = date(term_start.year + years, term_start.month, min(term_start.day, 28))
        return founded, term_start, term_end

    def organizations(self) -> None:
        self.progress("党组织")
        rng = self.rng
        Through = PartyOrganization.enterprises.through
        orgs: list[PartyOrganization] = []
        covers: list[tuple[int, list[Enterprise]]] = []  # index in orgs -> enterprises
        setup: dict[int, str] = {}
        used_names: set[tuple[int, str]] = set()

        def add(org: PartyOrganization, enterprises: list[Enterprise]) -> None:
            key = (org.street_id, org.name)
            if key in used_names:
                org.name = org.name.replace("委员会", f"（{len(orgs)}）委员会")
            used_names.add((org.street_id, org.name))
            founded, term_start, term_end = self._term(org.org_type)
            org.founded_on, org.approved_on, org.term_start, org.term_end = founded, founded, term_start, term_end
            org.secretary_name = "" if rng.random() < 0.03 else self.person_name()
            orgs.append(org)
            covers.append((len(orgs) - 1, enterprises))
            for e in enterprises:
                setup[e.pk] = org.formation_mode

        operating = [e for e in self.enterprise_list if e.status != BusinessStatus.DEREGISTERED]
        # Own organizations where there are three formal members or more.
        for e in operating:
            if e.members_formal >= 3 and rng.random() < 0.8:
                if e.members_formal > 100:
                    org_type = PartyOrganization.Type.COMMITTEE
                elif e.members_formal > 50:
                    org_type = PartyOrganization.Type.GENERAL_BRANCH
                else:
                    org_type = PartyOrganization.Type.BRANCH
                suffix = {"committee": "委员会", "general_branch": "总支部委员会", "branch": "支部委员会"}[org_type]
                add(
                    PartyOrganization(
                        name=f"中共{e.name}{suffix}",
                        org_type=org_type,
                        formation_mode=FormationMode.OWN,
                        street_id=e.street_id,
                        park_id=e.park_id,
                        has_committee=e.members_formal >= 7,
                        has_groups=e.members_total >= 15 and rng.random() < 0.7,
                    ),
                    [e],
                )
        # Joint organizations per park, and per street for the small firms in ordinary buildings.
        small = [e for e in operating if e.pk not in setup and 0 < e.members_total]
        rng.shuffle(small)
        by_park: dict[int, list[Enterprise]] = {}
        by_street: dict[int, list[Enterprise]] = {}
        for e in small:
            if e.park_id and rng.random() < 0.8:
                by_park.setdefault(e.park_id, []).append(e)
            elif rng.random() < 0.45:
                by_street.setdefault(e.street_id, []).append(e)
        parks = {p.pk: p for ps in self.parks.values() for p in ps}
        for park_id, members in by_park.items():
            park = parks[park_id]
            for start in range(0, len(members), 12):
                chunk = members[start : start + 12]
                n = start // 12 + 1
                add(
                    PartyOrganization(
                        name=f"中共{park.name}第{n}联合支部委员会",
                        org_type=PartyOrganization.Type.JOINT_BRANCH,
                        formation_mode=FormationMode.JOINT,
                        street_id=park.parent_id,
                        park_id=park.pk,
                        has_committee=sum(e.members_formal for e in chunk) >= 7,
                    ),
                    chunk,
                )
        streets = {s.pk: s for s in self.streets}
        for street_id, members in by_street.items():
            street = streets[street_id]
            for start in range(0, len(members), 10):
                chunk = members[start : start + 10]
                n = start // 10 + 1
                mode = FormationMode.ATTACHED if n % 3 == 0 else FormationMode.JOINT
                label = "社区挂靠" if mode == FormationMode.ATTACHED else "商务楼宇联合"
                add(
                    PartyOrganization(
                        name=f"中共{street.name}{label}第{n}支部委员会",
                        org_type=PartyOrganization.Type.JOINT_BRANCH,
                        formation_mode=mode,
                        street_id=street_id,
                        has_committee=sum(e.members_formal for e in chunk) >= 7,
                    ),
                    chunk,
                )
        # A few organizations formed with dispatched members in larger firms without members.
        for e in operating:
            if e.pk not in setup and e.members_total == 0 and e.employees >= 80 and rng.random() < 0.25:
                add(
                    PartyOrganization(
                        name=f"中共{e.name}支部委员会",
                        org_type=PartyOrganization.Type.BRANCH,
                        formation_mode=FormationMode.DISPATCHED,
                        street_id=e.street_id,
                        park_id=e.park_id,
                    ),
                    [e],
                )
        created = PartyOrganization.objects.bulk_create(orgs, batch_size=BATCH)
        # Committees get branches beneath them, covering the same enterprise: the tree.
        children: list[PartyOrganization] = []
        child_covers: list[tuple[PartyOrganization, Enterprise]] = []
        for index, enterprises in covers:
            parent = created[index]
            if parent.org_type in (PartyOrganization.Type.COMMITTEE, PartyOrganization.Type.GENERAL_BRANCH):
                for k in range(1, rng.randint(2, 4)):
                    child = PartyOrganization(
                        name=parent.name.replace("总支部委员会", "").replace("委员会", "") + f"第{k}支部委员会",
                        org_type=PartyOrganization.Type.BRANCH,
                        formation_mode=FormationMode.OWN,
                        parent=parent,
                        street_id=parent.street_id,
                        park_id=parent.park_id,
                        has_committee=True,
                        founded_on=parent.founded_on,
                        approved_on=parent.founded_on,
                        term_start=parent.term_start,
                        term_end=date(
                            parent.term_start.year + 3, parent.term_start.month, min(parent.term_start.day, 28)
                        ),
                        secretary_name=self.person_name(),
                    )
                    children.append(child)
                    child_covers.append((child, enterprises[0]))
        PartyOrganization.objects.bulk_create(children, batch_size=BATCH)
        Through.objects.bulk_create(
            [Through(partyorganization_id=created[i].pk, enterprise_id=e.pk) for i, es in covers for e in es]
            + [Through(partyorganization_id=c.pk, enterprise_id=e.pk) for c, e in child_covers],
            batch_size=BATCH,
        )
        self.orgs = created
        self.org_enterprises = {created[i].pk: es for i, es in covers}
        # The survey says what was found; a handful disagree with the records,
        # as real surveys do, so the mismatch warning has something to find.
        for e in self.enterprise_list:
            surveyed = setup.get(e.pk, OrgSetup.NONE)
            if rng.random() < 0.01:
                surveyed = OrgSetup.NONE if surveyed != OrgSetup.NONE else OrgSetup.JOINT
            e.org_setup = surveyed
            e.instructor_assigned = False
        self.org_names = {e.pk: o.name for o in created for e in self.org_enterprises[o.pk]}
        self.org_secretaries = {e.pk: o.secretary_name for o in created for e in self.org_enterprises[o.pk]}
        for e in self.enterprise_list:
            e.org_name = self.org_names.get(e.pk, "") if e.org_setup != OrgSetup.NONE else ""
            e.secretary_name = self.org_secretaries.get(e.pk, "") if e.org_setup != OrgSetup.NONE else ""
        Enterprise.objects.bulk_update(
            self.enterprise_list, ["org_setup", "org_name", "secretary_name"], batch_size=BATCH
        )
        self.result.counts["organizations"] = len(created) + len(children)

    def _stage_dates(self, stage: str) -> dict[str, date | None]:
        rng = self.rng
        today = self.as_of
        if stage == Stage.FORMAL:
            formal = self.day_between(date(1985, 1, 1), today - timedelta(days=30))
            probationary = formal - timedelta(days=365)
        elif stage == Stage.PROBATIONARY:
            formal = None
            probationary = self.day_between(today - timedelta(days=360), today - timedelta(days=5))
        else:
            formal = probationary = None
        dates: dict[str, date | None] = {"formal_on": formal, "probationary_on": probationary}
        anchor = probationary or self.day_between(today - timedelta(days=700), today - timedelta(days=10))
        candidate = anchor - timedelta(days=rng.randrange(60, 200)) if stage != Stage.APPLICANT else None
        if stage == Stage.CANDIDATE:
            candidate = anchor
        activist = (candidate or anchor) - timedelta(days=rng.randrange(365, 500)) if stage != Stage.APPLICANT else None
        if stage == Stage.ACTIVIST:
            activist, candidate = anchor, None
        applied = (activist or anchor) - timedelta(days=rng.randrange(60, 300)) if stage != Stage.APPLICANT else anchor
        dates.update({"candidate_on": candidate, "activist_on": activist, "applied_on": applied})
        return dates

    def members(self) -> None:
        self.progress("党员")
        rng = self.rng
        batch: list[Member] = []

        def person(org: PartyOrganization, enterprise: Enterprise | None, stage: str) -> Member:
            birth = self.day_between(date(1958, 1, 1), date(2003, 12, 31))
            number = self.id_number(birth)
            phone = self.phone()
            mobility = rng.choices(["", Member.Mobility.INFLOW, Member.Mobility.OUTFLOW], [94, 3, 3])[0]
            return Member(
                name=self.person_name(),
                gender=rng.choice(Member.Gender.values),
                birth_date=birth,
                id_number=number,
                id_number_index=blind_index(number),
                phone=phone,
                phone_index=blind_index(phone),
                education=rng.choices(Member.Education.values, [10, 18, 25, 38, 9])[0],
                job=rng.choice(["职员", "技术员", "部门经理", "工程师", "销售", "财务", "行政"]),
                organization=org,
                enterprise=enterprise,
                stage=stage,
                mobility=mobility,
                identity_revealed=stage in (Stage.FORMAL, Stage.PROBATIONARY) and rng.random() < 0.2,
                joined_org_on=org.founded_on,
                **self._stage_dates(stage),
            )

        self.org_members: dict[int, list[Member]] = {}
        for org in self.orgs:
            enterprises = self.org_enterprises[org.pk]
            for e in enterprises:
                for _ in range(e.members_formal):
                    batch.append(person(org, e, Stage.FORMAL))
                for _ in range(e.members_probationary):
                    batch.append(person(org, e, Stage.PROBATIONARY))
                # The development pipeline: applicants, activists and candidates.
                for _ in range(int(e.members_total * 0.25 * rng.random() + (rng.random() < 0.3))):
                    batch.append(
                        person(org, e, rng.choices([Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE], [5, 3, 2])[0])
                    )
            if org.formation_mode == FormationMode.DISPATCHED:
                for _ in range(3):
                    batch.append(person(org, enterprises[0], Stage.FORMAL))
        members = Member.objects.bulk_create(batch, batch_size=BATCH)
        for m in members:
            self.org_members.setdefault(m.organization_id, []).append(m)
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(
                    member=m,
                    kind=MemberEvent.Kind.JOINED,
                    happened_on=m.joined_org_on or self.as_of,
                    to_organization_id=m.organization_id,
                )
                for m in members
            ],
            batch_size=BATCH,
        )
        self.result.counts["members"] = len(members)

    def surveys(self) -> None:
        self.progress("排查记录")
        rng = self.rng
        fields = [
            f.attname
            for f in EnterpriseSurvey._meta.concrete_fields
            if f.attname not in ("id", "enterprise_id", "year", "survey_date", "batch_id")
        ]
        rows = []
        for e in self.enterprise_list:
            facts = {name: getattr(e, name) for name in fields}
            rows.append(
                EnterpriseSurvey(
                    enterprise=e, year=self.survey_year, survey_date=date(self.survey_year, 3, 31), **facts
                )
            )
            # Last year's survey: most firms were there, a little smaller.
            if rng.random() < 0.9:
                prev = dict(facts)
                prev["employees"] = max(1, int(e.employees * rng.uniform(0.8, 1.05)))
                if e.status != BusinessStatus.OPERATING and rng.random() < 0.7:
                    prev["status"] = BusinessStatus.OPERATING
                rows.append(
                    EnterpriseSurvey(
                        enterprise=e, year=self.survey_year - 1, survey_date=date(self.survey_year - 1, 3, 31), **prev
                    )
                )
        EnterpriseSurvey.objects.bulk_create(rows, batch_size=BATCH)
        self.result.counts["surveys"] = len(rows)

    def instructors(self) -> None:
        self.progress("党建指导员")
        rng = self.rng
        hashed = make_password(self.password)
        self.instructor_users = []
        for street in self.streets:
            user = User.objects.create(
                username=f"instructor_{street.code[-3:]}",
                display_name=self.person_name() + "（指导员）",
                password=hashed,
            )
            self.instructor_users.append(user)
        self.instructor_user = User.objects.create(username="instructor", display_name="演示指导员", password=hashed)
        street_users = {s.pk: u for s, u in zip(self.streets, self.instructor_users, strict=True)}
        covered = {e.pk for es in self.org_enterprises.values() for e in es}
        assignments = []
        demo_street = self.streets[0].pk
        demo_count = 0
        for e in self.enterprise_list:
            if e.pk in covered or e.status != BusinessStatus.OPERATING:
                continue
            if rng.random() < (0.5 if e.members_total else 0.2):
                user = street_users[e.street_id]
                if e.street_id == demo_street and demo_count < 15:
                    user = self.instructor_user
                    demo_count += 1
                e.instructor_assigned = True
                assignments.append(
                    InstructorAssignment(
                        instructor=user,
                        instructor_name=user.display_name,
                        enterprise=e,
                        start_on=self.day_between(self.as_of - timedelta(days=900), self.as_of - timedelta(days=60)),
                    )
                )
        created = InstructorAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        Enterprise.objects.bulk_update(
            [e for e in self.enterprise_list if e.instructor_assigned], ["instructor_assigned"], batch_size=BATCH
        )
        EnterpriseSurvey.objects.filter(enterprise__instructor_assignments__isnull=False, year=self.survey_year).update(
            instructor_assigned=True
        )
        visits = []
        for a in created:
            for _ in range(rng.randint(0, 4)):
                visits.append(
                    InstructorVisit(
                        assignment=a,
                        visited_on=self.day_between(a.start_on, self.as_of),
                        created_by=a.instructor,
                        summary=rng.choice(
                            [
                                "宣讲党的政策，了解企业党员情况",
                                "指导企业做好党员发展工作",
                                "走访出资人，宣传组建党组织意义",
                                "协助开展主题党日活动",
                            ]
                        ),
                    )
                )
        InstructorVisit.objects.bulk_create(visits, batch_size=BATCH)
        self.result.counts["instructor_assignments"] = len(created)

    def activities(self) -> None:
        self.progress("组织生活")
        rng = self.rng
        today = self.as_of
        first_month = date(today.year - 1, today.month, 1)
        months = []
        cursor = first_month
        while cursor <= today:
            months.append(cursor)
            cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
        rows: list[Activity] = []
        with_attendance: list[tuple[Activity, list[Member]]] = []
        topics = {
            ActivityType.THEME_DAY: [
                "学习贯彻党的二十届四中全会精神",
                "重温入党誓词",
                "党员志愿服务进社区",
                "参观红色教育基地",
            ],
            ActivityType.COMMITTEE_MEETING: ["研究党员发展工作", "部署季度党建工作", "讨论党费收缴情况"],
            ActivityType.GROUP_MEETING: ["学习党章党规", "交流岗位建功心得"],
            ActivityType.GENERAL_MEETING: ["讨论接收预备党员", "通报支部工作", "选举支部委员会"],
            ActivityType.PARTY_LECTURE: ["书记讲党课：企业发展与党建引领", "党课：弘扬伟大建党精神"],
            ActivityType.LIFE_MEETING: ["年度组织生活会"],
            ActivityType.APPRAISAL: ["民主评议党员"],
            ActivityType.VOLUNTEER: ["党员志愿服务", "关爱困难职工"],
            ActivityType.PIONEER: ["党员先锋岗评选"],
        }
        for org in self.orgs:
            roster = [m for m in self.org_members.get(org.pk, []) if m.stage in (Stage.FORMAL, Stage.PROBATIONARY)]
            due = len(roster)
            # Some organizations keep every meeting, some drift, a few go quiet.
            diligence = rng.choices([0.97, 0.85, 0.65, 0.4, 0.1], [30, 30, 20, 12, 8])[0]
            keep_attendance = rng.random() < 0.05

            def hold(kind: str, month: date) -> None:
                last_day = (date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(days=1)).day
                held = date(month.year, month.month, rng.randint(1, last_day))
                if held > today:
                    return
                absent = sum(1 for _ in range(due) if rng.random() < 0.08)
                age = (today - held).days
                if age > 40:
                    status = rng.choices([Activity.Status.APPROVED, Activity.Status.RETURNED], [97, 3])[0]
                else:
                    status = rng.choices(list(Activity.Status.values), [15, 45, 35, 5])[0]
                activity = Activity(
                    organization=org,
                    activity_type=kind,
                    held_on=held,
                    place="党员活动室",
                    topic=rng.choice(topics.get(kind, ["其他活动"])),
                    host=org.secretary_name,
                    recorder=self.person_name(),
                    minutes="会议按议程进行，党员积极发言。",
                    due_count=due,
                    attended_count=due - absent,
                    absent_count=absent,
                    status=status,
                    return_reason=rng.choice(RETURN_REASONS) if status == Activity.Status.RETURNED else "",
                )
                rows.append(activity)
                if keep_attendance and roster and age < 120:
                    with_attendance.append((activity, roster))

            for index, month in enumerate(months):
                if rng.random() < diligence:
                    hold(ActivityType.THEME_DAY, month)
                if org.has_committee and rng.random() < diligence:
                    hold(ActivityType.COMMITTEE_MEETING, month)
                if org.has_groups and rng.random() < diligence * 0.9:
                    hold(ActivityType.GROUP_MEETING, month)
                if index % 3 == 0:
                    quarter = months[index : index + 3]
                    if rng.random() < diligence:
                        hold(ActivityType.GENERAL_MEETING, rng.choice(quarter))
                    if rng.random() < diligence:
                        hold(ActivityType.PARTY_LECTURE, rng.choice(quarter))
                if month.month == 1 and rng.random() < diligence:
                    hold(ActivityType.LIFE_MEETING, month)
                    hold(ActivityType.APPRAISAL, month)
                if rng.random() < diligence * 0.25:
                    hold(rng.choice([ActivityType.VOLUNTEER, ActivityType.PIONEER]), month)
        Activity.objects.bulk_create(rows, batch_size=BATCH)
        attendance = []
        for activity, roster in with_attendance:
            absent = set(rng.sample(range(len(roster)), activity.absent_count))
            for k, member in enumerate(roster):
                attendance.append(
                    Attendance(
                        activity=activity,
                        member=member,
                        attended=k not in absent,
                        absence_reason="因公出差" if k in absent else "",
                    )
                )
        Attendance.objects.bulk_create(attendance, batch_size=BATCH)
        self.result.counts["activities"] = len(rows)

    def venues(self) -> None:
        rng = self.rng
        rows = []
        for org in self.orgs:
            if rng.random() < 0.6:
                flags = {item: rng.random() < 0.8 for item in VenueChecklist.ITEMS}
                rows.append(
                    VenueChecklist(
                        organization=org,
                        year=self.survey_year,
                        checked_on=self.as_of - timedelta(days=rng.randrange(10, 200)),
                        **flags,
                    )
                )
        VenueChecklist.objects.bulk_create(rows, batch_size=BATCH)

    def users(self) -> None:
        self.progress("演示账号")
        hashed = make_password(self.password)
        street = self.streets[0]
        own = [o for o in self.orgs if o.formation_mode == FormationMode.OWN and o.parent_id is None]
        first = next((o for o in own if o.street_id == street.pk and len(self.org_members.get(o.pk, [])) >= 5), own[0])
        second = next(o for o in own if o.street_id != first.street_id and len(self.org_members.get(o.pk, [])) >= 5)
        self.secretary_orgs = [first, second]
        specs = [
            ("district", "区两新工委演示账号", [(Role.DISTRICT, None, None)]),
            ("street", f"{street.name}演示账号", [(Role.STREET, street, None)]),
            ("secretary", f"{first.secretary_name or '书记'}（{first.name[:12]}…）", [(Role.SECRETARY, None, first)]),
            (
                "secretary2",
                f"{second.secretary_name or '书记'}（{second.name[:12]}…）",
                [(Role.SECRETARY, None, second)],
            ),
            ("leader", "区委领导演示账号", [(Role.LEADER, self.district, None)]),
        ]
        for username, display, grants in specs:
            user = User.objects.create(
                username=username, display_name=display, password=hashed, is_staff=username == "district"
            )
            for role, region, org in grants:
                RoleGrant.objects.create(user=user, role=role, region=region, organization=org)
            self.result.users.append((username, display))
        RoleGrant.objects.create(user=self.instructor_user, role=Role.INSTRUCTOR)
        self.result.users.append(("instructor", self.instructor_user.display_name))
        for user in self.instructor_users:
            RoleGrant.objects.create(user=user, role=Role.INSTRUCTOR)
        # Every demo secretary's organization keeps attendance, so the pages show it.
        for org in self.secretary_orgs:
            roster = [m for m in self.org_members.get(org.pk, []) if m.stage in (Stage.FORMAL, Stage.PROBATIONARY)]
            for activity in Activity.objects.filter(organization=org, held_on__gte=self.as_of - timedelta(days=120)):
                if activity.attendance.exists() or not roster:
                    continue
                absent = set(self.rng.sample(range(len(roster)), min(activity.absent_count, len(roster))))
                Attendance.objects.bulk_create(
                    [
                        Attendance(
                            activity=activity,
                            member=m,
                            attended=k not in absent,
                            absence_reason="因公出差" if k in absent else "",
                        )
                        for k, m in enumerate(roster)
                    ]
                )

    def analyze(self) -> None:
        """Fresh statistics for the planner: right after a bulk load PostgreSQL
        otherwise guesses, and a secretary's member count took 80 ms, not 0.2."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def funds(self) -> None:
        self.progress("党建公积金")
        rng = self.rng
        source = external_account(FundAccount.Kind.EXTERNAL_SOURCE)
        sink = external_account(FundAccount.Kind.EXTERNAL_SINK)
        pool = pool_account()
        district_user = User.objects.get(username="district")
        start = self.as_of - timedelta(days=300)
        ledger_post(
            kind=TransactionKind.FISCAL_SUBSIDY,
            occurred_on=start,
            memo="年度区级财政补助拨入",
            legs=[(source, -Decimal(200000 + 20 * self.n)), (pool, Decimal(200000 + 20 * self.n))],
            by=district_user,
        )
        candidates = [
            o for o in self.orgs if o.parent_id is None and o.formation_mode in (FormationMode.OWN, FormationMode.JOINT)
        ]
        chosen = [o for o in candidates if rng.random() < 0.3] + self.secretary_orgs
        seen = set()
        count = 0
        for org in chosen:
            if org.pk in seen:
                continue
            seen.add(org.pk)
            account = account_open(organization=org, by=district_user, opened_on=start)
            for _ in range(rng.randint(1, 3)):
                kind = rng.choices(
                    [
                        TransactionKind.ENTERPRISE_DEPOSIT,
                        TransactionKind.DUES_REBATE,
                        TransactionKind.JOINT_FUNDING,
                        TransactionKind.SPONSORSHIP,
                    ],
                    [70, 15, 10, 5],
                )[0]
                amount = Decimal(rng.randrange(10, 300) * 100)
                ledger_post(
                    kind=kind,
                    occurred_on=self.day_between(start, self.as_of),
                    memo=f"{TransactionKind(kind).label}",
                    legs=[(source, -amount), (account, amount)],
                    by=district_user,
                )
                count += 1
            if rng.random() < 0.3:
                account.refresh_from_db()
                spend = (account.balance * Decimal("0.4")).quantize(Decimal("0.01"))
                if spend > 0:
                    ledger_post(
                        kind=TransactionKind.DISBURSEMENT,
                        occurred_on=self.as_of - timedelta(days=rng.randrange(5, 60)),
                        memo="主题党日活动经费提取",
                        legs=[(account, -spend), (sink, spend)],
                        by=district_user,
                    )
                    count += 1
        self.result.counts["fund_accounts"] = len(seen)
        self.result.counts["fund_transactions"] = count + 1
        self.fund_applications()

    def fund_applications(self) -> None:
        """Two withdrawal applications of the demo secretary, so the queues are not empty:
        one waiting for the street, one the street has passed on to the district."""
        secretary = User.objects.get(username="secretary")
        street_user = User.objects.get(username="street")
        org = self.secretary_orgs[0]
        account = FundAccount.objects.get(organization=org)
        made = 0
        for title, share, approve in (
            ("七一主题党日红色教育", Decimal("0.2"), False),
            ("党员志愿服务进社区", Decimal("0.1"), True),
        ):
            amount = (account.balance * share).quantize(Decimal("1"))
            if amount <= 0:
                continue
            try:
                application = application_create(
                    organization=org,
                    by=secretary,
                    activity=title,
                    activity_date=self.as_of + timedelta(days=20),
                    participants=12,
                    budget_lines=[
                        {"item": "场地及交通", "amount": str(amount - 100)},
                        {"item": "学习资料", "amount": "100"},
                    ],
                    amount=str(amount),
                    description="组织党员开展主题活动",
                )
            except ApplicationError:
                continue
            made += 1
            if approve:
                try:
                    application_approve(application=application, by=street_user, level="street", opinion="同意")
                except ApplicationError:
                    # The demo street may not be this organization's street; it then waits for its own.
                    pass
        self.result.counts["fund_applications"] = made


def seed_demo(
    *,
    enterprises: int = 2000,
    seed: int = 20261123,
    password: str = DEFAULT_PASSWORD,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    if Enterprise.objects.exists() or User.objects.filter(username="district").exists():
        from core.errors import ApplicationError

        raise ApplicationError("数据库中已有数据：演示数据只能写入空数据库")
    return Seeder(
        enterprises=enterprises, seed=seed, password=password, as_of=as_of or date.today(), progress=progress
    ).run()
