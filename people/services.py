"""Writes on the people register: register and edit party workers, recommend
from the talent pool and record the outcome, record training courses and
their attendees, record 交叉任职 and the manager counts. Every write checks
the policy (orgs.policy.people) and refuses bad input in Chinese, naming the
field, with nothing written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.masking import keep_if_masked
from core.validators import validate_phone
from orgs import policy
from orgs.models import Enterprise, PartyOrganization, Region, User
from orgs.policy import require_permission

from .models import CrossAppointment, ManagerCount, PartyWorker, Recommendation, Training, TrainingAttendance
from .selectors import committee_people

MAX_HOURS = Decimal("999.9")


def _choice(value: str, choices: Any, field: str, label: str) -> str:
    if value not in choices.values:
        names = "、".join(str(c.label) for c in choices)
        raise ApplicationError({field: _("%(label)s：请从%(names)s中选择") % {"label": label, "names": names}})
    return value


def _worker_fields(
    *,
    name: str,
    source: str,
    employment: str,
    post: str,
    region: Region | None,
    organization: PartyOrganization | None,
    phone: str,
    recorded_phone: str = "",
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise ApplicationError({"name": _("姓名：不能为空")})
    _choice(source, PartyWorker.Source, "source", _("来源"))
    _choice(employment, PartyWorker.Employment, "employment", _("专兼职"))
    _choice(post, PartyWorker.Post, "post", _("现任职务"))
    if organization is not None:
        if organization.dissolved_on is not None:
            raise ApplicationError({"organization": _("任职党组织：该党组织已撤销")})
        # A worker of an organization is filed under its street.
        region = organization.street
    if region is None:
        raise ApplicationError({"region": _("所属区域：请选择街道或区")})
    if region.kind not in (Region.Kind.STREET, Region.Kind.DISTRICT):
        raise ApplicationError({"region": _("所属区域：请选择街道或区")})
    if post == PartyWorker.Post.SECRETARY:
        if organization is None:
            raise ApplicationError({"organization": _("任职党组织：党组织书记须选择所任职的党组织")})
        other = PartyWorker.objects.filter(organization=organization, post=PartyWorker.Post.SECRETARY)
        if exclude_pk is not None:
            other = other.exclude(pk=exclude_pk)
        found = other.first()
        if found is not None:
            raise ApplicationError(
                {"post": _("现任职务：%(org)s 已登记书记 %(name)s") % {"org": organization.name, "name": found.name}}
            )
    phone = keep_if_masked((phone or "").strip(), recorded_phone)
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise ApplicationError({"phone": _("联系电话：%(m)s") % {"m": exc.messages[0]}}) from None
    return {
        "name": name,
        "source": source,
        "employment": employment,
        "post": post,
        "region": region,
        "organization": organization,
        "phone": phone,
    }


@transaction.atomic
def worker_register(
    *,
    by: User,
    name: str,
    source: str,
    employment: str,
    post: str = PartyWorker.Post.NONE,
    region: Region | None = None,
    organization: PartyOrganization | None = None,
    phone: str = "",
    member: Any = None,
    user: User | None = None,
    in_pool: bool = False,
    note: str = "",
) -> PartyWorker:
    fields = _worker_fields(
        name=name,
        source=source,
        employment=employment,
        post=post,
        region=region,
        organization=organization,
        phone=phone,
    )
    require_permission(
        policy.may_keep_party_worker_in(
            by, region_id=fields["region"].pk, organization_id=organization.pk if organization else None
        ),
        _("您不能在该区域或党组织登记党务工作者"),
    )
    with set_actor(by):
        worker = PartyWorker.objects.create(
            **fields, member=member, user=user, in_pool=bool(in_pool), note=(note or "").strip()
        )
    return worker


@transaction.atomic
def worker_update(
    *,
    by: User,
    worker: PartyWorker,
    name: str,
    source: str,
    employment: str,
    post: str,
    region: Region | None = None,
    organization: PartyOrganization | None = None,
    phone: str = "",
    member: Any = None,
    user: User | None = None,
    in_pool: bool = False,
    note: str = "",
) -> PartyWorker:
    worker = PartyWorker.objects.select_for_update().get(pk=worker.pk)
    require_permission(policy.may_keep_party_worker(by, worker), _("您不能修改该党务工作者"))
    fields = _worker_fields(
        name=name,
        source=source,
        employment=employment,
        post=post,
        region=region,
        organization=organization,
        phone=phone,
        recorded_phone=worker.phone,
        exclude_pk=worker.pk,
    )
    require_permission(
        policy.may_keep_party_worker_in(
            by, region_id=fields["region"].pk, organization_id=organization.pk if organization else None
        ),
        _("您不能把党务工作者登记到该区域或党组织"),
    )
    with set_actor(by):
        for key, value in fields.items():
            setattr(worker, key, value)
        worker.member = member
        worker.user = user
        worker.in_pool = bool(in_pool)
        worker.note = (note or "").strip()
        worker.save()
    return worker


# --- the talent pool ------------------------------------------------------------------------


@transaction.atomic
def worker_recommend(
    *, by: User, worker: PartyWorker, organization: PartyOrganization, recommended_on: date, note: str = ""
) -> Recommendation:
    worker = PartyWorker.objects.select_for_update().get(pk=worker.pk)
    require_permission(policy.may_recommend_to(by, organization), _("您不能向该党组织推荐人选"))
    if not worker.in_pool:
        raise ApplicationError({"worker": _("党务工作者：%(name)s 不在人才库中") % {"name": worker.name}})
    if organization.dissolved_on is not None:
        raise ApplicationError({"organization": _("推荐到党组织：该党组织已撤销")})
    if recommended_on > timezone.localdate():
        raise ApplicationError({"recommended_on": _("推荐日期：不能晚于今天")})
    if Recommendation.objects.filter(
        worker=worker, organization=organization, outcome=Recommendation.Outcome.PENDING
    ).exists():
        raise ApplicationError({"organization": _("推荐到党组织：已向该党组织推荐此人，结果待定")})
    with set_actor(by):
        recommendation = Recommendation.objects.create(
            worker=worker,
            organization=organization,
            recommended_on=recommended_on,
            note=(note or "").strip(),
            recommended_by=by,
        )
    return recommendation


@transaction.atomic
def recommendation_decide(
    *, by: User, recommendation: Recommendation, outcome: str, outcome_on: date, note: str = ""
) -> Recommendation:
    """Accepted: the worker leaves the pool (their post is edited in the register)."""
    recommendation = (
        Recommendation.objects.select_for_update().select_related("organization", "worker").get(pk=recommendation.pk)
    )
    require_permission(policy.may_recommend_to(by, recommendation.organization), _("您不能登记该推荐的结果"))
    if recommendation.outcome != Recommendation.Outcome.PENDING:
        raise ApplicationError(
            {"outcome": _("结果：该推荐已登记为%(o)s") % {"o": recommendation.get_outcome_display()}}
        )
    if outcome not in (Recommendation.Outcome.ACCEPTED, Recommendation.Outcome.DECLINED):
        raise ApplicationError({"outcome": _("结果：请选择已接受或未接受")})
    if outcome_on < recommendation.recommended_on:
        raise ApplicationError(
            {"outcome_on": _("结果日期：不能早于推荐日期 %(d)s") % {"d": recommendation.recommended_on.isoformat()}}
        )
    if outcome_on > timezone.localdate():
        raise ApplicationError({"outcome_on": _("结果日期：不能晚于今天")})
    with set_actor(by):
        recommendation.outcome = outcome
        recommendation.outcome_on = outcome_on
        if (note or "").strip():
            recommendation.note = note.strip()
        recommendation.save(update_fields=["outcome", "outcome_on", "note"])
        if outcome == Recommendation.Outcome.ACCEPTED:
            worker = recommendation.worker
            worker.in_pool = False
            worker.save(update_fields=["in_pool"])
    return recommendation


# --- training ---------------------------------------------------------------------------------


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError({"hours": _("学时：请填写数字")}) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise ApplicationError({"hours": _("学时：应大于0且不超过999.9")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ApplicationError({"hours": _("学时：最多保留一位小数")})
    return hours


def _add_attendees(*, by: User, training: Training, workers: Iterable[PartyWorker]) -> list[TrainingAttendance]:
    workers = list(workers)
    outsiders = [w.name for w in workers if not policy.may_keep_party_worker(by, w)]
    if outsiders:
        raise ApplicationError(
            {"attendees": _("参训人员：%(names)s 不在您的管辖范围内") % {"names": "、".join(outsiders)}}
        )
    seen = set(training.attendances.values_list("worker_id", flat=True))
    twice = []
    for w in workers:
        if w.pk in seen:
            twice.append(w.name)
        seen.add(w.pk)
    if twice:
        raise ApplicationError({"attendees": _("参训人员：%(names)s 已在参训名单中") % {"names": "、".join(twice)}})
    with set_actor(by):
        return [TrainingAttendance.objects.create(training=training, worker=w, added_by=by) for w in workers]


@transaction.atomic
def training_create(
    *,
    by: User,
    title: str,
    level: str,
    starts_on: date,
    ends_on: date,
    hours: Any,
    organizer: str,
    region: Region,
    attendees: Iterable[PartyWorker] = (),
) -> Training:
    require_permission(policy.may_create_training_in(by, region), _("您不能在该区域登记培训"))
    title, organizer = (title or "").strip(), (organizer or "").strip()
    if not title:
        raise ApplicationError({"title": _("培训主题：不能为空")})
    _choice(level, Training.Level, "level", _("培训层级"))
    if ends_on < starts_on:
        raise ApplicationError({"ends_on": _("结束日期：不能早于开始日期")})
    hours = _hours(hours)
    if not organizer:
        raise ApplicationError({"organizer": _("主办单位：不能为空")})
    with set_actor(by):
        training = Training.objects.create(
            title=title,
            level=level,
            starts_on=starts_on,
            ends_on=ends_on,
            hours=hours,
            organizer=organizer,
            region=region,
            created_by=by,
        )
    _add_attendees(by=by, training=training, workers=attendees)
    return training


@transaction.atomic
def training_add_attendees(*, by: User, training: Training, workers: Iterable[PartyWorker]) -> list[TrainingAttendance]:
    """Attendees come from the register, each one the caller may keep: one
    outside their scope refuses the lot."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    require_permission(policy.may_manage_training(by, training), _("您不能登记该培训的参训人员"))
    workers = list(workers)
    if not workers:
        raise ApplicationError({"attendees": _("参训人员：请至少选择一人")})
    return _add_attendees(by=by, training=training, workers=workers)


