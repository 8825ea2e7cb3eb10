"""Whose rule is in force: a district's own, else its city's default, else
the installation's default (DESIGN.md §8).

Every rule table (the 公积金 star table, the rating criteria and star
thresholds, the compliance rules) carries `region` and `effective_from`.
For an organization in district D on date T, D's own rows in force at T are
used if D has any for that rule family; otherwise the defaults: those of the
city above D, and failing that the rows with no region. A district's
override therefore replaces the whole family (the rating criteria must add
up to 100 together), never a stray row of it; the star table is a family
per star, as each star's rate and cap are set on their own.

`rules_in_force` is the one resolver; every reader goes through it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from . import policy
from .models import PartyOrganization, Region
from .models.statistics import SCHEME_START
from .scoping import AnyUser, scope_for


def rule_chain(region: Region | None) -> list[int | None]:
    """The regions whose rules may apply in `region`, nearest first, ending
    with None (the installation's default). A street or park counts as its
    district; regions above a district start at themselves."""
    if region is None:
        return [None]
    node: Region | None = region.district() or region
    chain: list[int | None] = []
    while node is not None:
        if node.kind in (Region.Kind.DISTRICT, Region.Kind.CITY, Region.Kind.PROVINCE):
            chain.append(node.pk)
        node = node.parent
    return [*chain, None]


def district_of(organization: PartyOrganization) -> Region | None:
    """The district an organization lies in (through its street)."""
    return organization.street.district() if organization.street_id else None


def rules_in_force(
    rows: QuerySet[Any] | Iterable[Any],
    *,
    region: Region | None,
    on: date,
    key: Callable[[Any], Hashable],
    family: Callable[[Any], Hashable] | None = None,
) -> list[Any]:
    """The rows in force in `region` on `on`: per family, the rows of the
    nearest region in `rule_chain` that has any in force, and of those, per
    key, the one with the latest `effective_from` on or before `on`.

    `rows` is the whole table (or a queryset of it); `family` groups keys
    that must come from the same region (default: the whole table is one)."""
    chain = rule_chain(region)
    rank = {region_id: i for i, region_id in enumerate(chain)}
    if isinstance(rows, QuerySet):
        regions = [r for r in chain if r is not None]
        rows = rows.filter(Q(region__isnull=True) | Q(region_id__in=regions), effective_from__lte=on)
    candidates = [r for r in rows if r.effective_from <= on and r.region_id in rank]
    family_of = family or (lambda _row: None)
    nearest: dict[Hashable, int] = {}
    for row in candidates:
        f = family_of(row)
        nearest[f] = min(nearest.get(f, len(chain)), rank[row.region_id])
    latest: dict[Hashable, Any] = {}
    for row in sorted(candidates, key=lambda r: r.effective_from):
        if rank[row.region_id] == nearest[family_of(row)]:
            latest[key(row)] = row
    return list(latest.values())


@dataclass(frozen=True)
class RuleOwner:
    """Whose rules are in force, and since when: what every rule page says."""

    region: Region | None
    since: date | None

    @property
    def label(self) -> str:
        since = self.since if self.since and self.since > SCHEME_START else None
        if self.region is None:
            text = _("市级默认规则")
        elif self.region.kind == Region.Kind.DISTRICT:
            text = _("%(name)s规则") % {"name": self.region.name}
        else:
            text = _("%(name)s默认规则") % {"name": self.region.name}
        if since is None:
            return text
        return _("%(rule)s（自%(d)s起）") % {"rule": text, "d": since.isoformat()}


def rule_region_refusal(region: Region | None) -> str:
    """The refusal of a rule for a region the user does not hold (it names the field)."""
    name = region.name if region is not None else _("市级默认规则")
    return _("适用区域：您不能设置“%(name)s”的规则，只能设置您所在区（或本市默认）的规则") % {"name": name}


def rule_owner(rows: Iterable[Model]) -> RuleOwner:
    """Who set the rows in force (the output of `rules_in_force`), and since
    when the newest of them applies."""
    rows = list(rows)
    if not rows:
        return RuleOwner(region=None, since=None)
    newest = max(rows, key=lambda r: r.effective_from)  # type: ignore[attr-defined]
    return RuleOwner(region=newest.region, since=newest.effective_from)  # type: ignore[attr-defined]


# --- the region a rule page shows and sets ---------------------------------------------------

DEFAULT_CHOICE = "default"


def rule_region_parse(raw: object) -> Region | None:
    """The region a submitted rule is for: "default" or nothing for the
    installation's default, else a district's or city's id."""
    text = str(raw or "").strip()
    if text in ("", DEFAULT_CHOICE):
        return None
    try:
        return Region.objects.get(pk=int(text), kind__in=policy.RULE_REGION_KINDS)
    except (ValueError, Region.DoesNotExist):
        raise ApplicationError({"region": [_("适用区域：请选择区或本市默认规则")]}) from None


def rule_region_options(user: AnyUser) -> list[tuple[str, str]]:
    """What the region picker of a rule page offers: the regions the user sets rules for."""
    return [(rule_region_value(r), rule_region_label(r)) for r in policy.rule_regions_settable(user)]


def reader_district(user: AnyUser) -> Region | None:
    """The district whose rules a reader who sets none sees: that of the first
    street or organization they reach (None, the defaults, for a whole installation)."""
    scope = scope_for(user)
    if scope.everything:
        return None
    if scope.street_ids:
        street = Region.objects.filter(pk__in=scope.street_ids).order_by("pk").first()
        return street.district() if street else None
    organization = (
        PartyOrganization.objects.filter(pk__in=scope.organization_ids).select_related("street").order_by("pk").first()
    )
    return district_of(organization) if organization else None


def rule_region_label(region: Region | None) -> str:
    """Whose rules a region's rows are, without a date: "甲区规则", "市级默认规则"."""
    return RuleOwner(region=region, since=None).label


def rule_region_value(region: Region | None) -> str:
    """A region as the picker's value."""
    return DEFAULT_CHOICE if region is None else str(region.pk)


def rule_region_for_page(*, user: AnyUser, raw: object, fallback: bool = False) -> Region | None:
    """The region whose rules a rule page shows: the one asked for, when the
    user sets its rules; by default the first the user sets, or a reader's
    own district. Another region asked for is not found (404), or with
    `fallback` (a refused form shown again) replaced by the default."""
    settable = policy.rule_regions_settable(user)
    default = settable[0] if settable else reader_district(user)
    if raw in (None, ""):
        return default
    try:
        region = rule_region_parse(raw)
    except ApplicationError:
        if fallback:
            return default
        raise Http404 from None
    if region in settable or (not settable and region == reader_district(user)):
        return region
    if fallback:
        return default
    raise Http404
