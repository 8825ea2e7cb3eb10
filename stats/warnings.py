"""Warnings 预警 (DESIGN.md §4), refreshed nightly.

Each producer looks at the records as of a date and yields AlertDrafts; the
refresh turns them into Alert rows: a new problem opens an alert, a problem
still present keeps its opened_on and moves last_seen_on, a problem gone is
closed with closed_on and a step in its history (DESIGN.md §10). An alert
past its deadline and not closed goes up one level, once. Only the kinds whose producer ran are closed, so a
producer that is missing (or fails) never closes other people's alerts.

In a nightly run each part (stats.parts) runs the producers over its own
organizations and enterprises (Context.organization_ids, its facts table)
and stages the drafts; the final step runs the producers of the whole run
and applies every draft at once (warnings_apply): what is closed is the set
difference against all the open alerts, so it needs every part's drafts.

To add a warning: write `def producer(ctx) -> Iterable[AlertDraft]` and add a
Producer line to PRODUCERS (whole_run=True when it does not look at
organizations or enterprises; otherwise narrow its queries with ctx.narrow).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from activities.models import THREE_MEETINGS_ONE_LECTURE, Activity, ActivityType
from core.i18n import in_chinese, label, listed, said
from orgs.alerts import alerts_close_cleared, alerts_escalate_overdue, alerts_refresh_undo, raised_level
from orgs.models import Alert, BusinessStatus, Enterprise, OrgSetup, PartyOrganization

from . import compliance
from .coverage import FACTS_TABLE, facts_table

NO_ACTIVITY_DAYS = 90
TERM_WARNING_DAYS = 60


@dataclass(frozen=True)
class AlertDraft:
    kind: str
    subject_key: str
    level: str
    message: str
    # What the message means (core.i18n), shown in the reader's language.
    said: dict | None = None
    street_id: int | None = None
    organization_id: int | None = None
    enterprise_id: int | None = None
    link: str = ""


@dataclass
class Context:
    on: date
    data_issues: list[tuple[str, str]]
    enterprise_problems: list[tuple] = field(default_factory=list)
    # A part of a fanned-out run (stats.run) looks at these organizations only; None: at every one.
    organization_ids: list[int] | None = None
    _orgs: list | None = None

    def narrow(self, qs, path: str = "organization_id"):
        return qs if self.organization_ids is None else qs.filter(**{f"{path}__in": self.organization_ids})

    @property
    def orgs(self) -> list[PartyOrganization]:
        """Organizations existing on the date, loaded once for all producers."""
        if self._orgs is None:
            self._orgs = list(
                self.narrow(PartyOrganization.objects.all(), "pk")
                .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=self.on))
                .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=self.on))
                .only(
                    "id",
                    "name",
                    "street_id",
                    "secretary_name",
                    "term_end",
                    "founded_on",
                    "dissolved_on",
                    "has_committee",
                    "has_groups",
                )
            )
        return self._orgs


def _org_link(org_id: int) -> str:
    return reverse("orgs:organization_detail", args=[org_id])


def _enterprise_link(enterprise_id: int) -> str:
    return reverse("orgs:enterprise_detail", args=[enterprise_id])


def _org_draft(kind, level, org, meant: dict) -> AlertDraft:
    return AlertDraft(
        kind=kind,
        subject_key=f"org:{org.pk}",
        level=level,
        message=in_chinese(meant)[:255],
        said=meant,
        street_id=org.street_id,
        organization_id=org.pk,
        link=_org_link(org.pk),
    )


# --- Producers ---------------------------------------------------------------


def no_activity_90(ctx: Context) -> Iterable[AlertDraft]:
    since = ctx.on - timedelta(days=NO_ACTIVITY_DAYS)
    last = dict(
        ctx.narrow(Activity.objects.filter(status=Activity.Status.APPROVED, held_on__lte=ctx.on))
        .values_list("organization_id")
        .annotate(last=Max("held_on"))
        .order_by()
    )
    for org in ctx.orgs:
        if org.founded_on and org.founded_on > since:
            continue  # a new organization has not had 90 days yet
        held = last.get(org.pk)
        if held is None or held <= since:
            text = (
                said(
                    gettext_noop("%(org)s 自%(d)s以来%(n)d天无已审核的组织生活记录"),
                    org=org.name,
                    d=held,
                    n=(ctx.on - held).days,
                )
                if held
                else said(gettext_noop("%(org)s 尚无已审核的组织生活记录"), org=org.name)
            )
            yield _org_draft(Alert.Kind.NO_ACTIVITY_90, Alert.Level.RED, org, text)


def meetings_behind(ctx: Context) -> Iterable[AlertDraft]:
    """三会一课 behind this quarter: a closed month of the quarter missed a
    monthly meeting, or the quarter's last month has come without a quarterly one."""
    quarter = compliance.period_containing("quarter", ctx.on)
    counts = compliance.activity_counts(start=quarter.start, end=ctx.on, organization_ids=ctx.organization_ids)
    rules = compliance.RulesByDistrict.load(ctx.on)
    last_month = (ctx.on.year, ctx.on.month) == quarter.months()[-1]
    for org in ctx.orgs:
        results = compliance.evaluate(
            org=org,
            rules=rules.for_org(org),
            counts=counts,
            start=quarter.start,
            on=ctx.on,
            types=set(THREE_MEETINGS_ONE_LECTURE),
        )
        behind = [
            r
            for r in results
            if r.colour == compliance.RED or (r.colour == compliance.YELLOW and r.period.kind != "month" and last_month)
        ]
        if behind:
            items = listed(
                said(
                    gettext_noop("%(type)s（%(period)s）"),
                    type=label(ActivityType(r.rule.activity_type).label),
                    period=r.period.said,
                )
                for r in behind
            )
            yield _org_draft(
                Alert.Kind.MEETINGS_BEHIND,
                Alert.Level.YELLOW,
                org,
                said(gettext_noop("%(org)s 本季度三会一课滞后：%(items)s"), org=org.name, items=items),
            )


