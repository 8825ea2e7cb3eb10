"""Drill-downs (DESIGN.md §3): the exact records behind one coverage figure,
each with why it counts, recomputed with the statement the nightly run uses
(stats.coverage.facts_sql) under the same filters, so a list's count is the
snapshot's figure for the date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, connections, router, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import AllianceMember
from members.models import Member
from orgs.models import (
    Enterprise,
    FormationMode,
    Industry,
    InstructorAssignment,
    PartyOrganization,
    Region,
)
from orgs.scoping import scope_for

from .coverage import (
    ENTERPRISE_SETS,
    FORMAL,
    PROBATIONARY,
    facts_sql,
    hash_joins_only,
    tables,
)
from .coverage_reads import street_or_404
from .nodes import region_or_404

# The records behind the two figures that are not enterprise counts.
RECORD_SETS: dict[str, str] = {
    "organizations": gettext_lazy("党组织"),
    "members": gettext_lazy("党员"),
}
# A rate's drill-down lists its numerator; the page also gives the base it is a share of.
RATE_BASE = {
    "org_covered": "enterprises",
    "work_covered": "enterprises",
    "own_org": "own_org_eligible",
    "union_established": "enterprises",
    "league_established": "enterprises",
}
# A rate of people rather than enterprises: its list is the enterprises
# behind it, and the page gives the two sums (职工入会率: union members over
# the employees of the union enterprises that gave their member count).
SUM_RATES = {"union_membership": ("union_members", "employees")}


def drilldown_label(figure: str) -> str:
    if figure in ENTERPRISE_SETS:
        return str(ENTERPRISE_SETS[figure][0])
    return str(RECORD_SETS.get(figure, ""))


@dataclass
class DrilldownRow:
    name: str
    url: str
    street: str
    reason: str
    enterprise: Enterprise | None = None


@dataclass
class Drilldown:
    figure: str
    label: str
    on: date
    total: int
    rows: list[DrilldownRow]
    base_total: int | None = None
    scope: list[str] = field(default_factory=list)
    # SUM_RATES: the sums over the listed enterprises whose ratio is the figure.
    part_sum: int | None = None
    whole_sum: int | None = None

    @property
    def rate(self) -> float | None:
        """The share the figure is of its base, as the snapshot's rate property computes it."""
        if self.whole_sum is not None:
            return self.part_sum / self.whole_sum if self.whole_sum else None
        if self.base_total is None or not self.base_total:
            return None
        return self.total / self.base_total

    @property
    def has_rate(self) -> bool:
        return self.base_total is not None or self.whole_sum is not None


@dataclass
class _Where:
    """The drill-down's conditions on the facts row `x`, with their parameters."""

    clauses: list[str]
    params: list
    scope: list[str]
    narrowed: bool


def _drill_where(*, user, street_id, park_id, industry, above_scale: bool, region_id=None) -> _Where:
    scope = scope_for(user)
    where = _Where(clauses=[], params=[], scope=[], narrowed=scope.everything)
    street = None
    above = None  # a region above the streets (a district, a city)
    if region_id not in (None, "") and street_id in (None, "") and park_id in (None, ""):
        region = region_or_404(user=user, region_id=region_id)
        if region.kind == Region.Kind.STREET:
            street_id = region.pk
        elif region.kind == Region.Kind.PARK:
            park_id = region.pk
        else:
            above = region
    if above is not None:
        streets = [int(pk) for pk in above.streets_below().values_list("pk", flat=True)]
        where.clauses.append(f"x.street_id IN ({','.join(str(pk) for pk in streets) or 'NULL'})")
        where.scope.append(above.name)
        where.narrowed = scope.everything or above.pk in scope.region_ids
    elif park_id not in (None, ""):
        try:
            park = Region.objects.select_related("parent").get(pk=int(park_id), kind=Region.Kind.PARK)
        except (Region.DoesNotExist, ValueError, TypeError):
            raise Http404(_("记录不存在或不在您的管辖范围内")) from None
        street = street_or_404(user=user, street_id=park.parent_id)
        if street_id not in (None, "") and str(street_id) != str(street.pk):
            raise Http404(_("记录不存在或不在您的管辖范围内"))
        where.clauses.append("x.park_id = %s")
        where.params.append(park.pk)
        where.scope += [street.name, park.name]
    elif street_id not in (None, ""):
        street = street_or_404(user=user, street_id=street_id)
        where.clauses.append("x.street_id = %s")
        where.params.append(street.pk)
        where.scope.append(street.name)
    elif not scope.everything:
        raise Http404(_("请指定街道"))
    if street is not None:
        where.narrowed = scope.everything or street.pk in scope.street_ids
    if industry not in (None, ""):
        found = Industry.objects.filter(pk=str(industry).strip().upper()[:1]).first()
        if found is None:
            raise Http404(_("行业门类不存在"))
        where.clauses.append("x.industry_id = %s")
        where.params.append(found.pk)
        where.scope.append(f"{found.pk} {found.name}")
    if above_scale:
        where.clauses.append("x.above_scale = 1")
        where.scope.append(str(_("规上企业")))
    return where


