"""The audit log's .xlsx as a registered export: at once when small, an
export job when large. The builder checks the reader again, so a job queued
by someone who has since lost the right writes nothing."""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.registry import Export, Params, register
from orgs import policy

from .selectors import audit_entry_list
from .views import EXPORT_LIMIT, _describe


def _rows(entries: Any) -> Iterator[list[Any]]:
    for entry in entries.iterator(chunk_size=2000):
        row = _describe(entry)
        changes = "；".join(f"{field}：{old} → {new}" for field, old, new in row["changes"])
        yield [
            timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
            # A failed login has no actor; the attempted username is its object.
            row["actor"] or (entry.object_repr if row["event"] == "login_failed" else ""),
            entry.remote_addr or "",
            str(row["event_label"]),
            str(row["model"]),
            entry.object_repr,
            changes,
        ]


def audit_export(user: Any, params: Params) -> Export:
    if not policy.may_read_audit(user):
        raise PermissionDenied(_("仅区两新工委工作人员可查看审计日志"))
    entries = audit_entry_list(user=user, filters=dict(params))[:EXPORT_LIMIT]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(
        filename=f"audit-log-{stamp}.xlsx",
        title=_("审计日志"),
        headers=[
            _("时间"),
            _("用户"),
            _("来源地址"),
            _("事件"),
            _("对象类型"),
            _("对象"),
            _("变更（字段：原值 → 新值）"),
        ],
        rows=lambda: _rows(entries),
        count=entries.count,
    )


def register_security_exports() -> None:
    register("audit_log", audit_export)
