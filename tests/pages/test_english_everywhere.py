"""With English chosen, every page each demo role reaches reads in English:
dates, industry names, rating evidence, fund labels, warnings, notifications
and import limits included. What stays Chinese is what people typed or the
survey brought (names, addresses, notes), and text that declares itself
Chinese (the 中文 switch, the emblem)."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.utils import translation

from funds.models import Notification
from orgs.models import Alert, Industry, RatingCriterion, StarThreshold, User
from tests.helpers.crawl import walk

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]+")
# Reference data shipped with the code is the application's text, not the district's.
SHIPPED = {Industry, RatingCriterion, StarThreshold}
# Text the application wrote (kept in Chinese for exports and search) is shown from what it meant.
# (The audit trail's names of records are kept verbatim, as they were when the record changed.)
WRITTEN = {(Alert, "message"), (Notification, "message")}


def _typed_values() -> list[str]:
    """Every Chinese string people or the survey put in the database, longest first."""
    values: set[str] = set()
    for model in apps.get_models():
        if model in SHIPPED:
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices and (model, f.name) not in WRITTEN
        ]
        if not names:
            continue
        for row in model.objects.values_list(*names):
            values.update(v.strip() for v in row if isinstance(v, str) and HAN.search(v))
    return sorted(values, key=len, reverse=True)


@pytest.fixture(autouse=True)
def _back_to_chinese():
    # The locale middleware leaves the last request's language active in the thread.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def district_in_english(db):
    call_command(
        "seed_demo", "--enterprises", "80", "--seed", "5", "--as-of", "2026-11-20", stdout=open("/dev/null", "w")
    )
    call_command("compute_stats", "--date", "2026-11-20", stdout=open("/dev/null", "w"))
    return _typed_values()


@pytest.mark.parametrize("username", ["district", "street", "secretary", "instructor", "leader"])
def test_every_page_reads_in_english(client, district_in_english, username):
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    left: dict[str, str] = {}
    for url, texts in walk(client, depth=2):
        for piece in texts:
            if piece.lang and piece.lang.startswith("zh"):
                continue
            text = piece.text
            for value in district_in_english:
                if value in text:
                    text = text.replace(value, " ")
            for han in HAN.findall(text):
                left.setdefault(han, f"{url}: {piece.text[:80]}")
    assert not left, "\n".join(f"{k}  ← {v}" for k, v in sorted(left.items()))
