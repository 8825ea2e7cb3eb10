"""Writes of the demand library: set-up (建单), claims (点单), checks (跟单),
completion with the proposer's satisfaction, sending back for 整改 and its
rectification, exit (退出).

Every write asks orgs.policy first, validates, and writes in one
transaction with a line of the project's history; a refusal is an
ApplicationError in Chinese naming the field, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from members.models import Member
from orgs import policy
from orgs.models import Enterprise, PartyOrganization, Region, User
from orgs.policy import require

from .models import DemandCheck, DemandClaim, DemandProject, DemandStep

State = DemandProject.State
Level = DemandProject.Level


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError({field: [message]})


def _not_future(value: date, *, field: str, label: str) -> None:
    if value > timezone.localdate():
        raise _field_error(field, _("%(label)s：不能晚于今天") % {"label": label})


def _owner_fields(level: str, owner: Any) -> dict[str, Any]:
    """district/street/organization of a project of `level` owned by `owner`."""
    if level == Level.A:
        if not isinstance(owner, Region) or owner.kind != Region.Kind.DISTRICT:
            raise _field_error("district", _("所属区县：A类项目须选择区县"))
        return {"district": owner, "street": None, "organization": None}
    if level == Level.B:
        if not isinstance(owner, Region) or owner.kind != Region.Kind.STREET or owner.parent is None:
            raise _field_error("street", _("所属街道：B类项目须选择街道"))
        return {"district": owner.parent, "street": owner, "organization": None}
    if level == Level.C:
        if not isinstance(owner, PartyOrganization) or owner.dissolved_on is not None:
            raise _field_error("organization", _("党组织：C类项目须选择一个未撤销的党组织"))
        street = owner.street
        if street.parent is None:
            raise _field_error("organization", _("党组织：所属街道没有上级区县"))
        return {"district": street.parent, "street": street, "organization": owner}
    raise _field_error("level", _("类别：应为 A、B 或 C"))


def _step(project: DemandProject, action: str, by: User, note: str = "") -> None:
    DemandStep.objects.create(project=project, action=action, by=by, note=note)


@transaction.atomic
def demand_set_up(
    *,
    by: User,
    level: str,
    owner: Any,
    title: str,
    target_date: date,
    proposer_kind: str,
    collected_by: str,
    description: str = "",
    enterprise: Enterprise | None = None,
    set_up_on: date | None = None,
) -> DemandProject:
    """建单: a need becomes a project of class A, B or C."""
    owned = _owner_fields(level, owner)
    require(
        policy.may_set_up_demand(by, level, owner),
        _("A类项目由区两新工委建单，B类由本街道（或区）工作人员建单，C类由本组织书记（或上级工作人员）建单"),
    )
    title = (title or "").strip()
    if not title:
        raise _field_error("title", _("项目名称：不能为空"))
    if proposer_kind not in DemandProject.Proposer.values:
        raise _field_error("proposer_kind", _("需求提出方：应为企业、党员或职工"))
    if collected_by not in DemandProject.Collection.values:
        raise _field_error("collected_by", _("征集方式：应为征求意见、座谈或民意测评"))
    set_up_on = set_up_on or timezone.localdate()
    _not_future(set_up_on, field="set_up_on", label=_("建单日期"))
    if target_date is None:
        raise _field_error("target_date", _("计划完成日期：不能为空"))
    if target_date < set_up_on:
        raise _field_error("target_date", _("计划完成日期：不能早于建单日期（%(d)s）") % {"d": set_up_on.isoformat()})
    if enterprise is not None:
        area = owned["street"] or owned["district"]
        if enterprise.street_id != area.pk and enterprise.street.parent_id != area.pk:
            raise _field_error("enterprise", _("提出需求的企业：不在本项目所属区域内"))
    project = DemandProject.objects.create(
        level=level,
        title=title[:200],
        description=description or "",
        proposer_kind=proposer_kind,
        enterprise=enterprise,
        collected_by=collected_by,
        set_up_on=set_up_on,
        target_date=target_date,
        created_by=by,
        **owned,
    )
    _step(project, DemandStep.Action.SET_UP, by)
    return project


def _locked(project: DemandProject) -> DemandProject:
    return (
        DemandProject.objects.select_for_update(of=("self",))
        .select_related("street", "district", "organization")
        .get(pk=project.pk)
    )


@transaction.atomic
def demand_claim(
    *,
    project: DemandProject,
    by: User,
    organization: PartyOrganization | None = None,
    members: Sequence[Member] = (),
    claimed_on: date | None = None,
) -> list[DemandClaim]:
    """点单: members one by one, or an organization collectively."""
    project = _locked(project)
    if project.state == State.EXITED:
        raise _field_error("project", _("该项目已退出，不能认领"))
    if project.state == State.COMPLETED:
        raise _field_error("project", _("该项目已完成，不能认领"))
    require(policy.may_claim_demand(by, project), _("您不能为此项目登记认领"))
    if (organization is None) == (not members):
        raise _field_error("organization", _("认领方：请选择集体认领的党组织，或认领的党员（二者选一）"))
    claimed_on = claimed_on or timezone.localdate()
    _not_future(claimed_on, field="claimed_on", label=_("认领日期"))
    if claimed_on < project.set_up_on:
        raise _field_error("claimed_on", _("认领日期：不能早于建单日期"))
    allowed = PartyOrganization.objects.filter(
        policy.demand_claim_organizations_q(by, project), dissolved_on__isnull=True
    )
    claims: list[DemandClaim] = []
    if organization is not None:
        if not allowed.filter(pk=organization.pk).exists():
            raise _field_error("organization", _("集体认领的党组织：不在本项目范围内或您不能为其登记"))
        if project.claims.filter(organization=organization).exists():
            raise _field_error("organization", _("集体认领的党组织：%(o)s 已认领此项目") % {"o": organization.name})
        claims.append(
            DemandClaim.objects.create(
                project=project, claimed_on=claimed_on, organization=organization, recorded_by=by
            )
        )
    for member in members:
        if member.status != Member.Status.ACTIVE or not allowed.filter(pk=member.organization_id).exists():
            raise _field_error("members", _("认领党员：%(m)s 不在本项目范围内或您不能为其登记") % {"m": member.name})
        if project.claims.filter(member=member).exists():
            raise _field_error("members", _("认领党员：%(m)s 已认领此项目") % {"m": member.name})
        claims.append(DemandClaim.objects.create(project=project, claimed_on=claimed_on, member=member, recorded_by=by))
    if project.state == State.OPEN:
        project.state = State.CLAIMED
        project.save(update_fields=["state"])
    _step(project, DemandStep.Action.CLAIMED, by, "、".join(c.claimant_name for c in claims))
    return claims


@transaction.atomic
def demand_check(
    *,
    project: DemandProject,
    by: User,
    checked_on: date,
    finding: str,
    result: str = DemandCheck.Result.OK,
) -> DemandCheck:
    """跟单: a quarterly check of an A or B project, a spot check of a C project.
    A check that finds the work wanting sends a claimed project back for 整改."""
    project = _locked(project)
    require(
        policy.may_check_demand(by, project),
        _("A类、B类项目由区两新工委跟单检查，C类项目由区或本街道工作人员抽查"),
    )
    if project.closed:
        raise _field_error("project", _("已完成或已退出的项目不再跟单检查"))
    if checked_on is None:
        raise _field_error("checked_on", _("检查日期：不能为空"))
    _not_future(checked_on, field="checked_on", label=_("检查日期"))
    if checked_on < project.set_up_on:
        raise _field_error(
            "checked_on", _("检查日期：不能早于建单日期（%(d)s）") % {"d": project.set_up_on.isoformat()}
        )
    finding = (finding or "").strip()
    if not finding:
        raise _field_error("finding", _("检查情况：不能为空"))
    if result not in DemandCheck.Result.values:
        raise _field_error("result", _("检查结论：应为进展正常或需整改"))
    kind = DemandCheck.Kind.SPOT if project.level == Level.C else DemandCheck.Kind.QUARTERLY
    check = DemandCheck.objects.create(
        project=project, checked_on=checked_on, kind=kind, finding=finding, result=result, by=by
    )
    _step(project, DemandStep.Action.CHECKED, by, finding)
    if result == DemandCheck.Result.RECTIFY and project.state == State.CLAIMED:
        project.state = State.RECTIFYING
        project.rectification_reason = finding
        project.save(update_fields=["state", "rectification_reason"])
        _step(project, DemandStep.Action.SENT_BACK, by, finding)
    return check


def _parse_satisfaction(value: Any) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or str(number) != str(value).strip() or not 1 <= number <= 5:
        raise _field_error("satisfaction", _("满意度：应为 1 到 5 之间的整数"))
    return number


@transaction.atomic
def demand_complete(
    *, project: DemandProject, by: User, satisfaction: Any, completed_on: date | None = None
) -> DemandProject:
    """完成: the proposer rates the result, 1 (不满意) to 5 (非常满意)."""
    project = _locked(project)
    require(policy.may_manage_demand(by, project), _("只有建单方可以登记完成评价"))
    if project.state == State.OPEN:
        raise _field_error("project", _("该项目尚未认领，不能完成"))
    if project.state == State.RECTIFYING:
        raise _field_error("project", _("该项目正在整改，整改完成后才能完成评价"))
    if project.closed:
        raise _field_error("project", _("该项目已完成或已退出"))
    score = _parse_satisfaction(satisfaction)
    completed_on = completed_on or timezone.localdate()
    _not_future(completed_on, field="completed_on", label=_("完成日期"))
    if completed_on < project.set_up_on:
        raise _field_error("completed_on", _("完成日期：不能早于建单日期"))
    project.state, project.satisfaction, project.completed_on = State.COMPLETED, score, completed_on
    project.save(update_fields=["state", "satisfaction", "completed_on"])
    _step(project, DemandStep.Action.COMPLETED, by, f"{score}/5")
    return project


@transaction.atomic
def demand_send_back(*, project: DemandProject, by: User, reason: str) -> DemandProject:
    """退回整改: a claimed project whose effect is poor goes back, with a reason."""
    project = _locked(project)
    require(policy.may_manage_demand(by, project), _("只有建单方可以退回整改"))
    if project.state != State.CLAIMED:
        raise _field_error("project", _("只有已认领、正在实施的项目可以退回整改"))
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", _("整改原因：不能为空"))
    project.state, project.rectification_reason = State.RECTIFYING, reason
    project.save(update_fields=["state", "rectification_reason"])
    _step(project, DemandStep.Action.SENT_BACK, by, reason)
    return project


@transaction.atomic
def demand_rectified(*, project: DemandProject, by: User, note: str = "") -> DemandProject:
    """整改完成: the project is back in the claimants' hands."""
    project = _locked(project)
    require(policy.may_manage_demand(by, project), _("只有建单方可以确认整改完成"))
    if project.state != State.RECTIFYING:
        raise _field_error("project", _("该项目不在整改中"))
    project.state = State.CLAIMED
    project.save(update_fields=["state"])
    _step(project, DemandStep.Action.RECTIFIED, by, (note or "").strip())
    return project


@transaction.atomic
def demand_exit(*, project: DemandProject, by: User, reason: str, exited_on: date | None = None) -> DemandProject:
    """退出: a project whose effect is poor leaves the library, with a reason."""
    project = _locked(project)
    require(policy.may_manage_demand(by, project), _("只有建单方可以让项目退出"))
    if project.closed:
        raise _field_error("project", _("该项目已完成或已退出"))
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", _("退出原因：不能为空"))
    exited_on = exited_on or timezone.localdate()
    _not_future(exited_on, field="exited_on", label=_("退出日期"))
    if exited_on < project.set_up_on:
        raise _field_error("exited_on", _("退出日期：不能早于建单日期"))
    project.state, project.exit_reason, project.exited_on = State.EXITED, reason, exited_on
    project.save(update_fields=["state", "exit_reason", "exited_on"])
    _step(project, DemandStep.Action.EXITED, by, reason)
    return project
