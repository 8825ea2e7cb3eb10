"""The audit trail, on django-auditlog.

django-auditlog records every create, update and delete of a registered
model with the actor, address and a field-level before/after diff; we chose
it over django-simple-history because it keeps one table for the whole
system (what district staff search) instead of a shadow table per model.
Domain events that are not plain saves (a login, a reveal of a masked
number, a state transition with its reason) go through `audit_event` into
the same table, so one list answers "who did what, when, from where".
"""

import re
from typing import Any

from auditlog.context import set_actor  # noqa: F401  (re-exported for commands and tasks)
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from .models import User

# Models too hot or too derived to diff row by row: the nightly job rewrites
# them wholesale, and the journal is its own audit trail; an activity record's
# history steps repeat the domain events audited beside them.
NOT_AUDITED = {"CoverageSnapshot", "Alert", "FundEntry", "FundTransaction", "Attendance", "ActivityStep"}


def register_models(app_config: AppConfig, *, exclude_fields: dict[str, list[str]] | None = None) -> None:
    exclude_fields = exclude_fields or {}
    for model in app_config.get_models():
        if model.__name__ in NOT_AUDITED or auditlog.contains(model):
            continue
        m2m = [f.name for f in model._meta.many_to_many]
        auditlog.register(model, exclude_fields=exclude_fields.get(model.__name__), m2m_fields=m2m or None)


def _client_address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def audit_event(
    *,
    actor: User | None,
    instance: Any,
    event: str,
    detail: dict[str, Any] | None = None,
    request=None,
) -> LogEntry:
    """Record a domain event that is not a plain save."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor if actor is not None and actor.is_authenticated else None,
        changes={"event": event, **(detail or {})},
        remote_addr=_client_address(request),
        additional_data={"event": event},
    )


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs) -> None:
    audit_event(actor=user, instance=user, event="login", request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_event(actor=user, instance=user, event="logout", request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=username,
        object_repr=username,
        action=LogEntry.Action.ACCESS,
        changes={"event": "login_failed", "username": username},
        remote_addr=_client_address(request),
        additional_data={"event": "login_failed"},
    )


def _register_own_models() -> None:
    from django.apps import apps

    register_models(
        apps.get_app_config("orgs"),
        exclude_fields={
            "User": ["password", "last_login"],
            # Encrypted personal data stays out of the trail's diffs, as a member's phone does.
            "Enterprise": ["phone"],
            "EnterpriseSurvey": ["phone"],
            # A batch's report and rollback data run to megabytes at 100,000
            # rows; its status and counts are diffed, and the import itself
            # is a domain event with its figures (survey_imported).
            "ImportBatch": ["report", "undo", "progress", "progress_note", "heartbeat_at"],
        },
    )


_register_own_models()


def shown_value(field: Any, value: Any) -> str:
    if value in (None, "None", ""):
        return "—"
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if getattr(field, "get_internal_type", lambda: "")() == "BooleanField":
        return str(_("是") if value in (True, "True") else _("否"))
    return str(value)


# The reason of a change applied from a proposal, stored in Chinese with the
# audit entry (orgs.proposals); the history shows it in the reader's language.
APPLIED_REASON = gettext_noop("%(reason)s（采纳%(who)s提出的修改建议）")
_APPLIED = re.compile(r"^(?P<reason>.*)（采纳(?P<who>.+)提出的修改建议）$", re.S)


def shown_reason(stored: str) -> str:
    match = _APPLIED.match(stored or "")
    return _(APPLIED_REASON) % match.groupdict() if match else stored


_ACTION_LABELS = {
    LogEntry.Action.CREATE: gettext_lazy("新建"),
    LogEntry.Action.UPDATE: gettext_lazy("修改"),
    LogEntry.Action.DELETE: gettext_lazy("删除"),
}


def change_history(*, instance: Any, limit: int = 50) -> list[dict[str, Any]]:
    """The audited changes of one record, newest first: when, who, and per
    field its label, old and new value, with the reason the editor gave.
    Field values are shown as a reader knows them (choice labels, the
    related record's name)."""
    model = type(instance)
    rows = []
    entries = LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp", "-pk")
    for entry in entries.exclude(action=LogEntry.Action.ACCESS)[:limit]:
        changes = []
        # A creation lists every field; the history shows that it was created, and changes after.
        diff = {} if entry.action == LogEntry.Action.CREATE else (entry.changes_dict or {})
        for name, values in diff.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not hasattr(field, "verbose_name"):  # a reverse relation's name: not a field of the record
                continue
            label = str(field.verbose_name)
            if isinstance(values, dict):  # a many-to-many change: {"type": "m2m", "operation", "objects"}
                verb = _("新增") if values.get("operation") == "add" else _("移除")
                changes.append({"field": label, "old": "", "new": f"{verb}：{'、'.join(values.get('objects', []))}"})
                continue
            old, new = (list(values) + [None, None])[:2]
            changes.append({"field": label, "old": shown_value(field, old), "new": shown_value(field, new)})
        rows.append(
            {
                "when": entry.timestamp,
                "who": entry.actor,
                "action": _ACTION_LABELS.get(entry.action, entry.get_action_display()),
                "changes": changes,
                "reason": shown_reason((entry.additional_data or {}).get("reason", ""))
                if isinstance(entry.additional_data, dict)
                else "",
            }
        )
    return rows
