"""Reference data shipped with the code: GB/T 4754-2017 sections and the
default star-rating scheme of DESIGN.md §4. The data migration loads it, and
so does seed_demo when a flushed database has lost it. Loaders take the model
classes so a migration can pass its historical models."""

import csv
import functools
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_noop

SECTIONS_CSV = Path(__file__).resolve().parent / "data" / "gbt4754_sections.csv"

CRITERIA = [
    # code, name, weight, manual, description, params
    (
        "organization",
        gettext_noop("组织健全"),
        15,
        False,
        gettext_noop("书记到位；正式党员7人以上设支部委员会；任期未届满"),
        {},
    ),
    ("three_meetings", gettext_noop("三会一课"), 30, False, gettext_noop("近12个月应开会议的完成比例"), {"months": 12}),
    (
        "theme_day",
        gettext_noop("主题党日"),
        10,
        False,
        gettext_noop("近12个月中开展主题党日的月数占比"),
        {"months": 12},
    ),
    ("venue", gettext_noop("阵地六有"), 10, True, gettext_noop("街道录入的六有检查，每项计1/6"), {}),
    (
        "development",
        gettext_noop("队伍建设"),
        10,
        False,
        gettext_noop("年内申请人、积极分子、新党员人数相对党员规模"),
        {"target_ratio": "0.10"},
    ),
    (
        "service",
        gettext_noop("作用发挥（双强）"),
        10,
        False,
        gettext_noop("年内志愿服务、党员先锋岗等活动次数"),
        {"target": 4},
    ),
    ("fund", gettext_noop("经费保障"), 5, False, gettext_noop("公积金账户有预存或已报账的提取"), {}),
    ("mass_orgs", gettext_noop("群团建设"), 10, False, gettext_noop("所覆盖企业建立工会、团组织的比例"), {}),
]
THRESHOLDS = [(5, "90"), (4, "80"), (3, "70"), (2, "60"), (1, "0")]


def load_industries(Industry) -> None:
    with SECTIONS_CSV.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            Industry.objects.update_or_create(code=row["code"].strip(), defaults={"name": row["name"].strip()})


@functools.cache
def industry_names_en() -> dict[str, str]:
    """GB/T 4754's English section names, shipped beside the Chinese ones."""
    with SECTIONS_CSV.open(encoding="utf-8-sig") as fh:
        return {row["code"].strip(): row["name_en"].strip() for row in csv.DictReader(fh)}


def load_rating_defaults(RatingCriterion, StarThreshold) -> None:
    for order, (code, name, weight, manual, description, params) in enumerate(CRITERIA, start=1):
        RatingCriterion.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "weight": weight,
                "manual": manual,
                "description": description,
                "params": params,
                "order": order,
            },
        )
    for stars, minimum in THRESHOLDS:
        StarThreshold.objects.get_or_create(stars=stars, defaults={"min_score": Decimal(minimum)})


def ensure_reference_data() -> None:
    from .models import Industry, RatingCriterion, StarThreshold

    if not Industry.objects.exists():
        load_industries(Industry)
    if not RatingCriterion.objects.exists():
        load_rating_defaults(RatingCriterion, StarThreshold)