def term_expiring(ctx: Context) -> Iterable[AlertDraft]:
    soon = ctx.on + timedelta(days=TERM_WARNING_DAYS)
    for org in ctx.orgs:
        if not org.term_end or org.term_end > soon:
            continue
        if org.term_end < ctx.on:
            yield _org_draft(
                Alert.Kind.TERM_EXPIRING,
                Alert.Level.RED,
                org,
                said(gettext_noop("%(org)s 任期已于%(d)s届满，请及时换届"), org=org.name, d=org.term_end),
            )
        else:
            yield _org_draft(
                Alert.Kind.TERM_EXPIRING,
                Alert.Level.YELLOW,
                org,
                said(gettext_noop("%(org)s 任期将于%(d)s届满，请做好换届准备"), org=org.name, d=org.term_end),
            )


def no_secretary(ctx: Context) -> Iterable[AlertDraft]:
    for org in ctx.orgs:
        if not org.secretary_name.strip():
            meant = said(gettext_noop("%(org)s 未配备书记"), org=org.name)
            yield _org_draft(Alert.Kind.NO_SECRETARY, Alert.Level.RED, org, meant)


def enterprise_problems(cursor: CursorWrapper) -> list[tuple]:
    """Enterprises of the facts table (stats.coverage.facts_table) that should
    form, or whose survey disagrees with the records (one query)."""
    cursor.execute(
        f"""SELECT x.enterprise_id, x.street_id, x.formal_n, x.org_setup, x.org_covered, x.eligible, e.name
        FROM {FACTS_TABLE} x JOIN {Enterprise._meta.db_table} e ON e.id = x.enterprise_id
        WHERE (x.eligible = 1 AND x.org_covered = 0)
           OR (x.org_setup <> %s AND x.org_covered = 0) OR (x.org_setup = %s AND x.org_covered = 1)""",
        [OrgSetup.NONE, OrgSetup.NONE],
    )
    return [tuple(row) for row in cursor.fetchall()]


def should_form(ctx: Context) -> Iterable[AlertDraft]:
    for eid, street_id, formal_n, _setup, covered, eligible, name in ctx.enterprise_problems:
        if eligible and not covered:
            meant = said(gettext_noop("%(e)s 有正式党员%(n)d人，尚未建立党组织"), e=name, n=formal_n)
            yield AlertDraft(
                kind=Alert.Kind.SHOULD_FORM,
                subject_key=f"ent:{eid}",
                level=Alert.Level.YELLOW,
                message=in_chinese(meant)[:255],
                said=meant,
                street_id=street_id,
                enterprise_id=eid,
                link=_enterprise_link(eid),
            )


