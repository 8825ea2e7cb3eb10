"""Coverage figures (DESIGN.md §3), computed set-based in the database.

One SQL statement builds the per-enterprise facts of the base set B as of a
date (latest survey on or before it, status 在营) with the flags each figure
needs; the nightly run materialises it once in a temporary table, sums it
per (street, park, industry, above scale) cell with a single GROUP BY, and
adds the cells up over the region tree for every scope. A fanned-out run
(stats.run) does the first two steps per part (a share of the streets) and
the last once, in its final step. The number of queries is the same at a
hundred enterprises as at a hundred thousand. Pages read the snapshots
through stats.coverage_reads.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import Alliance, AllianceMember
from members.models import Member
from orgs.models import (
    CoverageSnapshot,
    Enterprise,
    EnterpriseSurvey,
    FormationMode,
    InstructorAssignment,
    PartyOrganization,
    Region,
)

FACTS_TABLE = "stats_coverage_facts"
ELIGIBLE_FORMAL_MEMBERS = 3

# The enterprise sets behind the coverage figures (what a drill-down lists),
# each with its label and its condition on the facts row. The dashboard's own
# figures (pages.dashboards.drilldown.DASHBOARD_FIGURES) link to these.
ENTERPRISE_SETS: dict[str, tuple] = {
    "enterprises": (gettext_lazy("企业数"), "1=1"),
    "org_covered": (gettext_lazy("组织覆盖企业"), "org_covered = 1"),
    "work_covered": (gettext_lazy("工作覆盖企业"), "(org_covered = 1 OR instructor = 1 OR alliance = 1)"),
    "not_work_covered": (gettext_lazy("工作未覆盖企业"), "(org_covered = 0 AND instructor = 0 AND alliance = 0)"),
    "own_org_eligible": (gettext_lazy("正式党员3人以上企业"), "eligible = 1"),
    "own_org": (gettext_lazy("单独组建企业"), "(eligible = 1 AND own_org = 1)"),
    "should_form_not_formed": (gettext_lazy("应建未建企业"), "(eligible = 1 AND org_covered = 0)"),
    "enterprises_without_member": (gettext_lazy("无党员企业"), "no_member = 1"),
    # 群团 (DESIGN.md §9). 职工入会率's list is its base: the union enterprises
    # whose member count the survey gives, each with its members and employees.
    "union_established": (gettext_lazy("已建工会企业"), "union_org = 1"),
    "union_membership": (gettext_lazy("工会会员数已填报的建会企业"), "union_known = 1"),
    "league_established": (gettext_lazy("已建团组织企业"), "league_org = 1"),
}


def tables() -> dict[str, str]:
    """The table names the raw SQL of coverage and its drill-down reads."""
    return {
        "survey": EnterpriseSurvey._meta.db_table,
        "org": PartyOrganization._meta.db_table,
        "link": PartyOrganization.enterprises.through._meta.db_table,
        "assignment": InstructorAssignment._meta.db_table,
        "member": Member._meta.db_table,
        "alliance": Alliance._meta.db_table,
        "alliance_member": AllianceMember._meta.db_table,
    }


def facts_sql(*, on: date, streets: Sequence[int] | None = None) -> tuple[str, list]:
    """SQL giving one row per enterprise of B on `on` with the flags every
    figure needs; with `streets`, of the enterprises whose latest survey puts
    them in one of those. Scopes narrow the result, never the surveys before
    ranking (an enterprise that moved street is counted where its latest
    survey puts it).

    - formal members: the larger of the survey's 正式党员数 and the active
      formal Member rows working there, so a roster kept up to date counts
      and a survey alone still gives the figures (DESIGN.md §3);
    - an organization covers an enterprise on `on` when it is linked and was
      founded on or before and not dissolved by that date;
    - an instructor assignment is active when start_on <= on <= end_on;
    - an enterprise is an N member of an alliance (产业链党建联盟) on `on` when
      it joined on or before and had not left by that date, and the alliance
      was founded on or before and not dissolved by it: work coverage too.
    """
    t = tables()
    d = connection.ops.adapt_datefield_value(on)
    # With streets, every subquery is narrowed to the enterprises ever
    # surveyed there (a superset: each one's latest survey still ranks among
    # all of its surveys), so a part of a run reads its share of the tables.
    ever, in_streets, only, narrowed = "", "", {"s": "", "l": "", "a": "", "m": ""}, []
    if streets is not None:
        marks = ", ".join(["%s"] * len(streets)) or "NULL"
        ever = f"WITH ever AS (SELECT DISTINCT x.enterprise_id FROM {t['survey']} x WHERE x.street_id IN ({marks}))"
        in_streets = f" AND b.street_id IN ({marks})"
        only = {alias: f" AND {alias}.enterprise_id IN (SELECT enterprise_id FROM ever)" for alias in only}
        narrowed = list(streets)
    sql = f"""{ever}
    SELECT f.*,
      CASE WHEN f.formal_n >= {ELIGIBLE_FORMAL_MEMBERS} THEN 1 ELSE 0 END AS eligible,
      CASE WHEN f.survey_total = 0 AND f.m_formal + f.m_probationary = 0 THEN 1 ELSE 0 END AS no_member
    FROM (
      SELECT b.enterprise_id, b.street_id, b.park_id, b.industry_id,
        CASE WHEN b.above_scale THEN 1 ELSE 0 END AS above_scale,
        b.employees, b.members_formal AS survey_formal, b.members_total AS survey_total, b.org_setup,
        b.survey_year,
        CASE WHEN b.union_established THEN 1 ELSE 0 END AS union_org,
        CASE WHEN b.union_established AND b.union_members IS NOT NULL THEN 1 ELSE 0 END AS union_known,
        CASE WHEN b.union_established THEN COALESCE(b.union_members, 0) ELSE 0 END AS union_members,
        CASE WHEN b.league_established THEN 1 ELSE 0 END AS league_org,
        COALESCE(b.league_members, 0) AS league_members,
        CASE WHEN cov.enterprise_id IS NULL THEN 0 ELSE 1 END AS org_covered,
        COALESCE(cov.own, 0) AS own_org,
        CASE WHEN ins.enterprise_id IS NULL THEN 0 ELSE 1 END AS instructor,
        CASE WHEN al.enterprise_id IS NULL THEN 0 ELSE 1 END AS alliance,
        COALESCE(mem.f, 0) AS m_formal,
        COALESCE(mem.p, 0) AS m_probationary,
        CASE WHEN COALESCE(mem.f, 0) > b.members_formal THEN COALESCE(mem.f, 0) ELSE b.members_formal END
          AS formal_n
      FROM (
        SELECT s.enterprise_id, s.street_id, s.park_id, s.industry_id, s.above_scale, s.employees,
          s.members_formal, s.members_total, s.org_setup, s.status, s.year AS survey_year,
          s.union_established, s.union_members, s.league_established, s.league_members,
          ROW_NUMBER() OVER (PARTITION BY s.enterprise_id ORDER BY s.survey_date DESC, s.year DESC) AS rn
        FROM {t["survey"]} s
        WHERE s.survey_date <= %s{only["s"]}
      ) b
      LEFT JOIN (
        SELECT l.enterprise_id, MAX(CASE WHEN o.formation_mode = %s THEN 1 ELSE 0 END) AS own
        FROM {t["link"]} l JOIN {t["org"]} o ON o.id = l.partyorganization_id
        WHERE (o.founded_on IS NULL OR o.founded_on <= %s) AND (o.dissolved_on IS NULL OR o.dissolved_on > %s)
          {only["l"]}
        GROUP BY l.enterprise_id
      ) cov ON cov.enterprise_id = b.enterprise_id
      LEFT JOIN (
        SELECT DISTINCT a.enterprise_id FROM {t["assignment"]} a
        WHERE a.start_on <= %s AND (a.end_on IS NULL OR a.end_on >= %s){only["a"]}
      ) ins ON ins.enterprise_id = b.enterprise_id
      LEFT JOIN (
        SELECT DISTINCT am.enterprise_id
        FROM {t["alliance_member"]} am JOIN {t["alliance"]} al0 ON al0.id = am.alliance_id
        WHERE am.enterprise_id IS NOT NULL AND am.joined_on <= %s AND (am.left_on IS NULL OR am.left_on > %s)
          AND al0.founded_on <= %s AND (al0.dissolved_on IS NULL OR al0.dissolved_on > %s)
      ) al ON al.enterprise_id = b.enterprise_id
      LEFT JOIN (
        SELECT m.enterprise_id,
          SUM(CASE WHEN {FORMAL} THEN 1 ELSE 0 END) AS f,
          SUM(CASE WHEN NOT ({FORMAL}) AND {PROBATIONARY} THEN 1 ELSE 0 END) AS p
        FROM {t["member"]} m
        WHERE m.enterprise_id IS NOT NULL AND m.status <> %s AND (m.left_on IS NULL OR m.left_on > %s){only["m"]}
        GROUP BY m.enterprise_id
      ) mem ON mem.enterprise_id = b.enterprise_id
      WHERE b.rn = 1 AND b.status = %s{in_streets}
    ) f
    """
    params = [
        *narrowed,
        d,
        FormationMode.OWN,
        *[d] * 11,
        Member.Status.SUSPENDED,
        d,
        "operating",
        *narrowed,
    ]
    return sql, params


# As of the date: a stage counts from its date; rows without dates fall back to the current stage.
FORMAL = "((m.formal_on IS NOT NULL AND m.formal_on <= %s) OR (m.formal_on IS NULL AND m.stage = 'formal'))"
PROBATIONARY = (
    "((m.probationary_on IS NOT NULL AND m.probationary_on <= %s)"
    " OR (m.probationary_on IS NULL AND m.stage = 'probationary'))"
)


@dataclass
class Cell:
    enterprises: int = 0
    org_covered: int = 0
    work_covered: int = 0
    own_org_eligible: int = 0
    own_org: int = 0
    should_form_not_formed: int = 0
    employees: int = 0
    members_formal: int = 0
    members_probationary: int = 0
    enterprises_without_member: int = 0
    union_enterprises: int = 0
    union_members: int = 0
    union_member_base: int = 0
    league_enterprises: int = 0
    league_members: int = 0
    org_ids: set = field(default_factory=set)

    COUNTS = (
        "enterprises",
        "org_covered",
        "work_covered",
        "own_org_eligible",
        "own_org",
        "should_form_not_formed",
        "employees",
        "members_formal",
        "members_probationary",
        "enterprises_without_member",
        "union_enterprises",
        "union_members",
        "union_member_base",
        "league_enterprises",
        "league_members",
    )

    def add(self, other: Cell) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CoverageRun:
    on: date
    snapshots: int = 0
    messages: list[str] = field(default_factory=list)


def surveys_exist(on: date) -> bool:
    """Whether any survey answers `on`: without one there are no figures (not figures of zero)."""
    return EnterpriseSurvey.objects.filter(survey_date__lte=on).exists()


def coverage_messages(on: date) -> list[str]:
    """What the run says about the surveys behind the figures of `on`."""
    if not surveys_exist(on):
        return [_("%(date)s 及以前没有任何年度排查记录，无法计算覆盖率；请先导入排查表。") % {"date": on.isoformat()}]
    unsurveyed = Enterprise.objects.exclude(surveys__survey_date__lte=on).count()
    if unsurveyed:
        return [
            _("有 %(n)d 家企业在 %(date)s 前没有排查记录，未计入覆盖率。") % {"n": unsurveyed, "date": on.isoformat()}
        ]
    return []


@contextlib.contextmanager
def facts_table(*, on: date, streets: Sequence[int] | None = None) -> Iterator[CursorWrapper]:
    """The facts of B on `on` (facts_sql), of the enterprises whose latest
    survey puts them in `streets` when given, in a temporary table
    (FACTS_TABLE) for the statements run on the cursor yielded."""
    sql, params = facts_sql(on=on, streets=streets)
    with transaction.atomic(), connection.cursor() as cursor:
        hash_joins_only(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {FACTS_TABLE}")
        temp = "TEMPORARY" if connection.vendor in ("postgresql", "sqlite") else ""
        cursor.execute(f"CREATE {temp} TABLE {FACTS_TABLE} AS {sql}", params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {FACTS_TABLE}")
        try:
            yield cursor
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {FACTS_TABLE}")


def coverage_cells(cursor: CursorWrapper) -> list[list[int | None]]:
    """The facts table summed per (street, park, industry, above scale): the
    cells every scope's counts add up from. A street lies in one part of a
    fanned-out run, so the parts' cells together are the whole run's."""
    cursor.execute(
        f"""SELECT street_id, park_id, industry_id, above_scale, COUNT(*), SUM(org_covered),
          SUM(CASE WHEN org_covered = 1 OR instructor = 1 OR alliance = 1 THEN 1 ELSE 0 END), SUM(eligible),
          SUM(eligible * own_org), SUM(CASE WHEN eligible = 1 AND org_covered = 0 THEN 1 ELSE 0 END),
          SUM(employees), SUM(m_formal), SUM(m_probationary), SUM(no_member),
          SUM(union_org), SUM(union_known * union_members), SUM(union_known * employees), SUM(league_org),
          SUM(league_members)
        FROM {FACTS_TABLE} GROUP BY street_id, park_id, industry_id, above_scale"""
    )
    return [
        [street, park, industry, int(above), *(int(v or 0) for v in numbers)]
        for street, park, industry, above, *numbers in cursor.fetchall()
    ]


def coverage_snapshots(*, on: date, cells: Iterable[Sequence], org_rows: Iterable[Sequence]) -> list[CoverageSnapshot]:
    """Every scope's snapshot of `on` from the cells (coverage_cells) and the
    (organization, cell) pairs (active_org_rows): sums over the region tree,
    organizations counted once per scope."""
    tree = RegionTree.load()
    buckets: dict[tuple, Cell] = defaultdict(Cell)
    for street_id, park_id, industry_id, above, *numbers in cells:
        cell = Cell(**dict(zip(Cell.COUNTS, numbers, strict=True)))
        for key in tree.scope_keys(street_id, park_id, industry_id):
            buckets[(*key, False)].add(cell)
            if above:
                buckets[(*key, True)].add(cell)
    org_types: dict[tuple, dict[int, tuple[str, str]]] = defaultdict(dict)
    for org_id, org_type, mode, street_id, park_id, industry_id, above in org_rows:
        for key in tree.scope_keys(street_id, park_id, industry_id):
            org_types[(*key, False)][org_id] = (org_type, mode)
            if above:
                org_types[(*key, True)][org_id] = (org_type, mode)

    # Every node of the tree gets a row, an empty street included, so a page never shows "no data" for it.
    for kind, key in tree.every_node():
        for above_only in (False, True):
            buckets.setdefault((kind, key, above_only), Cell())

    rows = []
    for (kind, key, above_only), cell in buckets.items():
        orgs = org_types.get((kind, key, above_only), {})
        by_type: dict[str, int] = defaultdict(int)
        by_mode: dict[str, int] = defaultdict(int)
        for org_type, mode in orgs.values():
            by_type[org_type] += 1
            by_mode[mode] += 1
        members = cell.members_formal + cell.members_probationary
        rows.append(
            CoverageSnapshot(
                date=on,
                scope_kind=kind,
                scope_key=key,
                above_scale_only=above_only,
                organizations=len(orgs),
                details={
                    "organizations_by_type": dict(by_type),
                    "organizations_by_mode": dict(by_mode),
                    "members_per_employee": round(members / cell.employees, 4) if cell.employees else None,
                },
                **{name: getattr(cell, name) for name in Cell.COUNTS},
            )
        )
    return rows


def coverage_write(*, on: date, rows: list[CoverageSnapshot]) -> None:
    """Replace the snapshots of `on`, in the caller's transaction."""
    CoverageSnapshot.objects.filter(date=on).delete()
    CoverageSnapshot.objects.bulk_create(rows, batch_size=1000)


