"""The seeder's state and its small generators: one `random.Random(seed)`
drawn from in a fixed order, names, phone numbers, credit codes, identity
numbers and dates. The topic modules beside this one add the steps."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db import reset_queries
from stdnum.cn import ric, uscc

from core.validators import USCC_ALPHABET
from orgs.models import Enterprise, PartyOrganization, Region, User

DEFAULT_PASSWORD = "Dangjian@2026"
BATCH = 2000
# Rows a step holds before writing them (the enterprises of one district are
# held whole: the later steps read them).
FLUSH = 20 * BATCH

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅鑫波斌宇浩凯健俊帆帅旭宁亮晨欣佳琳颖婷雪倩慧"


class Person(NamedTuple):
    """What the later steps need of a seeded member (not the whole record)."""

    pk: int
    stage: str


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEFAULT_PASSWORD


class SeederBase:
    # What one step leaves for the steps after it (the order is Seeder.run's);
    # the steps from `enterprises` on work on one district at a time.
    city: Region | None
    districts: list[Region]
    district_index: int
    district_n: int
    code_offset: int
    district: Region
    streets: list[Region]
    parks: dict[int, list[Region]]
    communities: dict[int, list[Region]]
    enterprise_list: list[Enterprise]
    orgs: list[PartyOrganization]
    org_enterprises: dict[int, list[Enterprise]]
    org_members: dict[int, list[Person]]
    instructor_users: list[User]
    instructor_user: User
    secretary_orgs: list[PartyOrganization]
    first_orgs: list[PartyOrganization]
    org_names: dict[int, str]
    org_secretaries: dict[int, str]

    def __init__(
        self,
        *,
        enterprises: int,
        seed: int,
        password: str,
        as_of: date,
        progress: Callable[[str], None] | None = None,
        districts: int = 1,
    ):
        self.n = enterprises
        self.district_count = districts
        self.rng = random.Random(seed)
        # The optional survey counts (群团, managers) draw from their own
        # stream, so adding them left every other draw of a seed as it was.
        self.group_rng = random.Random(f"{seed}:groups")
        self.password = password
        self.as_of = as_of
        self._progress = progress or (lambda message: None)
        self.result = SeedResult(password=password)
        self.survey_year = as_of.year if as_of >= date(as_of.year, 3, 31) else as_of.year - 1
        self.used_ids: set[str] = set()

    def progress(self, message: str) -> None:
        """A step begins. With DEBUG on, Django keeps the text of the last
        9,000 queries; a bulk insert's is megabytes, so the seed lets it go
        between steps and chunks (see `flushed`)."""
        reset_queries()
        self._progress(message)

    @staticmethod
    def flushed() -> None:
        reset_queries()

    def count(self, name: str, n: int) -> None:
        """Add to a figure the command prints (summed over the districts)."""
        self.result.counts[name] = self.result.counts.get(name, 0) + n

    # --- small generators ---------------------------------------------------

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def credit_code(self, i: int, district_code: str = "210204") -> str:
        body = []
        value = i
        for _ in range(8):
            body.append(USCC_ALPHABET[value % 31])
            value //= 31
        stem = "91" + district_code + self.rng.choice("ABCDEFGHJKLMNPQRTUWXY") + "".join(reversed(body))
        return stem + uscc.calc_check_digit(stem)

    def id_number(self, birth: date) -> str:
        while True:
            stem = f"{self.district.code}{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = stem + ric.calc_check_digit(stem + "0")  # stdnum expects a placeholder check digit
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def day_between(self, start: date, end: date) -> date:
        span = (end - start).days
        return start + timedelta(days=self.rng.randrange(max(span, 1)))
