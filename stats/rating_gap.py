"""The gap to the next star, as sentences in the reader's language (stats.ratings stores it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.i18n import say
from orgs.models import Rating, Region
from orgs.reference import THRESHOLDS
from orgs.rulebook import district_of
from orgs.selectors import thresholds_in_force

from .ratings import _q


def _star_floor(stars: int, on: date, region: Region | None = None) -> Decimal | None:
    """The minimum score of `stars` stars on a date in a region: the table in force's, or the default line."""
    row = next((t.min_score for t in thresholds_in_force(on=on, region=region) if t.stars == stars), None)
    if row is not None:
        return Decimal(row)
    default = dict(THRESHOLDS).get(stars)
    return Decimal(default) if default is not None else None


def _gap_item_text(item: object) -> str:
    """One stored gap item as a sentence in the reader's language; shapes the
    page does not know are left out rather than printed as data."""
    if isinstance(item, str):
        return say(item)
    if not isinstance(item, dict):
        return ""
    if "id" in item or "list" in item:
        return say(item)
    if item.get("message"):
        return say(item["message"])
    if item.get("name") and item.get("lost") is not None:
        values = {"name": say(item["name"]), "n": item["lost"]}
        missing = [say(m) for m in item.get("missing") or [] if m]
        if not missing:
            return _("%(name)s：失分 %(n)s") % values
        return _("%(name)s：失分 %(n)s（%(missing)s）") % {**values, "missing": _("；").join(missing)}
    missing = item.get("missing")
    if missing:
        text = _("；").join(say(m) for m in (missing if isinstance(missing, list) else [missing]) if m)
        return _("%(name)s：%(missing)s") % {"name": say(item["name"]), "missing": text} if item.get("name") else text
    return ""


def next_star_lines(rating: Rating) -> list[str]:
    """What stands between the rating in force (an override included) and the
    next star, as sentences: the points still needed, then the criteria that
    lost points, biggest loss first. Empty at five stars."""
    if rating.vetoed and not rating.override_stars:
        return [t for t in (_gap_item_text(i) for i in rating.next_star_gap or []) if t]
    stars = rating.stars
    if stars >= 5:
        return []
    lines = []
    target = stars + 1
    floor = _star_floor(target, rating.computed_on, district_of(rating.organization))
    if floor is not None:
        needed = _q(floor - Decimal(rating.score))
        if needed > 0:
            lines.append(_("达到★%(s)d还需 %(n)s 分") % {"s": target, "n": needed})
        else:
            lines.append(
                _("得分 %(score)s 已达★%(s)d分数线（%(floor)s 分），现行星级为区两新工委调整结果")
                % {"score": rating.score, "s": target, "floor": floor}
            )
    items = rating.next_star_gap or []
    if isinstance(items, dict):
        items = items.get("items", [items])
    for item in items:
        if isinstance(item, dict) and ("target_stars" in item or "veto" in item):
            continue  # the computed target; replaced above by the one of the rating in force
        text = _gap_item_text(item)
        if text:
            lines.append(text)
    return lines
