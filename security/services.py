"""Writes of the security layer: two-factor devices, API tokens and the audit retention.

Two-factor is django-otp's TOTP device (RFC 6238), a maintained library that
also throttles wrong codes; we only add who may enrol and the audit trail.

API tokens are django-rest-knox's: the table holds a SHA-512 digest of each
key, never the key, and its authentication class refuses a token past its
expiry and pushes the expiry on at each use (REST_KNOX in settings). Here:
when a token is issued, rotated and revoked, and the audit of each.
"""

from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from knox.settings import knox_settings

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
    # Tokens issued on the password alone would outlive the rule that now
    # asks for the second factor.
    token_revoke_all(user=user, reason="otp_enabled", by=user, request=request)
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


def _token_label(token: AuthToken) -> str:
    """A handle for the audit trail that says which token, and nothing of its key."""
    return str(token.digest)[:12]


def token_max_expiry(token: AuthToken) -> datetime:
    """However busy, a token ends this long after the login that issued it."""
    return token.created + knox_settings.AUTO_REFRESH_MAX_TTL


@transaction.atomic
def token_issue(*, user: User, request: HttpRequest | None = None) -> tuple[AuthToken, str]:
    """A new API token and its key, for a user whose password (and second
    factor, if they have one) the caller has just checked. The key exists
    only in the answer; the database keeps its digest."""
    now = timezone.now()
    # knox forgets a user's dead tokens only when one of them is presented;
    # scripts that log in per run would otherwise pile them up.
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    lifetime = min(knox_settings.TOKEN_TTL, knox_settings.AUTO_REFRESH_MAX_TTL)
    token, key = AuthToken.objects.create(user=user, expiry=lifetime)
    audit_event(actor=user, instance=user, event="token_issued", detail={"token": _token_label(token)}, request=request)
    return token, key


@transaction.atomic
def token_refresh(*, token: AuthToken, request: HttpRequest | None = None) -> tuple[AuthToken, str]:
    """A new key for the same login: the presented token is revoked, and the
    new one ends no later than the old one would have (API_TOKEN_TTL_HOURS
    after the password was checked), so refreshing never stands in for the
    password or the second factor."""
    current = AuthToken.objects.select_for_update().filter(digest=token.digest).first()
    if current is None:
        raise ApplicationError(_("令牌已被吊销，请重新获取"))
    now = timezone.now()
    remaining = token_max_expiry(current) - now
    if remaining <= timedelta(0):
        current.delete()
        raise ApplicationError(_("令牌已到期，请重新获取"))
    new, key = AuthToken.objects.create(user=current.user, expiry=min(knox_settings.TOKEN_TTL, remaining))
    # `created` is auto_now_add; the login time carries over so knox's
    # AUTO_REFRESH_MAX_TTL keeps counting from the login.
    AuthToken.objects.filter(digest=new.digest).update(created=current.created)
    new.created = current.created
    current.delete()
    audit_event(
        actor=current.user,
        instance=current.user,
        event="token_refreshed",
        detail={"token": _token_label(new), "replaces": _token_label(current)},
        request=request,
    )
    return new, key


@transaction.atomic
def token_revoke(*, token: AuthToken, reason: str, by: User | None = None, request: HttpRequest | None = None) -> None:
    """One token ends now (the API's logout, or a superuser in the admin)."""
    user = token.user
    deleted, _rows = AuthToken.objects.filter(digest=token.digest).delete()
    if deleted:
        audit_event(
            actor=by or user,
            instance=user,
            event="token_revoked",
            detail={"reason": reason, "count": deleted, "token": _token_label(token)},
            request=request,
        )


@transaction.atomic
def token_revoke_all(*, user: User, reason: str, by: User | None = None, request: HttpRequest | None = None) -> int:
    """Every token of the user ends now: they logged out of the pages, their
    password changed, or they enabled two-factor. Without `by`, the audit
    names whoever the request is from (an administrator setting a password)."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    if deleted:
        audit_event(
            actor=by,
            instance=user,
            event="token_revoked",
            detail={"reason": reason, "count": deleted},
            request=request,
        )
    return deleted


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