def coverage_compute(*, on: date) -> CoverageRun:
    """Compute and store every scope's snapshot for `on` at once; a re-run
    replaces that date (the nightly run does the same through its parts, stats.run)."""
    run = CoverageRun(on=on, messages=coverage_messages(on))
    rows = []
    if surveys_exist(on):
        with facts_table(on=on) as cursor:
            cells = coverage_cells(cursor)
            org_rows = active_org_rows(cursor, on)
        rows = coverage_snapshots(on=on, cells=cells, org_rows=org_rows)
    with transaction.atomic():
        coverage_write(on=on, rows=rows)
    run.snapshots = len(rows)
    return run


def hash_joins_only(cursor) -> None:
    """On PostgreSQL, keep the planner off nested loops for the set-wide
    statements of this module: right after a bulk load (before autovacuum
    analyses the tables) it misjudges the window filter as one row and a
    nested loop turns a quarter-second query into minutes. Must run inside a
    transaction (SET LOCAL)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL enable_nestloop = off")


# The region kinds that have coverage rows; those above a street also have industry rows.
NODE_KINDS = (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.DISTRICT, Region.Kind.STREET, Region.Kind.PARK)
ABOVE_STREET = (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.DISTRICT)


@dataclass
class RegionTree:
    """The regions as (kind, parent) by id, read in one query: which rows a
    cell of the facts adds to. A cell counts in its street, its park, and
    every region above its street (district, city, province), each of these
    also per industry; so a city's counts are the sums of its districts' over
    the same rows, and its rates are recomputed from those counts."""

    regions: dict[int, tuple[str, int | None]]
    # While there is at most one district, its rows are also written under
    # the empty key they had before regions had levels.
    single_district: bool = True
    _above: dict[int, list[tuple[str, int]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RegionTree:
        regions = {pk: (kind, parent) for pk, kind, parent in Region.objects.values_list("pk", "kind", "parent_id")}
        districts = sum(1 for kind, _parent in regions.values() if kind == Region.Kind.DISTRICT)
        return cls(regions=regions, single_district=districts <= 1)

    def above(self, street_id: int) -> list[tuple[str, int]]:
        """The regions above a street with coverage rows, nearest first."""
        if street_id not in self._above:
            chain = []
            seen = {street_id}
            parent = self.regions.get(street_id, ("", None))[1]
            while parent is not None and parent not in seen:
                seen.add(parent)
                kind, next_parent = self.regions.get(parent, ("", None))
                if kind in ABOVE_STREET:
                    chain.append((kind, parent))
                parent = next_parent
            self._above[street_id] = chain
        return self._above[street_id]

    def scope_keys(self, street_id, park_id, industry_id) -> list[tuple[str, str]]:
        keys = [(CoverageSnapshot.ScopeKind.STREET, str(street_id))]
        if park_id:
            keys.append((CoverageSnapshot.ScopeKind.PARK, str(park_id)))
        for kind, pk in self.above(street_id):
            keys.append((kind, str(pk)))
            if industry_id:
                keys.append((CoverageSnapshot.ScopeKind.INDUSTRY, CoverageSnapshot.industry_key(pk, industry_id)))
        if self.single_district:
            keys.append((CoverageSnapshot.ScopeKind.DISTRICT, CoverageSnapshot.LEGACY_DISTRICT_KEY))
        return keys

    def every_node(self) -> list[tuple[str, str]]:
        nodes = [(kind, str(pk)) for pk, (kind, _parent) in self.regions.items() if kind in NODE_KINDS]
        if self.single_district:
            nodes.append((CoverageSnapshot.ScopeKind.DISTRICT, CoverageSnapshot.LEGACY_DISTRICT_KEY))
        return nodes


def active_org_rows(cursor: CursorWrapper, on: date) -> list[tuple]:
    """Distinct (organization, cell) pairs: an organization counts in a scope
    when it covers at least one enterprise of B there, and once however many."""
    t = tables()
    d = connection.ops.adapt_datefield_value(on)
    cursor.execute(
        f"""SELECT DISTINCT o.id, o.org_type, o.formation_mode, f.street_id, f.park_id, f.industry_id, f.above_scale
        FROM {t["link"]} l
        JOIN {t["org"]} o ON o.id = l.partyorganization_id
        JOIN {FACTS_TABLE} f ON f.enterprise_id = l.enterprise_id
        WHERE (o.founded_on IS NULL OR o.founded_on <= %s) AND (o.dissolved_on IS NULL OR o.dissolved_on > %s)""",
        [d, d],
    )
    return cursor.fetchall()
