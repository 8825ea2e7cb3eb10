"""A secretary proposes a change to their organization's facts or to an
enterprise it covers; street (or district) staff confirm or reject it.

A proposal keeps only the changed fields, each with its value when proposed.
Confirming applies it through the very service a staff edit uses
(`enterprise_edit`, `organization_update`), so it is checked, audited and
listed in the record's history the same way, with the reason and the
proposer's name. Whoever proposed never decides, and a proposal whose record
changed since is refused rather than applied over the newer facts."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import decrypt_text, encrypt_text
from core.errors import ApplicationError
from core.masking import mask_phone

from . import policy
from .audit import APPLIED_REASON, shown_value
from .models import ChangeProposal, Enterprise, PartyOrganization, User
from .organization_services import ORGANIZATION_WRITABLE, organization_update
from .policy import require_permission
from .services import ENTERPRISE_EDITABLE, enterprise_edit, enterprise_edit_changes

Record = Enterprise | PartyOrganization

# Kept encrypted inside the proposal, as on the enterprise itself.
SECRET_FIELDS = {"phone"}


def proposable_fields(record: Record) -> list[str]:
    """The fields staff edit on the record's page: a proposal may touch those only."""
    return list(ENTERPRISE_EDITABLE) if isinstance(record, Enterprise) else list(ORGANIZATION_WRITABLE)


def _field(record: Record, name: str) -> Any:
    return record._meta.get_field(name)


def _plain(record: Record, name: str, value: Any) -> Any:
    """A field's value as JSON keeps it (a related record by its id)."""
    if isinstance(value, Model):
        value = value.pk
    if isinstance(value, (date, Decimal)):
        value = str(value)
    if name in SECRET_FIELDS and value:
        value = encrypt_text(str(value))
    return value


def _current(record: Record, name: str) -> Any:
    field = _field(record, name)
    value = getattr(record, field.attname)
    return value.pk if isinstance(value, Model) else (str(value) if isinstance(value, (date, Decimal)) else value)


def _revealed(name: str, stored: Any) -> Any:
    return decrypt_text(stored) if name in SECRET_FIELDS and stored else stored


def _python(record: Record, name: str, stored: Any, *, sent: bool = False) -> Any:
    """A stored (or, `sent`, a client's) value as the record's field takes it; refused by the field's name."""
    field = _field(record, name)
    value = stored if sent else _revealed(name, stored)
    try:
        if field.is_relation:
            if value in (None, ""):
                return None
            return field.related_model._default_manager.get(pk=int(value))
        return field.to_python(value)
    except (ObjectDoesNotExist, ValidationError, TypeError, ValueError):
        raise ApplicationError({name: _("%(label)s：取值无效") % {"label": field.verbose_name}}) from None


def values_from_json(*, record: Record, data: Any) -> dict[str, Any]:
    """The fields an API client sends, as the record's fields take them."""
    if not isinstance(data, dict) or not data:
        raise ApplicationError({"values": _("请填写要修改的字段及新值")})
    unknown = sorted(set(data) - set(proposable_fields(record)))
    if unknown:
        raise ApplicationError({name: _("不可修改的字段：%(f)s") % {"f": name} for name in unknown})
    return {name: _python(record, name, value, sent=True) for name, value in data.items()}


