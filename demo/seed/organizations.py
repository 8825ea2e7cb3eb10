"""Party organizations and their members: own, joint, attached and
dispatched organizations with committees over branches, members at every
stage of the development pipeline, and the yearly venue checklists."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from core.crypto import blind_index
from members.models import Member, MemberEvent, Stage
from members.rules import ACTIVIST_TRAINING, ADULT_AGE, PROBATION, gender_from_id_number
from orgs.models import BusinessStatus, Enterprise, FormationMode, OrgSetup, PartyOrganization, VenueChecklist

from .base import BATCH, FLUSH, Person, SeederBase


class OrganizationSteps(SeederBase):
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
        self.count("organizations", len(created) + len(children))

    def _stage_dates(self, stage: str) -> dict[str, date | None]:
        """Pipeline dates on the Party's timetable (members.rules): at least a
        year as activist before 发展对象, a year of probation before 转正."""
        rng = self.rng
        today = self.as_of
        if stage == Stage.FORMAL:
            formal = self.day_between(date(1985, 1, 1), today - timedelta(days=30))
            probationary = formal - PROBATION - timedelta(days=rng.randrange(0, 20))
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
        activist = (
            (candidate or anchor) - ACTIVIST_TRAINING - timedelta(days=rng.randrange(0, 135))
            if stage != Stage.APPLICANT
            else None
        )
        if stage == Stage.ACTIVIST:
            activist, candidate = anchor, None
        applied = (activist or anchor) - timedelta(days=rng.randrange(60, 300)) if stage != Stage.APPLICANT else anchor
        dates.update({"candidate_on": candidate, "activist_on": activist, "applied_on": applied})
        return dates

    def _birth_date(self, applied_on: date) -> date:
        """Someone who applied between 18 and 40 years of age."""
        latest = applied_on - relativedelta(years=ADULT_AGE)
        return self.day_between(applied_on - relativedelta(years=40), latest)

    def members(self) -> None:
        self.progress("党员")
        rng = self.rng
        batch: list[Member] = []

        def person(org: PartyOrganization, enterprise: Enterprise | None, stage: str) -> Member:
            # Dates first: the birth date follows from the application (18 or
            # older), and gender and birth date from the ID number, as
            # members.rules asks of every person on a roster.
            dates = self._stage_dates(stage)
            birth = self._birth_date(dates["applied_on"] or self.as_of)
            number = self.id_number(birth)
            phone = self.phone()
            mobility = rng.choices(["", Member.Mobility.INFLOW, Member.Mobility.OUTFLOW], [94, 3, 3])[0]
            return Member(
                name=self.person_name(),
                gender=gender_from_id_number(number),
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
                **dates,
            )

        self.org_members: dict[int, list[Person]] = {}
        made = 0

        def write() -> None:
            # Written in chunks as they are made (the draws, and so the seed,
            # are the same); what the later steps need of a member is kept.
            nonlocal batch, made
            members = Member.objects.bulk_create(batch, batch_size=BATCH)
            for m in members:
                self.org_members.setdefault(m.organization_id, []).append(Person(m.pk, m.stage))
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
            made += len(members)
            batch = []
            self.flushed()

        for org in self.orgs:
            if len(batch) >= FLUSH:
                write()
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
        write()
        self.count("members", made)

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
