"""The audit trail, on django-auditlog.

django-auditlog records every create, update and delete of a registered
model with the actor, address and a field-level before/after diff; we chose
it over django-simple-history because it keeps one table for the whole
system (what district staff search) instead of a shadow table per model.
Domain events that are not plain saves (a login, a reveal of a masked
number, a state transition with its reason) go through `audit_event` into
the same table, so one list answers "who did what, when, from where".
"""

from typing import Any

from auditlog.context import set_actor  # noqa: F401  (re-exported for commands and tasks)
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

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
            "ImportBatch": ["report", "undo", "progress", "progress_note"],
        },
    )


_register_own_models()