def _changes(record: Record, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that change the record, checked by the rules a staff edit
    meets (on a copy: nothing is written)."""
    unknown = sorted(set(fields) - set(proposable_fields(record)))
    if unknown:
        raise ApplicationError({name: _("不可修改的字段：%(f)s") % {"f": name} for name in unknown})
    draft = type(record)._default_manager.get(pk=record.pk)
    if isinstance(record, Enterprise):
        changed = enterprise_edit_changes(enterprise=record, **fields)
        exclude: list[str] = []
    else:
        if record.dissolved_on is not None:
            raise ApplicationError(_("该党组织已撤销，不能修改"))
        changed = {k: v for k, v in fields.items() if getattr(record, k) != v}
        if not changed:
            raise ApplicationError(_("没有需要保存的修改"))
        exclude = ["batch"]
    for name, value in changed.items():
        setattr(draft, name, value)
    draft.full_clean(exclude=exclude)
    return changed


@transaction.atomic
def proposal_create(
    *, by: User, organization: PartyOrganization, record: Record, reason: str, **fields: Any
) -> ChangeProposal:
    """Record what a secretary proposes; nothing changes on the record yet."""
    require_permission(
        policy.may_propose_change(by, organization) and policy.may_propose_change(by, record),
        _("只有本组织的书记可以对本组织及其覆盖的企业提出修改建议"),
    )
    if isinstance(record, Enterprise) and not record.organizations.filter(pk=organization.pk).exists():
        raise ApplicationError({"enterprise": _("该企业不在本组织覆盖范围内")})
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": _("请填写修改原因")})
    changed = _changes(record, fields)
    return ChangeProposal.objects.create(
        organization=organization,
        enterprise=record if isinstance(record, Enterprise) else None,
        values={name: _plain(record, name, value) for name, value in changed.items()},
        before={name: _plain(record, name, _current(record, name)) for name in changed},
        reason=reason,
        proposed_by=by,
    )


def _lock(proposal: ChangeProposal, by: User) -> ChangeProposal:
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    require_permission(policy.acts_apart_from(by, [proposal.proposed_by_id]), _("不能确认或退回自己提出的修改建议"))
    require_permission(policy.may_decide_proposal(by, proposal), _("您不能处理该修改建议"))
    if proposal.status != ChangeProposal.Status.PENDING:
        raise ApplicationError(_("该修改建议已处理（%(s)s）") % {"s": proposal.get_status_display()})
    return proposal


def stale_fields(proposal: ChangeProposal, record: Record) -> list[str]:
    """The fields whose value on the record is no longer the one the proposal started from."""
    return [name for name, stored in proposal.before.items() if _revealed(name, stored) != _current(record, name)]


@transaction.atomic
def proposal_confirm(*, proposal: ChangeProposal, by: User, note: str = "") -> ChangeProposal:
    """Apply the proposal through the staff edit's own service, then mark it confirmed."""
    proposal = _lock(proposal, by)
    record = type(proposal.target)._default_manager.select_for_update().get(pk=proposal.target.pk)
    stale = stale_fields(proposal, record)
    if stale:
        labels = "、".join(str(_field(record, n).verbose_name) for n in stale)
        raise ApplicationError(
            _("提出建议后，%(fields)s已被修改，不能确认；请退回，由书记按现在的信息重新提出") % {"fields": labels}
        )
    fields = {name: _python(record, name, stored) for name, stored in proposal.values.items()}
    # Stored with the audit entry in the language of the record; shown translated (orgs.audit).
    reason = APPLIED_REASON % {"reason": proposal.reason, "who": proposal.proposed_by}
    if isinstance(record, Enterprise):
        enterprise_edit(enterprise=record, by=by, reason=reason, **fields)
    else:
        organization_update(organization=record, by=by, reason=reason, **fields)
    return _decide(proposal, by, ChangeProposal.Status.CONFIRMED, note)


@transaction.atomic
def proposal_reject(*, proposal: ChangeProposal, by: User, note: str) -> ChangeProposal:
    proposal = _lock(proposal, by)
    note = (note or "").strip()
    if not note:
        raise ApplicationError({"note": _("请填写退回说明")})
    return _decide(proposal, by, ChangeProposal.Status.REJECTED, note)


def _decide(proposal: ChangeProposal, by: User, status: str, note: str) -> ChangeProposal:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = (note or "").strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return proposal


def proposal_rows(proposal: ChangeProposal) -> list[dict[str, Any]]:
    """Each proposed field with its label, the value when proposed, the value
    now and the proposed one, as a reader knows them (phone numbers masked)."""
    record = proposal.target
    rows = []
    for name, stored in proposal.values.items():
        field = _field(record, name)

        def shown(value: Any, name: str = name, field: Any = field) -> str:
            value = _revealed(name, value)
            return mask_phone(value) if name in SECRET_FIELDS and value else shown_value(field, value)

        rows.append(
            {
                "field": name,
                "label": str(field.verbose_name),
                "old": shown(proposal.before.get(name)),
                "now": shown(_plain(record, name, _current(record, name))),
                "new": shown(stored),
                "stale": _revealed(name, proposal.before.get(name)) != _current(record, name),
            }
        )
    return rows


def proposer_organization(*, by: User, record: Record) -> PartyOrganization | None:
    """The organization a secretary proposes for: the record itself, or the
    first of the secretary's own organizations that covers the enterprise."""
    if isinstance(record, PartyOrganization):
        return record if policy.may_propose_change(by, record) else None
    return next((o for o in record.organizations.order_by("pk") if policy.may_propose_change(by, o)), None)