def coverage_drilldown(
    *,
    user,
    figure: str,
    on: date,
    street_id=None,
    park_id=None,
    industry=None,
    above_scale: bool = False,
    offset: int = 0,
    limit: int = 50,
    region_id=None,
) -> Drilldown:
    """The exact records behind one figure of the snapshots, each with why it
    is counted: the enterprises of a set, the organizations, the members.
    Recomputed from the records with the statement the nightly run uses, under
    the same filters (street, park, industry, 规上), so its count is the
    snapshot's figure for the date."""
    if figure not in ENTERPRISE_SETS and figure not in RECORD_SETS:
        raise Http404(_("没有这个统计项"))
    where = _drill_where(
        user=user,
        street_id=street_id,
        park_id=park_id,
        industry=industry,
        above_scale=above_scale,
        region_id=region_id,
    )
    if figure in RECORD_SETS:
        if not where.narrowed:
            # Organizations and members are listed for the staff of the scope only.
            raise Http404(_("记录不存在或不在您的管辖范围内"))
        reader = _organizations_drilldown if figure == "organizations" else _members_drilldown
        result = reader(on=on, where=where, offset=offset, limit=limit)
    else:
        result = _enterprises_drilldown(user=user, figure=figure, on=on, where=where, offset=offset, limit=limit)
    result.scope = where.scope
    return result


@contextmanager
def _read_cursor() -> Iterator:
    """A cursor on the database the ORM would read from: raw SQL does not pass
    through the database router, and a drill-down page reads from the replica
    where one is configured (core.db_router)."""
    alias = router.db_for_read(Enterprise)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        hash_joins_only(cursor)
        yield cursor


def _facts_body(on: date, where: _Where, conditions: list[str]) -> tuple[str, list]:
    sql, params = facts_sql(on=on)
    clauses = [*conditions, *where.clauses] or ["1=1"]
    return f"FROM ({sql}) x WHERE " + " AND ".join(clauses), [*params, *where.params]


