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
from orgs.models import Rating, RatingCriterion, Region, StarThreshold, User
from orgs.policy import AnyUser, require_permission
from orgs.rulebook import rule_region_refusal
from orgs.selectors import criteria_in_force, organization_list

from .ratings import Scheme, SchemesByDistrict, load_inputs, rate_all, scheme_in_force

EDITABLE_STARS = (5, 4, 3, 2)


@dataclass
class Proposal:
    effective_from: date
    weights: dict[str, int]
    active: dict[str, bool]
    thresholds: dict[int, Decimal]
    # Whose scheme: a district's own, a city's default, or None (the installation's default).
    region: Region | None = None


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
    *,
    by: User,
    effective_from: object,
    weights: dict[str, object],
    active: dict[str, bool],
    thresholds: dict,
    region: Region | None = None,
) -> Proposal:
    """Everything a proposed scheme must satisfy, before a preview or a save:
    a region the user sets rules for, the date not in the past, whole-number
    weights whose active ones add up to 100, thresholds strictly decreasing
    from ★5 to ★2."""
    require_permission(policy.may_set_rating_scheme(by), _("只有区两新工委工作人员可以调整星级评定标准"))
    if not policy.may_set_rating_scheme(by, region):
        raise ApplicationError({"region": rule_region_refusal(region)})
    errors: dict[str, str] = {}
    today = timezone.localdate()
    starts = _parse_date(effective_from)
    if starts is None:
        errors["effective_from"] = _("生效日期格式应为YYYY-MM-DD")
    elif starts < today:
        errors["effective_from"] = _("生效日期不能早于今天（%(d)s）") % {"d": today}
    current = {c.code: c for c in criteria_in_force(on=starts or today, region=region)}
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
    return Proposal(effective_from=starts, weights=parsed, active=flags, thresholds=scores, region=region)


def proposal_key(proposal: Proposal) -> str:
    """What a preview showed, so that saving takes exactly the values previewed."""
    parts = [proposal.effective_from.isoformat(), f"region={proposal.region.pk if proposal.region else ''}"]
    parts += [
        f"{code}={proposal.weights[code]}{'+' if proposal.active[code] else '-'}" for code in sorted(proposal.weights)
    ]
    parts += [f"{stars}={proposal.thresholds[stars]}" for stars in sorted(proposal.thresholds)]
    return ";".join(parts)


def _proposed_scheme(proposal: Proposal, on: date) -> Scheme:
    """The proposal as a scheme on `on`: the region's criteria with the new
    weights and flags, its thresholds with the new lines."""
    base = scheme_in_force(on=on, region=proposal.region)
    criteria = []
    for criterion in criteria_in_force(on=on, region=proposal.region):
        row = copy.copy(criterion)
        row.weight = proposal.weights.get(row.code, row.weight)
        row.active = proposal.active.get(row.code, row.active)
        if row.active:
            criteria.append(row)
    thresholds = sorted(
        [*proposal.thresholds.items(), *((s, m) for s, m in base.thresholds if s not in proposal.thresholds)],
        reverse=True,
    )
    return Scheme(criteria=criteria, thresholds=thresholds, owner_id=proposal.region.pk if proposal.region else None)


def _affected(schemes: SchemesByDistrict, region: Region | None) -> list[int | None]:
    """The districts whose scheme a change of `region`'s rows changes: the
    district itself, or for a default, the districts that follow it today."""
    if region is not None and region.kind == Region.Kind.DISTRICT:
        return [region.pk]
    owner = region.pk if region else None
    return [d for d in [None, *schemes.districts] if schemes.of(d).owner_id == owner]


def scheme_preview(*, proposal: Proposal, user: AnyUser) -> Preview:
    """The organizations in the user's scope whose stars the proposal would
    change on the latest rating date: old (scheme in force) → new. Only the
    districts that follow the proposal's region are affected."""
    on = Rating.objects.aggregate(latest=Max("computed_on"))["latest"]
    if on is None:
        return Preview(on=None)
    inputs = load_inputs(on=on)
    current = SchemesByDistrict(on)
    proposed = _proposed_scheme(proposal, on)
    changed = SchemesByDistrict(on, override={d: proposed for d in _affected(current, proposal.region)})
    old = rate_all(on=on, schemes=current, inputs=inputs)
    new = dict((org.pk, result) for org, result in rate_all(on=on, schemes=changed, inputs=inputs))
    visible = set(organization_list(user=user).values_list("pk", flat=True))
    moves = []
    for org, before in old:
        if org.pk not in visible or org.pk not in new:
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


def upcoming_scheme_dates(*, after: date, region: Region | None = None) -> list[date]:
    """Dates from which a saved change of the region's scheme is still to come into force."""
    later = {"effective_from__gt": after, "region": region}
    dates = set(RatingCriterion.objects.filter(**later).values_list("effective_from", flat=True))
    dates |= set(StarThreshold.objects.filter(**later).values_list("effective_from", flat=True))
    return sorted(dates)


@transaction.atomic
def scheme_set(*, proposal: Proposal, by: User) -> None:
    """Write the proposal as rule rows from its date on. Rows of the same date
    (a change not yet in force) are revised; earlier rows stay as history."""
    require_permission(policy.may_set_rating_scheme(by), _("只有区两新工委工作人员可以调整星级评定标准"))
    region = proposal.region
    if not policy.may_set_rating_scheme(by, region):
        raise ApplicationError({"region": rule_region_refusal(region)})
    starts = proposal.effective_from
    # The region's whole scheme is written (its criteria and thresholds are a family: orgs.rulebook).
    for criterion in criteria_in_force(on=starts, region=region):
        RatingCriterion.objects.update_or_create(
            code=criterion.code,
            effective_from=starts,
            region=region,
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
        StarThreshold.objects.update_or_create(
            stars=stars, effective_from=starts, region=region, defaults={"min_score": minimum}
        )
    audit_event(
        actor=by,
        instance=by,
        event="rating_scheme_set",
        detail={
            "effective_from": str(starts),
            "region": region.pk if region else None,
            "weights": proposal.weights,
            "active": proposal.active,
            "thresholds": {str(k): str(v) for k, v in proposal.thresholds.items()},
        },
    )