def survey_mismatch(ctx: Context) -> Iterable[AlertDraft]:
    for eid, street_id, _n, setup, covered, _eligible, name in ctx.enterprise_problems:
        if (setup != OrgSetup.NONE) == bool(covered):
            continue
        if covered:
            meant = said(gettext_noop("%(e)s 排查表填报“未建”，但台账中有党组织覆盖（以台账为准）"), e=name)
        else:
            meant = said(
                gettext_noop("%(e)s 排查表填报“%(s)s”，但台账中没有覆盖它的党组织（以台账为准）"),
                e=name,
                s=label(OrgSetup(setup).label),
            )
        yield AlertDraft(
            kind=Alert.Kind.SURVEY_MISMATCH,
            subject_key=f"ent:{eid}",
            level=Alert.Level.BLUE,
            message=in_chinese(meant)[:255],
            said=meant,
            street_id=street_id,
            enterprise_id=eid,
            link=_enterprise_link(eid),
        )


def only_closed(ctx: Context) -> Iterable[AlertDraft]:
    link = ctx.narrow(PartyOrganization.enterprises.through.objects.all(), "partyorganization_id")
    closed_only = set(
        link.values_list("partyorganization_id")
        .annotate(op=Count("id", filter=Q(enterprise__status=BusinessStatus.OPERATING)))
        .filter(op=0)
        .values_list("partyorganization_id", flat=True)
        .order_by()
    )
    for org in ctx.orgs:
        if org.pk in closed_only:
            yield _org_draft(
                Alert.Kind.ONLY_CLOSED,
                Alert.Level.YELLOW,
                org,
                said(gettext_noop("%(org)s 所覆盖的企业均已停业或注销，请调整组织设置"), org=org.name),
            )


def no_enterprise(ctx: Context) -> Iterable[AlertDraft]:
    link = ctx.narrow(PartyOrganization.enterprises.through.objects.all(), "partyorganization_id")
    linked = set(link.values_list("partyorganization_id", flat=True).distinct())
    for org in ctx.orgs:
        if org.pk not in linked:
            yield _org_draft(
                Alert.Kind.NO_ENTERPRISE,
                Alert.Level.YELLOW,
                org,
                said(gettext_noop("%(org)s 未关联任何企业，不计入覆盖率，请补充覆盖企业"), org=org.name),
            )


def data_quality(ctx: Context) -> Iterable[AlertDraft]:
    """Problems the run itself met (no survey for the date, rating weights not adding up...)."""
    for key, message in ctx.data_issues:
        yield AlertDraft(kind=Alert.Kind.DATA_QUALITY, subject_key=key, level=Alert.Level.RED, message=message[:255])


def fund_waiting(ctx: Context) -> Iterable[AlertDraft]:
    """A fund application waiting on someone for more than ten days."""
    from funds.selectors import applications_waiting, waiting_label

    for application in applications_waiting(on=ctx.on, days=10):
        days = (ctx.on - timezone.localdate(application.waiting_since)).days
        meant = said(
            gettext_noop("公积金申请「%(title)s」%(state)s已%(days)d天"),
            title=application.activity[:60],
            state=label(waiting_label(application)),
            days=days,
        )
        yield AlertDraft(
            kind=Alert.Kind.FUND_WAITING,
            subject_key=f"fund:{application.pk}",
            level=Alert.Level.RED if days > 20 else Alert.Level.YELLOW,
            message=in_chinese(meant)[:255],
            said=meant,
            street_id=application.organization.street_id,
            organization_id=application.organization_id,
            link=reverse("funds:application_detail", args=[application.pk]),
        )


def _demand_draft(kind: str, level: str, project, meant: dict) -> AlertDraft:
    return AlertDraft(
        kind=kind,
        subject_key=f"demand:{project.pk}",
        level=level,
        message=in_chinese(meant)[:255],
        said=meant,
        street_id=project.street_id,
        organization_id=project.organization_id,
        link=reverse("demands:detail", args=[project.pk]),
    )


def demand_overdue(ctx: Context) -> Iterable[AlertDraft]:
    """A demand-library project past its target date, neither completed nor exited (red after a month)."""
    from demands.models import DemandProject
    from demands.selectors import overdue_q

    for project in DemandProject.objects.filter(overdue_q(on=ctx.on)).only(
        "pk", "title", "target_date", "street_id", "organization_id"
    ):
        days = (ctx.on - project.target_date).days
        meant = said(
            gettext_noop("党建需求项目「%(title)s」已超过计划完成日期（%(d)s）%(n)d天"),
            title=project.title[:60],
            d=project.target_date,
            n=days,
        )
        level = Alert.Level.RED if days > 30 else Alert.Level.YELLOW
        yield _demand_draft(Alert.Kind.DEMAND_OVERDUE, level, project, meant)