def _enterprises_drilldown(*, user, figure: str, on: date, where: _Where, offset: int, limit: int) -> Drilldown:
    label, condition = ENTERPRISE_SETS[figure]
    conditions = [condition]
    if not where.narrowed:
        # A secretary or instructor reads the street's figures but lists only their own enterprises.
        scope = scope_for(user)
        allowed = list(Enterprise.objects.filter(scope.enterprises_q()).values_list("pk", flat=True).distinct())
        conditions.append(f"x.enterprise_id IN ({','.join(str(int(pk)) for pk in allowed) or 'NULL'})")
    body, params = _facts_body(on, where, conditions)
    base_total = None
    with _read_cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {body}", params)
        total = cursor.fetchone()[0]
        if figure in RATE_BASE:
            base_body, base_params = _facts_body(on, where, [ENTERPRISE_SETS[RATE_BASE[figure]][1], *conditions[1:]])
            cursor.execute(f"SELECT COUNT(*) {base_body}", base_params)
            base_total = cursor.fetchone()[0]
        sums = None
        if figure in SUM_RATES:
            part, whole = SUM_RATES[figure]
            cursor.execute(f"SELECT SUM(x.{part}), SUM(x.{whole}) {body}", params)
            sums = [int(v or 0) for v in cursor.fetchone()]
        cursor.execute(
            f"""SELECT x.enterprise_id, x.formal_n, x.survey_formal, x.m_formal, x.survey_year, x.org_covered,
              x.instructor, x.survey_total, x.m_probationary, x.alliance, x.union_members, x.employees,
              x.league_members {body}
              ORDER BY x.enterprise_id LIMIT %s OFFSET %s""",
            [*params, int(limit), int(offset)],
        )
        facts = cursor.fetchall()
    ids = [row[0] for row in facts]
    enterprises = Enterprise.objects.select_related("street").in_bulk(ids)
    covering: dict[int, list[str]] = defaultdict(list)
    for org in (
        PartyOrganization.objects.filter(enterprises__in=ids)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        .values("enterprises", "name", "formation_mode")
    ):
        covering[org["enterprises"]].append(f"{org['name']}（{FormationMode(org['formation_mode']).label}）")
    instructors: dict[int, list[str]] = defaultdict(list)
    for a in (
        InstructorAssignment.objects.filter(enterprise_id__in=ids, start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .select_related("instructor")
    ):
        who = str(a.instructor) if a.instructor else (a.instructor_name or _("待指定"))
        instructors[a.enterprise_id].append(_("党建指导员%(who)s（%(start)s起）") % {"who": who, "start": a.start_on})
    alliances = _alliance_reasons(ids, on)
    rows = []
    for (
        eid,
        formal_n,
        survey_formal,
        m_formal,
        year,
        org_covered,
        instructor,
        _survey_total,
        _m_prob,
        alliance,
        union_members,
        employees,
        league_members,
    ) in facts:
        members = _("正式党员%(n)d人（%(year)s年排查%(s)d人，台账%(m)d人）") % {
            "n": formal_n,
            "year": year,
            "s": survey_formal,
            "m": m_formal,
        }
        if figure == "enterprises":
            reason = _("%(year)s年排查为在营") % {"year": year}
        elif figure == "org_covered":
            reason = _("由%(orgs)s覆盖") % {"orgs": "、".join(covering[eid])}
        elif figure == "work_covered":
            parts = ([_("由%(orgs)s覆盖") % {"orgs": "、".join(covering[eid])}] if org_covered else []) + (
                instructors[eid] if instructor else []
            )
            reason = "；".join(parts + (alliances[eid] if alliance else []))
        elif figure == "not_work_covered":
            reason = _("无党组织覆盖，无在岗党建指导员，也未加入产业链党建联盟")
        elif figure == "own_org_eligible":
            reason = members
        elif figure == "own_org":
            reason = members + "；" + _("单独组建：%(orgs)s") % {"orgs": "、".join(covering[eid])}
        elif figure == "should_form_not_formed":
            reason = members + "；" + _("未被任何党组织覆盖")
        elif figure == "union_established":
            reason = _("%(year)s年排查已建立工会") % {"year": year}
        elif figure == "union_membership":
            reason = _("%(year)s年排查工会会员%(m)d人，从业人员%(e)d人") % {
                "year": year,
                "m": union_members,
                "e": employees,
            }
        elif figure == "league_established":
            reason = _("%(year)s年排查已建立团组织") % {"year": year}
            if league_members:
                reason += _("，团员%(n)d人") % {"n": league_members}
        else:
            reason = _("%(year)s年排查党员0人，台账无在册党员") % {"year": year}
        if eid in enterprises:
            e = enterprises[eid]
            rows.append(
                DrilldownRow(
                    name=e.name,
                    url=reverse("orgs:enterprise_detail", args=[e.pk]),
                    street=e.street.name,
                    reason=reason,
                    enterprise=e,
                )
            )
    result = Drilldown(figure=figure, label=str(label), on=on, total=total, rows=rows, base_total=base_total)
    if sums is not None:
        result.part_sum, result.whole_sum = sums
    return result


def _alliance_reasons(ids: list[int], on: date) -> dict[int, list[str]]:
    """Why an enterprise is work-covered through an alliance: it is an N member
    of an active alliance on the day (the rule of stats.coverage.facts_sql)."""
    reasons: dict[int, list[str]] = defaultdict(list)
    for enterprise_id, name in (
        AllianceMember.objects.filter(enterprise_id__in=ids, joined_on__lte=on, alliance__founded_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .filter(Q(alliance__dissolved_on__isnull=True) | Q(alliance__dissolved_on__gt=on))
        .values_list("enterprise_id", "alliance__name")
        .order_by("alliance__name")
    ):
        reasons[enterprise_id].append(_("加入产业链党建联盟（%(name)s）") % {"name": name})
    return reasons


def _organizations_drilldown(*, on: date, where: _Where, offset: int, limit: int) -> Drilldown:
    """The organizations the snapshot counts: those covering at least one
    enterprise of the scope on the date (as `active_org_rows`), each once."""
    t = tables()
    d = connection.ops.adapt_datefield_value(on)
    facts, params = _facts_body(on, where, [])
    body = f"""FROM {t["link"]} l
        JOIN {t["org"]} o ON o.id = l.partyorganization_id
        JOIN (SELECT x.enterprise_id {facts}) f ON f.enterprise_id = l.enterprise_id
        WHERE (o.founded_on IS NULL OR o.founded_on <= %s) AND (o.dissolved_on IS NULL OR o.dissolved_on > %s)"""
    params = [*params, d, d]
    with _read_cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT o.id) {body}", params)
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT o.id, COUNT(*) {body} GROUP BY o.id ORDER BY o.id LIMIT %s OFFSET %s",
            [*params, int(limit), int(offset)],
        )
        found = cursor.fetchall()
    orgs = PartyOrganization.objects.select_related("street").in_bulk([pk for pk, _n in found])
    rows = [
        DrilldownRow(
            name=orgs[pk].name,
            url=reverse("orgs:organization_detail", args=[pk]),
            street=orgs[pk].street.name,
            reason=_("%(mode)s，覆盖本范围在营企业%(n)d家") % {"mode": orgs[pk].get_formation_mode_display(), "n": n},
        )
        for pk, n in found
        if pk in orgs
    ]
    return Drilldown(figure="organizations", label=drilldown_label("organizations"), on=on, total=total, rows=rows)


