"""The nightly run's ratings (stats.ratings computes them): each part of the
run stages its organizations' rows (StagedRating), the final step replaces
the date's Rating rows with them in its transaction. A re-run replaces that
date's rows; a district override carries forward to later rows of the same
year, so a nightly recompute never silently undoes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext as _

from orgs.models import Rating

from .models import StagedRating
from .ratings import SchemesByDistrict, rate_all


@dataclass
class RatingRun:
    on: date
    ratings: int = 0
    messages: list[str] = field(default_factory=list)


def rating_messages(schemes: SchemesByDistrict) -> tuple[list[str], dict[int | None, str], bool]:
    """What the run says about the schemes (the same whichever part of the
    organizations it rates): the messages, the note each scheme owner's rows
    carry, and whether anything can be rated at all."""
    default = schemes.of(None)
    if default.total_weight <= 0 and not any(schemes.of(d).total_weight > 0 for d in schemes.districts):
        return [_("星级评定指标分值合计为0，未计算星级；请在“星级评定标准”页面设置评定指标。")], {}, False
    notes: dict[int | None, str] = {}
    for district_id in [None, *schemes.districts]:
        scheme = schemes.of(district_id)
        if scheme.owner_id in notes or scheme.total_weight in (0, 100):
            continue
        text = _("星级评定指标分值合计为%(n)d而非100，得分已按百分制折算；请在“星级评定标准”页面核对评定指标。")
        notes[scheme.owner_id] = text % {"n": scheme.total_weight}
    messages = list(notes.values())
    if any(schemes.of(d).defaulted_thresholds for d in [None, *schemes.districts]):
        messages.append(_("星级分数线未设置，已按默认分数线（90/80/70/60）计算。"))
    return messages, notes, True


def ratings_staged(*, on: date, token: str, organization_ids: list[int] | None = None) -> list[StagedRating]:
    """Rate the organizations existing on `on` (of `organization_ids` when
    given) under the scheme in force on that date: the rows to stage under
    `token` (not saved); none when no scheme weighs anything."""
    schemes = SchemesByDistrict(on)
    _messages, notes, any_weight = rating_messages(schemes)
    if not any_weight or organization_ids == []:
        return []
    rows = []
    for org, result in rate_all(on=on, schemes=schemes, organization_ids=organization_ids):
        note = notes.get(schemes.of(org.district_id).owner_id)
        if note:
            result["evidence"]["note"] = note
        rows.append(
            StagedRating(
                token=token,
                on=on,
                organization_id=org.pk,
                score=result["score"],
                computed_stars=result["stars"],
                vetoed=result["vetoed"],
                evidence=result["evidence"],
                next_star_gap=result["gap"],
            )
        )
    return rows


def ratings_publish(*, on: date, token: str) -> int:
    """Replace the Rating rows of `on` by the rows staged under `token`, in
    the caller's transaction; the number written. Set-based: one DELETE, one
    INSERT … SELECT, then the overrides carried forward (a few rows)."""
    carried = {}
    previous_rows = Rating.objects.filter(year=on.year, computed_on__lte=on, override_stars__isnull=False)
    for r in previous_rows.order_by("computed_on"):
        carried[r.organization_id] = r
    rating, staged = Rating._meta.db_table, StagedRating._meta.db_table
    with connection.cursor() as cursor:
        # Raw delete: the audit trail would log every replaced row of a re-run one by one.
        cursor.execute(f"DELETE FROM {rating} WHERE computed_on = %s", [on])
        cursor.execute(
            f"""INSERT INTO {rating} (organization_id, year, computed_on, published_on, score, computed_stars,
                vetoed, override_reason, evidence, next_star_gap)
            SELECT organization_id, %s, %s, %s, score, computed_stars, vetoed, '', evidence, next_star_gap
            FROM {staged} WHERE token = %s""",
            [on.year, on, on, token],
        )
        written = cursor.rowcount
    overridden = list(Rating.objects.filter(computed_on=on, organization_id__in=list(carried)))
    for row in overridden:
        previous = carried[row.organization_id]
        row.override_stars = previous.override_stars
        row.override_reason = previous.override_reason
        row.override_by_id = previous.override_by_id
        row.override_at = previous.override_at
    Rating.objects.bulk_update(
        overridden, ["override_stars", "override_reason", "override_by", "override_at"], batch_size=500
    )
    return written


def ratings_compute(*, on: date) -> RatingRun:
    """Rate every organization existing on `on` and publish the rows at once
    (the nightly run does the same through its parts, stats.run)."""
    run = RatingRun(on=on)
    messages, _notes, any_weight = rating_messages(SchemesByDistrict(on))
    run.messages.extend(messages)
    if not any_weight:
        return run
    token = uuid.uuid4().hex
    try:
        StagedRating.objects.bulk_create(ratings_staged(on=on, token=token), batch_size=2000)
        with transaction.atomic():
            run.ratings = ratings_publish(on=on, token=token)
    finally:
        StagedRating.objects.filter(token=token).delete()
    return run
