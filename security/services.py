"""Writes of the security layer: two-factor devices and the audit retention.

Two-factor is django-otp's TOTP device (RFC 6238), a maintained library that
also throttles wrong codes; we only add who may enrol and the audit trail.
"""

from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ApplicationError
from orgs import policy
from orgs.audit import audit_event
from orgs.models import User

# The Cybersecurity Law asks for six months of logs; nothing younger is ever purged.
AUDIT_MINIMUM_DAYS = 180


def otp_confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def otp_enrol_begin(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed device whose secret the user copies into an app."""
    if not policy.may_enrol_two_factor(user):
        raise ApplicationError(_("仅区两新工委工作人员可启用双因素认证"))
    if otp_confirmed_device(user) is not None:
        raise ApplicationError(_("您已启用双因素认证"))
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)


@transaction.atomic
def otp_enrol_confirm(*, user: User, token: str, request: HttpRequest | None = None) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ApplicationError(_("请先生成密钥"))
    if not device.verify_token(token):
        raise ApplicationError({"token": [_("验证码不正确或已过期，请核对手机时间后重试")]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_event(actor=user, instance=user, event="otp_enabled", request=request)
    return device


@transaction.atomic
def otp_disable(*, user: User, token: str, request: HttpRequest | None = None) -> None:
    device = otp_confirmed_device(user)
    if device is None:
        raise ApplicationError(_("您尚未启用双因素认证"))
    if not device.verify_token(token):
        raise ApplicationError({"token": [_("验证码不正确或已过期")]})
    TOTPDevice.objects.filter(user=user).delete()
    audit_event(actor=user, instance=user, event="otp_disabled", request=request)


def otp_check(*, user: User, token: str, request: HttpRequest | None = None) -> TOTPDevice | None:
    """The second step of a login: the device that accepts `token`, or None.
    Both outcomes are audited; wrong codes are throttled by the device."""
    device = otp_confirmed_device(user)
    if device is not None and token and device.verify_token(token):
        audit_event(actor=user, instance=user, event="otp_verified", request=request)
        return device
    audit_event(actor=user, instance=user, event="otp_failed", request=request)
    return None


def audit_retention_days(requested: int | None = None) -> int:
    days = requested if requested is not None else settings.AUDIT_RETENTION_DAYS
    if days < AUDIT_MINIMUM_DAYS:
        raise ApplicationError(
            _("审计日志至少保存 %(min)d 天，不能清理 %(days)d 天内的记录") % {"min": AUDIT_MINIMUM_DAYS, "days": days}
        )
    return days


@transaction.atomic
def audit_purge(*, older_than_days: int | None = None, dry_run: bool = False, by: User | None = None) -> int:
    """Delete audit records older than the retention period (never under 180 days)."""
    days = audit_retention_days(older_than_days)
    cutoff = timezone.now() - timedelta(days=days)
    old = LogEntry.objects.filter(timestamp__lt=cutoff)
    count = old.count()
    if not dry_run and count:
        old.delete()
        # The purge leaves its own trace, which the next purge keeps for 180 days at least.
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(LogEntry),
            object_pk="",
            object_repr=_("审计日志"),
            action=LogEntry.Action.ACCESS,
            actor=by,
            changes={"event": "audit_purged", "deleted": count, "cutoff": cutoff.isoformat(), "days": days},
            additional_data={"event": "audit_purged"},
        )
    return count