def _members_drilldown(*, on: date, where: _Where, offset: int, limit: int) -> Drilldown:
    """The members the snapshot counts: formal and probationary members on
    the date, recorded as working at an enterprise of the scope."""
    t = tables()
    d = connection.ops.adapt_datefield_value(on)
    facts, params = _facts_body(on, where, [])
    body = f"""FROM {t["member"]} m
        JOIN (SELECT x.enterprise_id {facts}) f ON f.enterprise_id = m.enterprise_id
        WHERE m.status <> %s AND (m.left_on IS NULL OR m.left_on > %s) AND ({FORMAL} OR {PROBATIONARY})"""
    params = [*params, Member.Status.SUSPENDED, d, d, d]
    with _read_cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {body}", params)
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT m.id, CASE WHEN {FORMAL} THEN 1 ELSE 0 END {body} ORDER BY m.id LIMIT %s OFFSET %s",
            [d, *params, int(limit), int(offset)],
        )
        found = cursor.fetchall()
    members = Member.objects.select_related("enterprise", "enterprise__street").in_bulk([pk for pk, _f in found])
    rows = []
    for pk, formal in found:
        m = members.get(pk)
        if m is None:
            continue
        stage = _("正式党员") if formal else _("预备党员")
        rows.append(
            DrilldownRow(
                name=m.name,
                url=reverse("members:detail", args=[pk]),
                street=m.enterprise.street.name if m.enterprise else "",
                reason=_("%(stage)s，在%(enterprise)s工作") % {"stage": stage, "enterprise": m.enterprise.name},
            )
        )
    return Drilldown(figure="members", label=drilldown_label("members"), on=on, total=total, rows=rows)
