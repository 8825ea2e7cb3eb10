"""District staff change the star-rating scheme (criteria weights and star
thresholds) from a date on, and first see what the change would do.

A change adds rule rows with an `effective_from`; the rows in force before
stay as history, and each rating run uses the rows in force on its date
(orgs.selectors.criteria_in_force). The preview rates every organization
in memory on the latest rating date twice, under the scheme in force and
under the proposed one, with the same inputs, and lists the organizations
whose stars would change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Rating, RatingCriterion, StarThreshold, User
from orgs.policy import AnyUser, require_permission
from orgs.reference import THRESHOLDS
from orgs.selectors import criteria_in_force, organization_list, thresholds_in_force

from .ratings import load_inputs, rate_all

EDITABLE_STARS = (5, 4, 3, 2)


@dataclass
class Proposal:
    effective_from: date
    weights: dict[str, int]
    active: dict[str, bool]
    thresholds: dict[int, Decimal]


@dataclass
class Preview:
    on: date | None
    moves: list[dict] = field(default_factory=list)
    rated: int = 0


def _parse_date(raw: object) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return None


def scheme_check(
    *, by: User, effective_from: object, weights: dict[str, object], active: dict[str, bool], thresholds: dict
) -> Proposal:
    """Everything a proposed scheme must satisfy, before a preview or a save:
    the date not in the past, whole-number weights whose active ones add up
    to 100, thresholds strictly decreasing from ★5 to ★2."""
    require_permission(policy.may_set_rating_scheme(by), _("只有区两新工委工作人员可以调整星级评定标准"))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    starts = _parse_date(effective_from)
    if starts is None:
        errors["effective_from"] = _("生效日期格式应为YYYY-MM-DD")
    elif starts < today:
        errors["effective_from"] = _("生效日期不能早于今天（%(d)s）") % {"d": today}
    current = {c.code: c for c in criteria_in_force(on=starts or today)}
    parsed: dict[str, int] = {}
    for code, criterion in current.items():
        raw = weights.get(code, criterion.weight)
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = -1
        if not 0 <= value <= 100:
            errors[f"weight_{code}"] = _("“%(name)s”的分值应为0至100的整数") % {"name": _(criterion.name)}
        parsed[code] = value
    flags = {code: bool(active.get(code, c.active)) for code, c in current.items()}
    if not any(k.startswith("weight_") for k in errors):
        total = sum(w for code, w in parsed.items() if flags[code])
        if total != 100:
            errors["weights"] = _("启用指标的分值合计应为100，现为%(n)d") % {"n": total}
    scores: dict[int, Decimal] = {}
    for stars in EDITABLE_STARS:
        try:
            minimum = Decimal(str(thresholds.get(stars, "")).strip())
        except InvalidOperation:
            minimum = Decimal("NaN")
        if (
            not minimum.is_finite()
            or not (Decimal(0) < minimum <= Decimal(100))
            or minimum != minimum.quantize(Decimal("0.01"))
        ):
            errors[f"threshold_{stars}"] = _("%(s)d星最低分应为0至100之间、最多两位小数的数") % {"s": stars}
            continue
        scores[stars] = minimum
    if len(scores) == len(EDITABLE_STARS):
        ordered = [scores[s] for s in EDITABLE_STARS]
        if any(higher <= lower for higher, lower in zip(ordered, ordered[1:], strict=False)):
            errors["thresholds"] = _("星级分数线应从五星到二星依次递减：%(v)s") % {
                "v": " > ".join(f"★{s} {scores[s]}" for s in EDITABLE_STARS)
            }
    if errors:
        raise ApplicationError(errors)
    assert starts is not None
    return Proposal(effective_from=starts, weights=parsed, active=flags, thresholds=scores)


def proposal_key(proposal: Proposal) -> str:
    """What a preview showed, so that saving takes exactly the values previewed."""
    parts = [proposal.effective_from.isoformat()]
    parts += [
        f"{code}={proposal.weights[code]}{'+' if proposal.active[code] else '-'}" for code in sorted(proposal.weights)
    ]
    parts += [f"{stars}={proposal.thresholds[stars]}" for stars in sorted(proposal.thresholds)]
    return ";".join(parts)


def _proposed_criteria(proposal: Proposal, on: date) -> list[RatingCriterion]:
    rows = []
    for criterion in criteria_in_force(on=on):
        row = copy.copy(criterion)
        row.weight = proposal.weights.get(row.code, row.weight)
        row.active = proposal.active.get(row.code, row.active)
        if row.active:
            rows.append(row)
    return rows


def _threshold_pairs(on: date) -> list[tuple[int, Decimal]]:
    rows = [(t.stars, t.min_score) for t in thresholds_in_force(on=on)]
    return rows or [(s, Decimal(m)) for s, m in THRESHOLDS]


def scheme_preview(*, proposal: Proposal, user: AnyUser) -> Preview:
    """The organizations in the user's scope whose stars the proposal would
    change on the latest rating date: old (scheme in force) → new."""
    on = Rating.objects.aggregate(latest=Max("computed_on"))["latest"]
    if on is None:
        return Preview(on=None)
    inputs = load_inputs(on=on)
    old = rate_all(
        on=on, criteria=criteria_in_force(on=on, active_only=True), thresholds=_threshold_pairs(on), inputs=inputs
    )
    proposed_thresholds = sorted(
        [*proposal.thresholds.items(), *((s, m) for s, m in _threshold_pairs(on) if s not in proposal.thresholds)],
        reverse=True,
    )
    new = dict(
        (org.pk, result)
        for org, result in rate_all(
            on=on, criteria=_proposed_criteria(proposal, on), thresholds=proposed_thresholds, inputs=inputs
        )
    )
    visible = set(organization_list(user=user).values_list("pk", flat=True))
    moves = []
    for org, before in old:
        if org.pk not in visible:
            continue
        after = new[org.pk]
        if after["stars"] != before["stars"]:
            moves.append(
                {
                    "organization": org,
                    "old_stars": before["stars"],
                    "new_stars": after["stars"],
                    "old_score": before["score"],
                    "new_score": after["score"],
                }
            )
    moves.sort(key=lambda m: (m["new_stars"] - m["old_stars"], m["organization"].name))
    return Preview(on=on, moves=moves, rated=len(visible))


def upcoming_scheme_dates(*, after: date) -> list[date]:
    """Dates from which a saved change is still to come into force."""
    dates = set(RatingCriterion.objects.filter(effective_from__gt=after).values_list("effective_from", flat=True))
    dates |= set(StarThreshold.objects.filter(effective_from__gt=after).values_list("effective_from", flat=True))
    return sorted(dates)


@transaction.atomic
def scheme_set(*, proposal: Proposal, by: User) -> None:
    """Write the proposal as rule rows from its date on. Rows of the same date
    (a change not yet in force) are revised; earlier rows stay as history."""
    require_permission(policy.may_set_rating_scheme(by), _("只有区两新工委工作人员可以调整星级评定标准"))
    starts = proposal.effective_from
    for criterion in criteria_in_force(on=starts):
        RatingCriterion.objects.update_or_create(
            code=criterion.code,
            effective_from=starts,
            defaults={
                "name": criterion.name,
                "weight": proposal.weights[criterion.code],
                "active": proposal.active[criterion.code],
                "description": criterion.description,
                "params": criterion.params,
                "manual": criterion.manual,
                "order": criterion.order,
            },
        )
    for stars, minimum in proposal.thresholds.items():
        StarThreshold.objects.update_or_create(stars=stars, effective_from=starts, defaults={"min_score": minimum})
    audit_event(
        actor=by,
        instance=by,
        event="rating_scheme_set",
        detail={
            "effective_from": str(starts),
            "weights": proposal.weights,
            "active": proposal.active,
            "thresholds": {str(k): str(v) for k, v in proposal.thresholds.items()},
        },
    )