# --- 双向进入、交叉任职 --------------------------------------------------------------------------


@transaction.atomic
def cross_appointment_add(
    *,
    by: User,
    organization: PartyOrganization,
    person: str,
    enterprise: Enterprise,
    body: str,
    title: str,
    since: date | None = None,
) -> CrossAppointment:
    require_permission(policy.may_keep_cross_appointments(by, organization), _("您不能登记该党组织的交叉任职"))
    person, title = (person or "").strip(), (title or "").strip()
    committee = dict(committee_people(organization=organization))
    if person not in committee:
        raise ApplicationError({"person": _("委员姓名：%(p)s 不是本党组织委员会成员") % {"p": person or "—"}})
    if not organization.enterprises.filter(pk=enterprise.pk).exists():
        raise ApplicationError({"enterprise": _("任职企业：%(e)s 不是本党组织覆盖的企业") % {"e": enterprise.name}})
    _choice(body, CrossAppointment.Body, "body", _("企业任职机构"))
    if not title:
        raise ApplicationError({"title": _("企业职务：不能为空，如董事、监事、副总经理")})
    if since is not None and since > timezone.localdate():
        raise ApplicationError({"since": _("任职日期：不能晚于今天")})
    if CrossAppointment.objects.filter(
        organization=organization, person=person, enterprise=enterprise, body=body
    ).exists():
        raise ApplicationError({"body": _("企业任职机构：已登记 %(p)s 在该机构的任职") % {"p": person}})
    with set_actor(by):
        return CrossAppointment.objects.create(
            organization=organization,
            person=person,
            committee_role=committee[person],
            enterprise=enterprise,
            body=body,
            title=title,
            since=since,
            recorded_by=by,
        )


@transaction.atomic
def cross_appointment_remove(*, by: User, appointment: CrossAppointment) -> None:
    require_permission(
        policy.may_keep_cross_appointments(by, appointment.organization), _("您不能修改该党组织的交叉任职")
    )
    with set_actor(by):
        appointment.delete()


@transaction.atomic
def manager_count_set(
    *, by: User, organization: PartyOrganization, managers: int, party_members: int, as_of: date
) -> ManagerCount:
    require_permission(policy.may_keep_cross_appointments(by, organization), _("您不能填报该党组织的管理人员数"))
    if managers is None or managers < 0:
        raise ApplicationError({"managers": _("管理人员数：应为不小于0的整数")})
    if party_members is None or party_members < 0:
        raise ApplicationError({"party_members": _("其中党员数：应为不小于0的整数")})
    if party_members > managers:
        raise ApplicationError({"party_members": _("其中党员数：不能多于管理人员数")})
    if as_of > timezone.localdate():
        raise ApplicationError({"as_of": _("填报日期：不能晚于今天")})
    with set_actor(by):
        count, _created = ManagerCount.objects.update_or_create(
            organization=organization,
            defaults={"managers": managers, "party_members": party_members, "as_of": as_of, "recorded_by": by},
        )
    return count
