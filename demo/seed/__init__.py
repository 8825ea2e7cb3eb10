"""A realistic, deterministic demo district, or a city of several
(`districts`), each district seeded in turn.

Distributions follow the survey: most small firms have no party member, a
few have many; organizations of every type and mode; members at every stage;
twelve months of activities with realistic gaps; fund accounts with entries.
Everything is generated from one `random.Random(seed)` and written with bulk
inserts, so the same seed gives the same data and 100,000 enterprises take
minutes, not hours.

Each topic has a module of its own (`enterprises`, `organizations`,
`instructors`, `activities`, `users`, `funds`, on the state and generators of
`base`); `Seeder` below puts their steps together and runs them in order.
"""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from activities.reference import ensure_reference_data as ensure_activity_reference
from alliances import demo as alliances_demo
from demands import demo as demands_demo
from dues import demo as dues_demo
from orgs.models import Enterprise, User
from orgs.reference import ensure_reference_data as ensure_org_reference
from pairings import demo as pairings_demo
from people import demo as people_demo
from venues import demo as venues_demo

from .activities import ActivitySteps
from .base import DEFAULT_PASSWORD, SeedResult
from .enterprises import EnterpriseSteps
from .funds import FundSteps
from .instructors import InstructorSteps
from .organizations import OrganizationSteps
from .users import UserSteps

__all__ = ["DEFAULT_PASSWORD", "SeedResult", "Seeder", "seed_demo"]


class Seeder(EnterpriseSteps, OrganizationSteps, InstructorSteps, ActivitySteps, UserSteps, FundSteps):
    """The steps of the topic modules, run in one fixed order: each draws from
    the same random stream, so the order is part of the seed."""

    def run(self) -> SeedResult:
        ensure_org_reference()
        ensure_activity_reference()
        with transaction.atomic():
            self.regions()
            # One district at a time: what a district's steps hold is let go
            # before the next, so a city of many districts takes no more
            # memory than its largest district.
            for index, plan in enumerate(self.district_plans):
                if self.district_count > 1:
                    self.progress(plan.name)
                self.enter_district(index, plan)
                self.enterprises()
                self.organizations()
                self.members()
                self.surveys()
                self.instructors()
                self.activities()
                self.venues()
                if index == 0:
                    # The demo accounts and the fund work in the first district.
                    self.users()
                    self.first_orgs = self.orgs
                self.leave_district()
        # The ledger posts in its own transactions, as the real service does.
        self.funds()
        alliances_demo.seed(
            district=self.districts[0],
            secretary_organization=self.secretary_orgs[0],
            as_of=self.as_of,
            seed=self.rng.randrange(1 << 30),
        )
        self.count("pairings", pairings_demo.seed(as_of=self.as_of))
        self.count("demand_projects", demands_demo.seed(as_of=self.as_of, seed=self.rng.randrange(1 << 30)))
        self.count(
            "dues_payments",
            dues_demo.seed(
                district=self.districts[0],
                secretary_organization=self.secretary_orgs[0],
                as_of=self.as_of,
                seed=self.rng.randrange(1 << 30),
            ),
        )
        self.count(
            "venues",
            venues_demo.seed(
                district=self.districts[0],
                secretary_organizations=self.secretary_orgs,
                as_of=self.as_of,
                seed=self.rng.randrange(1 << 30),
            ),
        )
        people = people_demo.seed(
            district=self.districts[0],
            secretary_organizations=self.secretary_orgs,
            as_of=self.as_of,
            seed=self.rng.randrange(1 << 30),
        )
        for name, n in people.items():
            self.count(name, n)
        self.analyze()
        return self.result

    def leave_district(self) -> None:
        self.enterprise_list = []
        self.orgs = []
        self.org_enterprises = {}
        self.org_members = {}
        self.org_names = {}
        self.org_secretaries = {}

    def analyze(self) -> None:
        """Fresh statistics for the planner: right after a bulk load PostgreSQL
        otherwise guesses, and a secretary's member count took 80 ms, not 0.2."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def seed_demo(
    *,
    enterprises: int = 2000,
    seed: int = 20261123,
    password: str = DEFAULT_PASSWORD,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
    districts: int = 1,
) -> SeedResult:
    if Enterprise.objects.exists() or User.objects.filter(username="district").exists():
        from core.errors import ApplicationError

        raise ApplicationError("数据库中已有数据：演示数据只能写入空数据库")
    return Seeder(
        enterprises=enterprises,
        seed=seed,
        password=password,
        as_of=as_of or timezone.localdate(),
        progress=progress,
        districts=districts,
    ).run()
