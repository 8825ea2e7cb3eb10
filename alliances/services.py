"""Writes on 产业链党建联盟: set one up, members join and leave, problems are
raised and resolved, joint activities are recorded. Every write checks the
policy (orgs.policy.alliances) and refuses bad input in Chinese, naming the
field, with nothing written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Enterprise, PartyOrganization, Region, User
from orgs.policy import require_permission

from .models import Alliance, AllianceMember, AllianceProblem, JointActivity, ProblemCategory


def _org_active_on(organization: PartyOrganization, on: date) -> bool:
    return (organization.founded_on is None or organization.founded_on <= on) and (
        organization.dissolved_on is None or organization.dissolved_on > on
    )


@transaction.atomic
def alliance_create(
    *,
    by: User,
    name: str,
    chain: str,
    region: Region,
    lead_kind: str,
    lead_organization: PartyOrganization,
    first_secretary: str,
    secretary_general: str,
    founded_on: date,
    first_secretary_post: str = "",
    secretary_general_post: str = "",
    lead_enterprise: Enterprise | None = None,
    lead_association: str = "",
    lead_park: Region | None = None,
    industry: Any = None,
) -> Alliance:
    require_permission(policy.may_create_alliance_in(by, region), _("您不能在该区域建立产业链党建联盟"))
    name, chain = name.strip(), chain.strip()
    if not name:
        raise ApplicationError({"name": _("联盟名称：不能为空")})
    if not chain:
        raise ApplicationError({"chain": _("产业链：不能为空")})
    if not first_secretary.strip():
        raise ApplicationError({"first_secretary": _("第一书记：不能为空")})
    if not secretary_general.strip():
        raise ApplicationError({"secretary_general": _("秘书长：不能为空")})
    if lead_kind == Alliance.LeadKind.ENTERPRISE:
        if lead_enterprise is None:
            raise ApplicationError({"lead_enterprise": _("牵头企业：牵头单位为龙头企业时必须选择企业")})
        lead_association, lead_park = "", None
    elif lead_kind == Alliance.LeadKind.ASSOCIATION:
        if not lead_association.strip():
            raise ApplicationError({"lead_association": _("牵头协会：牵头单位为行业协会时必须填写协会名称")})
        lead_enterprise, lead_park = None, None
    elif lead_kind == Alliance.LeadKind.PARK:
        if lead_park is None or lead_park.kind != Region.Kind.PARK:
            raise ApplicationError({"lead_park": _("牵头园区：牵头单位为园区时必须选择园区")})
        lead_enterprise, lead_association = None, ""
    else:
        raise ApplicationError({"lead_kind": _("牵头单位类别：请选择龙头企业、行业协会或园区")})
    if lead_organization.dissolved_on is not None and lead_organization.dissolved_on <= founded_on:
        raise ApplicationError({"lead_organization": _("牵头党组织：该党组织在成立日期前已撤销")})
    with set_actor(by):
        alliance = Alliance.objects.create(
            name=name,
            chain=chain,
            industry=industry,
            region=region,
            lead_kind=lead_kind,
            lead_enterprise=lead_enterprise,
            lead_association=lead_association.strip(),
            lead_park=lead_park,
            lead_organization=lead_organization,
            first_secretary=first_secretary.strip(),
            first_secretary_post=first_secretary_post.strip(),
            secretary_general=secretary_general.strip(),
            secretary_general_post=secretary_general_post.strip(),
            founded_on=founded_on,
        )
    audit_event(actor=by, instance=alliance, event="alliance_created", detail={"region": region.pk})
    return alliance


@transaction.atomic
def alliance_dissolve(*, by: User, alliance: Alliance, dissolved_on: date) -> Alliance:
    alliance = Alliance.objects.select_for_update().get(pk=alliance.pk)
    require_permission(policy.may_manage_alliance(by, alliance), _("您不能管理该联盟"))
    if alliance.dissolved_on is not None:
        raise ApplicationError({"dissolved_on": _("撤销日期：该联盟已于 %(d)s 撤销") % {"d": alliance.dissolved_on}})
    if dissolved_on < alliance.founded_on:
        raise ApplicationError({"dissolved_on": _("撤销日期：不能早于成立日期")})
    with set_actor(by):
        alliance.dissolved_on = dissolved_on
        alliance.status = Alliance.Status.DISSOLVED
        alliance.save(update_fields=["dissolved_on", "status"])
        AllianceMember.objects.filter(alliance=alliance, left_on__isnull=True).update(left_on=dissolved_on)
    return alliance


def _overlapping(
    *, alliance: Alliance, joined_on: date, left_on: date | None, member: Q, exclude_pk: int | None = None
) -> AllianceMember | None:
    """A membership of the same chain (another alliance) whose dates meet [joined_on, left_on)."""
    qs = AllianceMember.objects.filter(member, alliance__chain=alliance.chain).exclude(alliance=alliance)
    qs = qs.filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on))
    if left_on is not None:
        qs = qs.filter(joined_on__lt=left_on)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("alliance").first()


@transaction.atomic
def member_add(
    *,
    by: User,
    alliance: Alliance,
    joined_on: date,
    organization: PartyOrganization | None = None,
    enterprise: Enterprise | None = None,
    left_on: date | None = None,
) -> AllianceMember:
    """X: a chain enterprise's party organization; N: a chain enterprise
    without one. Neither may be in two alliances of the same chain at once."""
    alliance = Alliance.objects.select_for_update().get(pk=alliance.pk)
    require_permission(policy.may_manage_alliance(by, alliance), _("您不能管理该联盟"))
    if (organization is None) == (enterprise is None):
        raise ApplicationError({"organization": _("成员：请选择一个党组织（X）或一家无党组织的企业（N），二者选一")})
    if joined_on < alliance.founded_on:
        raise ApplicationError(
            {"joined_on": _("加入日期：不能早于联盟成立日期 %(d)s") % {"d": alliance.founded_on.isoformat()}}
        )
    if alliance.dissolved_on is not None and joined_on >= alliance.dissolved_on:
        raise ApplicationError({"joined_on": _("加入日期：联盟已于 %(d)s 撤销") % {"d": alliance.dissolved_on}})
    if left_on is not None and left_on < joined_on:
        raise ApplicationError({"left_on": _("退出日期：不能早于加入日期")})
    if organization is not None:
        if not _org_active_on(organization, joined_on):
            raise ApplicationError({"organization": _("成员党组织：该党组织在加入日期未成立或已撤销")})
        who = Q(organization=organization)
        field = "organization"
    else:
        assert enterprise is not None
        covered = PartyOrganization.objects.filter(enterprises=enterprise).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lte=joined_on),
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=joined_on),
        )
        if covered.exists():
            raise ApplicationError(
                {"enterprise": _("成员企业：%(e)s 已有党组织，请以其党组织作为X成员加入") % {"e": enterprise.name}}
            )
        who = Q(enterprise=enterprise)
        field = "enterprise"
    if (
        AllianceMember.objects.filter(who, alliance=alliance)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on))
        .exists()
    ):
        raise ApplicationError({field: _("成员：已是本联盟成员")})
    clash = _overlapping(alliance=alliance, joined_on=joined_on, left_on=left_on, member=who)
    if clash is not None:
        raise ApplicationError(
            {
                field: _("成员：同一时期已加入同一产业链（%(chain)s）的联盟“%(other)s”（%(d)s起）")
                % {"chain": alliance.chain, "other": clash.alliance.name, "d": clash.joined_on.isoformat()}
            }
        )
    with set_actor(by):
        member = AllianceMember.objects.create(
            alliance=alliance, organization=organization, enterprise=enterprise, joined_on=joined_on, left_on=left_on
        )
    return member


@transaction.atomic
def member_leave(*, by: User, member: AllianceMember, left_on: date) -> AllianceMember:
    member = AllianceMember.objects.select_for_update().select_related("alliance").get(pk=member.pk)
    require_permission(policy.may_manage_alliance(by, member.alliance), _("您不能管理该联盟"))
    if member.left_on is not None:
        raise ApplicationError({"left_on": _("退出日期：该成员已于 %(d)s 退出") % {"d": member.left_on}})
    if left_on < member.joined_on:
        raise ApplicationError({"left_on": _("退出日期：不能早于加入日期")})
    with set_actor(by):
        member.left_on = left_on
        member.save(update_fields=["left_on"])
    return member


def is_member_enterprise(*, alliance: Alliance, enterprise: Enterprise, on: date) -> bool:
    """An N member on the day, or an enterprise covered by an X member organization on the day."""
    on_day = Q(joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))
    members = AllianceMember.objects.filter(on_day, alliance=alliance)
    return (
        members.filter(enterprise=enterprise).exists() or members.filter(organization__enterprises=enterprise).exists()
    )


@transaction.atomic
def problem_raise(
    *,
    by: User,
    alliance: Alliance,
    enterprise: Enterprise,
    title: str,
    category: str,
    raised_on: date,
    handler: str = "",
) -> AllianceProblem:
    require_permission(policy.may_keep_alliance_records(by, alliance), _("您不能登记该联盟的问题"))
    title = title.strip()
    if not title:
        raise ApplicationError({"title": _("问题：不能为空")})
    if category not in ProblemCategory.values:
        raise ApplicationError({"category": _("类别：请从复工、订单、用工、融资、原料、防控、采购、市场、其他中选择")})
    if not is_member_enterprise(alliance=alliance, enterprise=enterprise, on=raised_on):
        raise ApplicationError(
            {
                "enterprise": _("提出企业：%(e)s 在 %(d)s 不是本联盟成员")
                % {"e": enterprise.name, "d": raised_on.isoformat()}
            }
        )
    with set_actor(by):
        problem = AllianceProblem.objects.create(
            alliance=alliance,
            enterprise=enterprise,
            title=title,
            category=category,
            raised_on=raised_on,
            handler=handler.strip(),
            recorded_by=by,
        )
    return problem


@transaction.atomic
def problem_resolve(
    *, by: User, problem: AllianceProblem, resolved_on: date, resolution: str, handler: str = ""
) -> AllianceProblem:
    problem = AllianceProblem.objects.select_for_update().select_related("alliance").get(pk=problem.pk)
    require_permission(policy.may_keep_alliance_records(by, problem.alliance), _("您不能处理该联盟的问题"))
    if problem.resolved_on is not None:
        raise ApplicationError({"resolved_on": _("化解日期：该问题已于 %(d)s 化解") % {"d": problem.resolved_on}})
    if resolved_on < problem.raised_on:
        raise ApplicationError(
            {"resolved_on": _("化解日期：不能早于提出日期 %(d)s") % {"d": problem.raised_on.isoformat()}}
        )
    if not resolution.strip():
        raise ApplicationError({"resolution": _("化解情况：请填写做了什么")})
    with set_actor(by):
        problem.resolved_on = resolved_on
        problem.resolution = resolution.strip()
        if handler.strip():
            problem.handler = handler.strip()
        problem.save(update_fields=["resolved_on", "resolution", "handler"])
    return problem


@transaction.atomic
def joint_activity_record(
    *,
    by: User,
    alliance: Alliance,
    held_on: date,
    title: str,
    activity_type: str,
    organizations: Iterable[PartyOrganization],
    content: str = "",
) -> JointActivity:
    """Attendees are member organizations on the day (the lead organization counts as one)."""
    from activities.models import ActivityType

    require_permission(policy.may_keep_alliance_records(by, alliance), _("您不能登记该联盟的联合活动"))
    if not title.strip():
        raise ApplicationError({"title": _("活动主题：不能为空")})
    if activity_type not in ActivityType.values:
        raise ApplicationError({"activity_type": _("类型：请选择活动类型")})
    if not alliance.active_on(held_on):
        raise ApplicationError({"held_on": _("活动日期：联盟在该日未成立或已撤销")})
    organizations = list(organizations)
    if len(organizations) < 1:
        raise ApplicationError({"organizations": _("参加党组织：至少选择一个成员党组织")})
    on_day = Q(joined_on__lte=held_on) & (Q(left_on__isnull=True) | Q(left_on__gt=held_on))
    members = set(
        AllianceMember.objects.filter(on_day, alliance=alliance, organization__isnull=False).values_list(
            "organization_id", flat=True
        )
    )
    members.add(alliance.lead_organization_id)
    outsiders = [o.name for o in organizations if o.pk not in members]
    if outsiders:
        raise ApplicationError(
            {"organizations": _("参加党组织：%(o)s 在活动日期不是本联盟成员") % {"o": "、".join(outsiders)}}
        )
    with set_actor(by):
        activity = JointActivity.objects.create(
            alliance=alliance,
            held_on=held_on,
            title=title.strip(),
            activity_type=activity_type,
            content=content.strip(),
            recorded_by=by,
        )
        activity.organizations.set(organizations)
    return activity
