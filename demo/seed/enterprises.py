"""The district and its enterprises: streets, parks and communities, the
enterprise ledger with the survey's distributions (most small firms have no
party member, a few have many), and the survey records of this year and the
last."""

from datetime import date
from decimal import Decimal

from orgs.models import BusinessStatus, Enterprise, EnterpriseSurvey, Industry, LegalType, Region

from .base import BATCH, FLUSH, SeederBase
from .places import CITY, DistrictPlan, district_plans

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


class EnterpriseSteps(SeederBase):
    def regions(self) -> None:
        """The city (when there is more than one district), its districts and
        their streets, parks and communities. One district is today's demo:
        the district is the root."""
        from django.conf import settings

        self.district_plans = district_plans(
            districts=self.district_count, enterprises=self.n, first_name=settings.DISTRICT_NAME
        )
        self.city = None
        if self.district_count > 1:
            self.city = Region.objects.create(name=CITY[0], kind=Region.Kind.CITY, code=CITY[1])
        self.districts = []
        streets = 0
        for plan in self.district_plans:
            district = Region.objects.create(
                name=plan.name, kind=Region.Kind.DISTRICT, code=plan.code, parent=self.city
            )
            self.districts.append(district)
            plan.regions = {"district": district, "streets": [], "parks": {}, "communities": {}}
            for index, name in enumerate(plan.streets, start=1):
                street = Region.objects.create(
                    name=name, kind=Region.Kind.STREET, parent=district, code=f"{plan.code}{index:03d}"
                )
                plan.regions["streets"].append(street)
                plan.regions["parks"][street.pk] = [
                    Region.objects.create(name=p, kind=Region.Kind.PARK, parent=street)
                    for p in plan.parks.get(name, [])
                ]
                plan.regions["communities"][street.pk] = [
                    Region.objects.create(name=name.removesuffix("街道") + c, kind=Region.Kind.COMMUNITY, parent=street)
                    for c in COMMUNITIES
                ]
            streets += len(plan.streets)
        self.result.counts["streets"] = streets

    def enter_district(self, index: int, plan: DistrictPlan) -> None:
        """The steps after this one work on this district: its regions, its
        share of the enterprises, its numbering."""
        self.district_index = index
        self.district = plan.regions["district"]
        self.streets = plan.regions["streets"]
        self.parks = plan.regions["parks"]
        self.communities = plan.regions["communities"]
        self.district_n = plan.enterprises
        self.code_offset = sum(p.enterprises for p in self.district_plans[:index])
        # ID numbers carry the district's code, so they stay unique without
        # remembering every earlier district's.
        self.used_ids = set()

    def enterprises(self) -> None:
        self.progress("企业")
        rng = self.rng
        industries = {i.code: i for i in Industry.objects.all()}
        industry_codes = [c for c in INDUSTRY_WEIGHTS if c in industries]
        industry_weights = [INDUSTRY_WEIGHTS[c] for c in industry_codes]
        street_weights = [rng.uniform(0.6, 1.4) for _ in self.streets]
        names: set[str] = set()
        place = f"{CITY[0]}{self.district.name}"
        batch: list[Enterprise] = []
        for i in range(self.code_offset, self.code_offset + self.district_n):
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
            union = employees >= 25 and rng.random() < 0.7
            league = employees >= 50 and rng.random() < 0.45
            batch.append(
                Enterprise(
                    credit_code=self.credit_code(i, self.district.code),
                    name=name,
                    legal_type=rng.choices(list(LegalType.values), [62, 8, 10, 5, 6, 3, 6])[0],
                    street=street,
                    park=park,
                    community=rng.choice(self.communities[street.pk]),
                    industry=industries[code],
                    address=f"{place}{street.name.removesuffix('街道')}路{rng.randrange(1, 999)}号",
                    status=status,
                    above_scale=above_scale,
                    employees=employees,
                    members_total=total,
                    members_formal=total - probationary,
                    members_probationary=probationary,
                    owner_name=self.person_name(),
                    owner_is_member=total > 0 and rng.random() < 0.12,
                    union_established=union,
                    league_established=league,
                    **self.group_counts(employees=employees, members=total, union=union, league=league),
                    phone=self.phone(),
                    revenue=revenue,
                    latest_survey_year=self.survey_year,
                )
            )
        self.enterprise_list = Enterprise.objects.bulk_create(batch, batch_size=BATCH)
        self.count("enterprises", len(self.enterprise_list))

    def group_counts(self, *, employees: int, members: int, union: bool, league: bool) -> dict:
        """The optional survey counts as streets report them: a union's
        members most of its workforce, league members the young workers,
        managers a tenth or so of the staff and some of them party members;
        each left empty (not reported) for some enterprises."""
        rng = self.group_rng
        counts: dict = {"union_members": None, "league_members": None, "managers": None, "managers_party_members": None}
        if union and rng.random() < 0.8:
            counts["union_members"] = max(1, round(employees * rng.uniform(0.55, 0.98)))
        if rng.random() < (0.85 if league else 0.45):
            young = round(employees * rng.uniform(0.03, 0.18))
            counts["league_members"] = min(employees, max(3, young) if league else young)
        if rng.random() < 0.7:
            managers = min(employees, max(1, round(employees * rng.uniform(0.05, 0.15))))
            counts["managers"] = managers
            counts["managers_party_members"] = min(managers, members, round(managers * rng.uniform(0, 0.6)))
        return counts

    @staticmethod
    def within(facts: dict, employees: int) -> dict:
        """A year's facts with its optional counts kept within that year's employees."""
        for name in ("union_members", "league_members", "managers"):
            if facts[name] is not None:
                facts[name] = min(facts[name], employees)
        if facts["managers_party_members"] is not None:
            facts["managers_party_members"] = min(facts["managers_party_members"], facts["managers"])
        return facts

    def surveys(self) -> None:
        self.progress("排查记录")
        rng = self.rng
        fields = [
            f.attname
            for f in EnterpriseSurvey._meta.concrete_fields
            if f.attname not in ("id", "enterprise_id", "year", "survey_date", "batch_id")
        ]
        rows: list[EnterpriseSurvey] = []
        written = 0
        for e in self.enterprise_list:
            if len(rows) >= FLUSH:
                # Written as they are made: the draws, and so the seed, are the same.
                EnterpriseSurvey.objects.bulk_create(rows, batch_size=BATCH)
                written += len(rows)
                rows = []
                self.flushed()
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
                self.within(prev, prev["employees"])
                if e.status != BusinessStatus.OPERATING and rng.random() < 0.7:
                    prev["status"] = BusinessStatus.OPERATING
                rows.append(
                    EnterpriseSurvey(
                        enterprise=e, year=self.survey_year - 1, survey_date=date(self.survey_year - 1, 3, 31), **prev
                    )
                )
        EnterpriseSurvey.objects.bulk_create(rows, batch_size=BATCH)
        self.count("surveys", written + len(rows))
