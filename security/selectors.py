"""Reads of the audit trail. The trail is district-wide by nature: only
district staff read it, and nobody edits it."""

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from orgs import policy
from orgs.filters import apply_filters
from orgs.selectors import AnyUser

from .filters import AuditFilter


def audit_entry_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[LogEntry]:
    if not policy.may_read_audit(user):
        raise PermissionDenied(_("仅区两新工委工作人员可查看审计日志"))
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    return apply_filters(AuditFilter, filters, qs)