def demand_unchecked(ctx: Context) -> Iterable[AlertDraft]:
    """An A or B project with no 跟单 check in the last quarter."""
    from demands.figures import unchecked_q
    from demands.models import DemandProject

    for project in DemandProject.objects.filter(unchecked_q(on=ctx.on)).only(
        "pk", "title", "street_id", "organization_id"
    ):
        meant = said(gettext_noop("党建需求项目「%(title)s」超过一个季度未跟单检查"), title=project.title[:60])
        yield _demand_draft(Alert.Kind.DEMAND_UNCHECKED, Alert.Level.YELLOW, project, meant)


def dues_arrears(ctx: Context) -> Iterable[AlertDraft]:
    """A member with months of dues unpaid: yellow from 3 months, red from 6
    months running without a reason recorded (the 党章 treats it as leaving
    the party, which the branch must decide)."""
    from dues.selectors import arrears_members

    for state in arrears_members(on=ctx.on):
        total, running = state.arrears_total, state.consecutive
        if total < 3:
            continue
        member = state.member
        reason = state.basis.arrears_reason if state.basis else ""
        if running >= 6 and not reason:
            level = Alert.Level.RED
            meant = said(
                gettext_noop("党员%(name)s已连续%(n)d个月未交纳党费，且无正当理由，请支部按党章规定研究处理"),
                name=member.name,
                n=running,
            )
        else:
            level = Alert.Level.YELLOW
            meant = said(gettext_noop("党员%(name)s有%(n)d个月党费未交纳"), name=member.name, n=total)
        yield AlertDraft(
            kind=Alert.Kind.DUES_ARREARS,
            subject_key=f"dues:{member.pk}",
            level=level,
            message=in_chinese(meant)[:255],
            said=meant,
            street_id=member.organization.street_id,
            organization_id=member.organization_id,
            link=reverse("dues:member", args=[member.pk]),
        )


def training_due(ctx: Context) -> Iterable[AlertDraft]:
    """An organization whose secretary has not been trained in this three-year
    cycle (Wuxi; people.selectors says which secretary and which cycle)."""
    from people.selectors import secretaries_untrained, training_cycle

    cycle = training_cycle(ctx.on)
    ids = [org.pk for org in ctx.orgs]
    for org in secretaries_untrained(organizations=PartyOrganization.objects.filter(pk__in=ids), on=ctx.on).only(
        "pk", "name", "street_id", "secretary_name"
    ):
        if org.registered:
            meant = said(
                gettext_noop("%(org)s 书记%(name)s 本轮培训周期（%(cycle)s年）尚未参加培训"),
                org=org.name,
                name=org.secretary_name,
                cycle=cycle.label,
            )
        else:
            meant = said(
                gettext_noop("%(org)s 书记%(name)s 未登记到党务工作者名册，本轮培训周期（%(cycle)s年）无参训记录"),
                org=org.name,
                name=org.secretary_name,
                cycle=cycle.label,
            )
        yield _org_draft(Alert.Kind.TRAINING_DUE, Alert.Level.YELLOW, org, meant)


@dataclass(frozen=True)
class Producer:
    kind: str
    produce: Callable[[Context], Iterable[AlertDraft]]
    # Looks at the whole run, not at organizations or enterprises: in a
    # fanned-out run it runs once, in the final step, not in each part.
    whole_run: bool = False


PRODUCERS: list[Producer] = [
    Producer(Alert.Kind.NO_ACTIVITY_90, no_activity_90),
    Producer(Alert.Kind.MEETINGS_BEHIND, meetings_behind),
    Producer(Alert.Kind.TERM_EXPIRING, term_expiring),
    Producer(Alert.Kind.NO_SECRETARY, no_secretary),
    Producer(Alert.Kind.SHOULD_FORM, should_form),
    Producer(Alert.Kind.SURVEY_MISMATCH, survey_mismatch),
    Producer(Alert.Kind.ONLY_CLOSED, only_closed),
    Producer(Alert.Kind.NO_ENTERPRISE, no_enterprise),
    Producer(Alert.Kind.DATA_QUALITY, data_quality, whole_run=True),
    Producer(Alert.Kind.FUND_WAITING, fund_waiting, whole_run=True),
    Producer(Alert.Kind.DEMAND_OVERDUE, demand_overdue, whole_run=True),
    Producer(Alert.Kind.DEMAND_UNCHECKED, demand_unchecked, whole_run=True),
    Producer(Alert.Kind.DUES_ARREARS, dues_arrears, whole_run=True),
    Producer(Alert.Kind.TRAINING_DUE, training_due),
]


