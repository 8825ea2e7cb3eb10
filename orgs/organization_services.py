"""Writes of the organization register: create and edit an organization,
dissolve it, merge two, and record a 换届选举 (election) that starts a new term.

Each validates fully before it writes, in one transaction, and the audit
trail (django-auditlog) keeps every change with the reason given. What the
floors above keep per organization (members, activity records) is reached
through `orgs.dependents`."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from . import dependents, policy
from .accounts import GrantSpec, user_create
from .audit import audit_event
from .models import Election, Enterprise, PartyOrganization, Role, User
from .policy import require_permission
from .scoping import scope_for

ORGANIZATION_WRITABLE = [
    "name",
    "org_type",
    "formation_mode",
    "parent",
    "street",
    "park",
    "secretary_name",
    "has_committee",
    "has_groups",
    "founded_on",
    "approved_on",
    "term_start",
    "term_end",
]

# Stored with the audit entries as data, in the language of the record.
MERGE_REASON = "合并"
ELECTION_REASON = "换届选举"
MAX_TERM_YEARS = 10


def _require_editor(by: User, organization: PartyOrganization | None, street: Any = None) -> None:
    require_permission(policy.may_edit_organizations(by), _("仅区、街道两新工委工作人员可维护党组织信息"))
    if organization is not None:
        require_permission(policy.may_edit_organization(by, organization), _("您不能调整该党组织"))
    if street is not None:
        require_permission(policy.may_edit_organization_in(by, street), _("您不能在该街道设立或调整党组织"))


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ORGANIZATION_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})


def _check_parent(organization: PartyOrganization, parent: PartyOrganization | None, by: User) -> None:
    if parent is None:
        return
    if not PartyOrganization.objects.filter(scope_for(by).organizations_q(), pk=parent.pk).exists():
        raise ApplicationError({"parent": _("上级党组织不在您的管辖范围内")})
    if parent.dissolved_on is not None:
        raise ApplicationError({"parent": _("上级党组织已撤销")})
    node: PartyOrganization | None = parent
    seen = set()
    while node is not None and node.pk not in seen:
        if organization.pk is not None and node.pk == organization.pk:
            raise ApplicationError({"parent": _("上级党组织不能是自身或其下级组织")})
        seen.add(node.pk)
        node = node.parent


def _check_name(organization: PartyOrganization) -> None:
    clash = PartyOrganization.objects.filter(street_id=organization.street_id, name=organization.name)
    if organization.pk is not None:
        clash = clash.exclude(pk=organization.pk)
    if clash.exists():
        raise ApplicationError({"name": _("该街道已有同名党组织")})


def _check_enterprises(by: User, enterprises: Iterable[Enterprise]) -> list[Enterprise]:
    enterprises = list(enterprises)
    reachable = set(
        Enterprise.objects.filter(scope_for(by, write=True).enterprises_q(), pk__in=[e.pk for e in enterprises])
        .values_list("pk", flat=True)
        .distinct()
    )
    if any(e.pk not in reachable for e in enterprises):
        raise ApplicationError({"enterprises": _("覆盖企业须在您管辖的范围内")})
    return enterprises


def _default_term_end(organization: PartyOrganization) -> None:
    if organization.term_start and not organization.term_end:
        organization.term_end = organization.term_start + relativedelta(years=organization.default_term_years)


@transaction.atomic
def organization_create(
    *, by: User, enterprises: Iterable[Enterprise] = (), reason: str = "", **fields: Any
) -> PartyOrganization:
    _check_fields(fields)
    street = fields.get("street")
    if street is None:
        raise ApplicationError({"street": _("请选择所属街道")})
    _require_editor(by, None, street)
    organization = PartyOrganization(**fields)
    _check_parent(organization, organization.parent, by)
    _check_name(organization)
    _default_term_end(organization)
    covered = _check_enterprises(by, enterprises)
    organization.full_clean(exclude=["batch"])
    organization.audit_reason = reason.strip()  # type: ignore[attr-defined]
    organization.save()
    organization.enterprises.set(covered)
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: PartyOrganization,
    by: User,
    reason: str = "",
    enterprises: Iterable[Enterprise] | None = None,
    **fields: Any,
) -> PartyOrganization:
    _check_fields(fields)
    street = fields.get("street")
    _require_editor(by, organization, street if street is not None and street.pk != organization.street_id else None)
    if organization.dissolved_on is not None:
        raise ApplicationError(_("该党组织已撤销，不能修改"))
    for name, value in fields.items():
        setattr(organization, name, value)
    if "parent" in fields:
        _check_parent(organization, organization.parent, by)
    _check_name(organization)
    covered = _check_enterprises(by, enterprises) if enterprises is not None else None
    organization.full_clean(exclude=["batch"])
    if "name" in fields and organization.needs_completion:
        organization.needs_completion = False
    organization.audit_reason = reason.strip()  # type: ignore[attr-defined]
    organization.save()
    if covered is not None:
        organization.enterprises.set(covered)
    return organization


def _check_dissolution(organization: PartyOrganization, on: date) -> None:
    if organization.dissolved_on is not None:
        raise ApplicationError(_("该党组织已于%(d)s撤销") % {"d": organization.dissolved_on})
    if on > timezone.localdate():
        raise ApplicationError({"dissolved_on": _("撤销日期不能晚于今天")})
    if organization.founded_on and on < organization.founded_on:
        raise ApplicationError({"dissolved_on": _("撤销日期不能早于成立日期")})


@transaction.atomic
def organization_dissolve(
    *, organization: PartyOrganization, by: User, dissolved_on: date, reason: str
) -> PartyOrganization:
    """Dissolve an organization that no longer holds anyone: refused while
    members still have their organizational relationship in it, or while it
    has sub-organizations that are not dissolved."""
    _require_editor(by, organization)
    organization = PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": _("请填写撤销原因")})
    _check_dissolution(organization, dissolved_on)
    live = dependents.live_dependents(organization)
    if live:
        what = "、".join(_("%(n)d名%(label)s") % {"n": n, "label": label} for label, n in live)
        raise ApplicationError(
            {"dissolved_on": _("该党组织尚有%(what)s，请先转出或并入其他党组织后再撤销") % {"what": what}}
        )
    if organization.children.filter(dissolved_on__isnull=True).exists():
        raise ApplicationError({"dissolved_on": _("该党组织尚有未撤销的下级党组织，请先调整下级党组织")})
    organization.dissolved_on = dissolved_on
    organization.audit_reason = reason  # type: ignore[attr-defined]
    organization.save(update_fields=["dissolved_on"])
    return organization


@transaction.atomic
def organization_merge(
    *, source: PartyOrganization, target: PartyOrganization, by: User, merged_on: date | None = None
) -> PartyOrganization:
    """Merge `source` into `target`: its members, activity records,
    covered enterprises and sub-organizations move to `target`, and `source`
    is dissolved with the reason “合并”. Returns the surviving organization."""
    _require_editor(by, source)
    require_permission(policy.may_edit_organization(by, target), _("您不能调整合并后的党组织"))
    if source.pk == target.pk:
        raise ApplicationError({"target": _("不能与自身合并")})
    locked = {o.pk: o for o in PartyOrganization.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    source, target = locked[source.pk], locked[target.pk]
    if target.dissolved_on is not None:
        raise ApplicationError({"target": _("合并后的党组织已撤销")})
    merged_on = merged_on or timezone.localdate()
    _check_dissolution(source, merged_on)
    moved = dependents.move_all(source, target)
    target.enterprises.add(*source.enterprises.all())
    for child in source.children.exclude(pk=target.pk):
        child.parent = target
        child.audit_reason = MERGE_REASON  # type: ignore[attr-defined]
        child.save(update_fields=["parent"])
    if target.parent_id == source.pk:
        target.parent = source.parent
        target.audit_reason = MERGE_REASON  # type: ignore[attr-defined]
        target.save(update_fields=["parent"])
    source.dissolved_on = merged_on
    source.audit_reason = MERGE_REASON  # type: ignore[attr-defined]
    source.save(update_fields=["dissolved_on"])
    audit_event(actor=by, instance=target, event="organization_merged", detail={"merged": source.pk, "moved": moved})
    return target


def _person(entry: Any, roster: dict[int, str], field: str) -> dict[str, Any]:
    """One committee member as given: a roster member's id, a name, or a
    mapping with either. A name found once on the roster is linked to it."""
    member_id = None
    name = ""
    role = None
    if isinstance(entry, dict):
        role = entry.get("role")
        member_id = entry.get("member") or entry.get("member_id")
        name = str(entry.get("name") or "").strip()
    elif isinstance(entry, int) and not isinstance(entry, bool):
        member_id = entry
    else:
        name = str(entry or "").strip()
    if member_id is not None:
        try:
            member_id = int(member_id)
        except (TypeError, ValueError):
            member_id = -1
        if member_id not in roster:
            raise ApplicationError({field: _("所选人员不在本组织党员名册中")})
        name = roster[member_id]
    elif name:
        matches = [pk for pk, n in roster.items() if n == name]
        member_id = matches[0] if len(matches) == 1 else None
    if len(name) > 50:
        raise ApplicationError({field: _("姓名过长")})
    return {"role": role, "name": name, "member_id": member_id}


@transaction.atomic
def election_record(
    *,
    organization: PartyOrganization,
    by: User,
    held_on: date,
    secretary: Any,
    deputies: Iterable[Any] = (),
    committee: Iterable[Any] = (),
    term_years: int | None = None,
    term_end: date | None = None,
    account: dict[str, str] | None = None,
) -> Election:
    """Record a 换届选举: the new committee and the term it starts on the
    day of the election (default length by type: 5 years for a 党委, 3 for
    the others). The organization's secretary and term follow, so the
    nightly run's term warning clears.

    `account` ({"username", "password"}), when given, opens the new
    secretary's account in the same transaction: named after the secretary,
    with a secretary grant on this organization, created by
    accounts.user_create (so the same checks, audit and must-change-password).
    A refusal of the account refuses the election too."""
    _require_editor(by, organization)
    if account is not None and not policy.may_manage_users(by):
        raise ApplicationError(
            {"account": _("为新书记开通账号：您无权开通账号，请由区两新工委工作人员开通，或不填写此部分")}
        )
    organization = PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    if organization.dissolved_on is not None:
        raise ApplicationError(_("该党组织已于%(d)s撤销") % {"d": organization.dissolved_on})
    if held_on > timezone.localdate():
        raise ApplicationError({"held_on": _("选举日期不能晚于今天")})
    last = organization.elections.order_by("-held_on").first()
    if last is not None and held_on <= last.held_on:
        raise ApplicationError({"held_on": _("选举日期应晚于上一次换届（%(d)s）") % {"d": last.held_on}})
    if term_end is None:
        years = organization.default_term_years if term_years in (None, "") else term_years
        try:
            years = int(years)
        except (TypeError, ValueError):
            years = 0
        if not 1 <= years <= MAX_TERM_YEARS:
            raise ApplicationError({"term_years": _("任期年限应为1至%(n)d年") % {"n": MAX_TERM_YEARS}})
        term_end = held_on + relativedelta(years=years)
    elif term_end <= held_on:
        raise ApplicationError({"term_end": _("任期届满日期应晚于任期开始日期（选举日期）")})
    roster = dependents.roster(organization)
    head = _person(secretary, roster, "secretary")
    if not head["name"]:
        raise ApplicationError({"secretary": _("请填写书记")})
    people = [dict(head, role="secretary")]
    people += [dict(_person(d, roster, "deputies"), role="deputy") for d in deputies]
    for entry in committee:
        person = _person(entry, roster, "committee")
        person["role"] = person["role"] if person["role"] in ("deputy", "member") else "member"
        people.append(person)
    people = [p for p in people if p["name"]]
    names = [p["name"] for p in people]
    if len(set(names)) != len(names):
        raise ApplicationError({"committee": _("委员会成员有重复")})
    election = Election.objects.create(
        organization=organization,
        held_on=held_on,
        term_start=held_on,
        term_end=term_end,
        secretary_name=head["name"],
        committee=people,
        recorded_by=by,
    )
    organization.secretary_name = head["name"]
    organization.term_start = held_on
    organization.term_end = term_end
    organization.has_committee = len(people) > 1
    organization.audit_reason = ELECTION_REASON  # type: ignore[attr-defined]
    organization.save(update_fields=["secretary_name", "term_start", "term_end", "has_committee"])
    if account is not None:
        _secretary_account(by=by, organization=organization, name=head["name"], account=account)
    return election


def _secretary_account(*, by: User, organization: PartyOrganization, name: str, account: dict[str, str]) -> User:
    """The new secretary's account, through the one account-creating service;
    its errors are named after the election's account fields."""
    try:
        return user_create(
            by=by,
            username=account.get("username", ""),
            password=account.get("password", ""),
            display_name=name,
            grants=[GrantSpec(role=Role.SECRETARY, organization=organization)],
        )
    except ApplicationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        fields = {"username": "account_username", "password": "account_password"}
        raise ApplicationError(
            {
                fields.get(field, "account"): [
                    _("为新书记开通账号 · %(m)s") % {"m": m} for error in errors for m in error.messages
                ]
                for field, errors in exc.error_dict.items()
            }
        ) from None
