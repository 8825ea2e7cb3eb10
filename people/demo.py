"""Demo people for seed_demo: every organization's secretary in the register
(most elected inside the firm, some hired, dispatched or retired cadres),
instructors and full-time party workers, a talent pool of retired cadres,
veterans and hired workers with recommendations in every state (Shahekou's
pool, in proportion), courses at city, district and street level from 2024
on with most secretaries attending (the rest draw the TRAINING_DUE warning:
the demo's second secretary among them), 交叉任职 of secretaries in their
enterprises and entered manager counts. Bulk-written from its own random
stream so the rest of the demo keeps its data."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from orgs.models import PartyOrganization, Region

from .models import CrossAppointment, ManagerCount, PartyWorker, Recommendation, Training, TrainingAttendance
from .selectors import training_cycle

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅鑫波斌宇浩凯健俊帆帅旭宁亮晨欣佳琳颖婷雪倩慧"
SECRETARY_SOURCES = [
    (PartyWorker.Source.ELECTED, 70),
    (PartyWorker.Source.HIRED, 12),
    (PartyWorker.Source.DISPATCHED, 8),
    (PartyWorker.Source.RETIRED_CADRE, 6),
    (PartyWorker.Source.VETERAN, 4),
]
POOL_SOURCES = [
    (PartyWorker.Source.RETIRED_CADRE, 45),
    (PartyWorker.Source.VETERAN, 30),
    (PartyWorker.Source.HIRED, 20),
    (PartyWorker.Source.DISPATCHED, 5),
]
TITLES = {
    CrossAppointment.Body.BOARD: ["董事", "副董事长", "职工董事"],
    CrossAppointment.Body.SUPERVISORY: ["监事", "监事会主席"],
    CrossAppointment.Body.MANAGEMENT: ["副总经理", "行政人事部经理", "综合办公室主任", "生产部经理"],
}
COURSES = [
    # (level, title, organizer, start offset in days from the cycle's start, days, hours)
    (Training.Level.CITY, "全市非公企业党组织书记示范培训班", "市委两新工委", 120, 3, "24"),
    (Training.Level.DISTRICT, "“双强”型非公企业党组织书记轮训班", "区委两新工委", 300, 2, "16"),
    (Training.Level.DISTRICT, "党务工作者能力提升专题培训", "区委组织部", 520, 2, "12"),
    (Training.Level.STREET, "非公企业党建业务实务培训", "街道非公党委", 640, 1, "6"),
    (Training.Level.DISTRICT, "新任党组织书记培训班", "区委两新工委", 760, 2, "16"),
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _pick(rng: random.Random, weighted: list) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def seed(*, district: Region, secretary_organizations: list[PartyOrganization], as_of: date, seed: int) -> dict:
    """The demo's people in `district`. Returns counts by kind."""
    rng = random.Random(seed + 19)
    streets = list(Region.objects.filter(parent=district, kind=Region.Kind.STREET).order_by("pk"))
    orgs = list(
        PartyOrganization.objects.filter(street__parent=district)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))
        .exclude(secretary_name="")
        .order_by("pk")
    )
    if not orgs or not streets:
        return {}
    workers = [
        PartyWorker(
            name=org.secretary_name,
            source=_pick(rng, SECRETARY_SOURCES),
            employment=PartyWorker.Employment.PART_TIME if rng.random() < 0.8 else PartyWorker.Employment.FULL_TIME,
            post=PartyWorker.Post.SECRETARY,
            organization=org,
            region_id=org.street_id,
            phone=_phone(rng),
        )
        for org in orgs
    ]
    secretaries = PartyWorker.objects.bulk_create(workers)
    # Full-time party workers of the larger organizations, instructors of each street.
    others = [
        PartyWorker(
            name=_name(rng),
            source=_pick(rng, [(PartyWorker.Source.HIRED, 6), (PartyWorker.Source.ELECTED, 4)]),
            employment=PartyWorker.Employment.FULL_TIME,
            post=PartyWorker.Post.FULL_TIME_WORKER,
            organization=org,
            region_id=org.street_id,
            phone=_phone(rng),
        )
        for org in orgs
        if org.org_type in (PartyOrganization.Type.COMMITTEE, PartyOrganization.Type.GENERAL_BRANCH)
        or rng.random() < 0.05
    ]
    others += [
        PartyWorker(
            name=_name(rng),
            source=PartyWorker.Source.DISPATCHED,
            employment=PartyWorker.Employment.PART_TIME,
            post=PartyWorker.Post.INSTRUCTOR,
            region=street,
            phone=_phone(rng),
            note="从区市场监管局选派",
        )
        for street in streets
        for _ in range(2)
    ]
    # The demo secretaries' organizations each keep a party worker of their own
    # (their secretary may not be named yet), the first one linked to the demo account.
    from orgs.models import Role, User

    for org in secretary_organizations:
        account = User.objects.filter(role_grants__organization=org, role_grants__role=Role.SECRETARY).first()
        others.append(
            PartyWorker(
                name=_name(rng),
                source=PartyWorker.Source.ELECTED,
                employment=PartyWorker.Employment.PART_TIME,
                post=PartyWorker.Post.FULL_TIME_WORKER,
                organization=org,
                region_id=org.street_id,
                phone=_phone(rng),
                user=account,
                note="兼任党务工作者",
            )
        )
    # The talent pool: about eight in ten available (Shahekou: 322 in the pool, 40 recommended).
    pool_size = max(24, len(orgs) // 2)
    pool = [
        PartyWorker(
            name=_name(rng),
            source=_pick(rng, POOL_SOURCES),
            employment=PartyWorker.Employment.FULL_TIME if rng.random() < 0.6 else PartyWorker.Employment.PART_TIME,
            post=PartyWorker.Post.NONE,
            region=rng.choice(streets) if rng.random() < 0.8 else district,
            phone=_phone(rng),
            in_pool=True,
        )
        for _ in range(pool_size)
    ]
    others = PartyWorker.objects.bulk_create(others)
    pool = PartyWorker.objects.bulk_create(pool)

    recommendations = []
    recommended = rng.sample(pool, max(4, len(pool) // 8))
    for i, worker in enumerate(recommended):
        target = rng.choice(orgs)
        on = as_of - timedelta(days=rng.randrange(20, 400))
        outcome = [Recommendation.Outcome.ACCEPTED, Recommendation.Outcome.DECLINED, Recommendation.Outcome.PENDING][
            i % 3
        ]
        decided = (
            None if outcome == Recommendation.Outcome.PENDING else min(as_of, on + timedelta(days=rng.randrange(7, 40)))
        )
        recommendations.append(
            Recommendation(
                worker=worker,
                organization=target,
                recommended_on=on,
                outcome=outcome,
                outcome_on=decided,
                note="推荐担任党组织书记" if rng.random() < 0.6 else "推荐担任专职党务工作者",
            )
        )
        if outcome == Recommendation.Outcome.ACCEPTED:
            worker.in_pool = False
    Recommendation.objects.bulk_create(recommendations)
    PartyWorker.objects.filter(pk__in=[w.pk for w in recommended if not w.in_pool]).update(in_pool=False)

    # Courses of the current cycle (and the one before, if the demo date lies past it), ending by `as_of`.
    cycle = training_cycle(as_of)
    trainings = []
    for level, title, organizer, offset, days, hours in COURSES:
        starts = cycle.start + timedelta(days=offset)
        if starts + timedelta(days=days) > as_of:
            starts = as_of - timedelta(days=days + rng.randrange(10, 60))
        region = district if level != Training.Level.STREET else streets[0]
        trainings.append(
            Training(
                title=title,
                level=level,
                starts_on=starts,
                ends_on=starts + timedelta(days=days - 1),
                hours=Decimal(hours),
                organizer=organizer,
                region=region,
            )
        )
    for street in streets[1:]:
        starts = max(cycle.start, as_of - timedelta(days=rng.randrange(60, 500)))
        trainings.append(
            Training(
                title=f"{street.name}非公企业党务干部培训",
                level=Training.Level.STREET,
                starts_on=starts,
                ends_on=starts,
                hours=Decimal("4"),
                organizer=f"{street.name}非公党委",
                region=street,
            )
        )
    trainings = Training.objects.bulk_create(trainings)
    district_courses = [t for t in trainings if t.region_id == district.pk]
    street_courses = {t.region_id: t for t in trainings if t.region_id != district.pk}
    untrained_ids = {o.pk for o in secretary_organizations[1:2]}
    attendance = []
    for worker in secretaries:
        if worker.organization_id in untrained_ids or rng.random() < 0.22:
            continue  # not trained in this cycle: the nightly run warns
        chosen = {rng.choice(district_courses).pk}
        street_course = street_courses.get(worker.region_id)
        if street_course is not None and rng.random() < 0.4:
            chosen.add(street_course.pk)
        attendance += [TrainingAttendance(training_id=t, worker=worker) for t in chosen]
    for worker in [w for w in others if w.user_id] + pool[: len(pool) // 3]:
        attendance.append(TrainingAttendance(training=rng.choice(district_courses), worker=worker))
    TrainingAttendance.objects.bulk_create(attendance)

    # 交叉任职 and manager counts.
    covered = dict(
        PartyOrganization.enterprises.through.objects.filter(partyorganization__in=orgs)
        .order_by("partyorganization_id", "enterprise_id")
        .values_list("partyorganization_id", "enterprise_id")
    )
    appointments, counts = [], []
    for org in orgs:
        enterprise_id = covered.get(org.pk)
        if enterprise_id is None:
            continue
        if rng.random() < 0.45 or org in secretary_organizations[:1]:
            body = rng.choice(list(CrossAppointment.Body))
            appointments.append(
                CrossAppointment(
                    organization=org,
                    person=org.secretary_name,
                    committee_role="secretary",
                    enterprise_id=enterprise_id,
                    body=body,
                    title=rng.choice(TITLES[body]),
                    since=as_of - timedelta(days=rng.randrange(200, 2000)),
                )
            )
        if rng.random() < 0.6:
            managers = rng.randrange(3, 40)
            counts.append(
                ManagerCount(
                    organization=org,
                    managers=managers,
                    party_members=min(managers, int(managers * rng.uniform(0.2, 0.95))),
                    as_of=as_of - timedelta(days=rng.randrange(0, 180)),
                )
            )
    CrossAppointment.objects.bulk_create(appointments)
    ManagerCount.objects.bulk_create(counts)
    return {
        "party_workers": PartyWorker.objects.count(),
        "talent_pool": PartyWorker.objects.filter(in_pool=True).count(),
        "recommendations": len(recommendations),
        "trainings": len(trainings),
        "training_attendances": len(attendance),
        "cross_appointments": len(appointments),
    }