@dataclass
class WarningRun:
    on: date
    opened: int = 0
    kept: int = 0
    closed: int = 0
    escalated: int = 0
    skipped: bool = False
    message: str = ""


def warnings_skipped(on: date) -> str:
    """Why the warnings of `on` are not refreshed ("" when they are):
    warnings describe the present; a back-filled date must not reopen or close today's."""
    latest = Alert.objects.aggregate(d=Max("last_seen_on"))["d"]
    if latest is not None and latest > on:
        return _("预警已按%(d)s刷新，补算更早日期时不更新预警。") % {"d": latest}
    return ""


def warnings_drafts(ctx: Context, producers: Iterable[Producer]) -> list[AlertDraft]:
    """What the producers see in `ctx`, one draft per (kind, subject)."""
    drafts: dict[tuple[str, str], AlertDraft] = {}
    for producer in producers:
        for draft in producer.produce(ctx):
            drafts[(draft.kind, draft.subject_key)] = draft
    return list(drafts.values())


def warnings_refresh(*, on: date, data_issues: list[tuple[str, str]] | None = None, producers=None) -> WarningRun:
    """Bring the open alerts in line with what the producers see on `on`, at
    once (the nightly run does the same through its parts, stats.run)."""
    producers = PRODUCERS if producers is None else producers
    skipped = warnings_skipped(on)
    if skipped:
        return WarningRun(on=on, skipped=True, message=skipped)
    ctx = Context(on=on, data_issues=data_issues or [])
    if any(p.kind in (Alert.Kind.SHOULD_FORM, Alert.Kind.SURVEY_MISMATCH) for p in producers):
        with facts_table(on=on) as cursor:
            ctx.enterprise_problems = enterprise_problems(cursor)
    with transaction.atomic():
        return warnings_apply(on=on, drafts=warnings_drafts(ctx, producers), kinds=[p.kind for p in producers])


def warnings_apply(*, on: date, drafts: Iterable[AlertDraft], kinds: list[str]) -> WarningRun:
    """Open, keep and close the alerts of `kinds` so that the open ones are
    `drafts`, in the caller's transaction (stats.warnings_refresh, the final
    step of the nightly run): the set difference needs every draft of the run."""
    run = WarningRun(on=on)
    by_key = {(d.kind, d.subject_key): d for d in drafts}
    # A second run on the same date starts from what the first found.
    alerts_refresh_undo(kinds=kinds, on=on)
    open_alerts = {(a.kind, a.subject_key): a for a in Alert.objects.filter(kind__in=kinds, closed_on__isnull=True)}
    to_create, to_update, to_close, seen = [], [], [], []
    for key, draft in by_key.items():
        alert = open_alerts.get(key)
        if alert is None:
            to_create.append(
                Alert(
                    kind=draft.kind,
                    subject_key=draft.subject_key,
                    level=draft.level,
                    message=draft.message,
                    said=draft.said or {},
                    street_id=draft.street_id,
                    organization_id=draft.organization_id,
                    enterprise_id=draft.enterprise_id,
                    link=draft.link,
                    opened_on=on,
                    last_seen_on=on,
                )
            )
        else:
            seen.append(alert.pk)
            # An alert raised for being overdue stays raised while it is open.
            level = raised_level(draft.level) if alert.escalated else draft.level
            if (alert.level, alert.message, alert.said, alert.link, alert.street_id) != (
                level,
                draft.message,
                draft.said or {},
                draft.link,
                draft.street_id,
            ):
                alert.level, alert.message, alert.link = level, draft.message, draft.link
                alert.said = draft.said or {}
                alert.street_id = draft.street_id
                to_update.append(alert)
    for key, alert in open_alerts.items():
        if key not in by_key:
            alert.closed_on = on
            to_close.append(alert)
    Alert.objects.bulk_create(to_create, batch_size=2000)
    Alert.objects.bulk_update(to_update, ["level", "message", "said", "link", "street"], batch_size=500)
    # Plain UPDATEs by id list: one statement each, not a CASE per row.
    for chunk in range(0, len(seen), 5000):
        Alert.objects.filter(pk__in=seen[chunk : chunk + 5000]).update(last_seen_on=on)
    alerts_close_cleared(alerts=to_close, on=on)
    run.escalated = alerts_escalate_overdue(on=on)
    run.opened, run.kept, run.closed = len(to_create), len(seen), len(to_close)
    return run
