"""Writes on user accounts and their roles (DESIGN.md §1: district staff
manage users). Every write asks the policy first (`may_manage_users`,
`may_grant`, `may_manage_account`), validates everything before writing,
writes in one transaction and leaves an audit trail: the account and grant
rows are diffed by django-auditlog under the acting user, and the events a
diff does not show (a password reset, a role granted or revoked) are
recorded beside them.

A password chosen by staff is known to two people, so an account created or
reset here must change it at the next login (`must_change_password`,
enforced by security.middleware.PasswordChangeRequiredMiddleware).
"""

from dataclasses import dataclass

from auditlog.context import set_actor
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from . import policy
from .audit import audit_event
from .models import PartyOrganization, Region, Role, RoleGrant, User
from .policy import require_permission

# The kinds of region each role's grant may name (an empty tuple: none).
REGION_KINDS: dict[str, tuple[str, ...]] = {
    Role.CITY: (Region.Kind.PROVINCE, Region.Kind.CITY),
    Role.DISTRICT: (Region.Kind.DISTRICT,),
    Role.STREET: (Region.Kind.STREET,),
    Role.LEADER: (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.DISTRICT, Region.Kind.STREET),
    Role.SECRETARY: (),
    Role.INSTRUCTOR: (),
}


@dataclass(frozen=True)
class GrantSpec:
    """One role for one place, as a form or the API names it."""

    role: str
    region: Region | None = None
    organization: PartyOrganization | None = None

    def key(self) -> tuple[str, int | None, int | None]:
        return (self.role, self.region.pk if self.region else None, self.organization.pk if self.organization else None)

    def describe(self) -> str:
        label = dict(Role.choices).get(self.role, self.role)
        place = self.organization or self.region
        return f"{label}（{place}）" if place else str(label)


def _check_grant_shape(spec: GrantSpec) -> None:
    if spec.role not in Role.values:
        raise ApplicationError({"grants": _("角色授权：未知角色“%(role)s”") % {"role": spec.role}})
    if spec.role == Role.SECRETARY:
        if spec.organization is None:
            raise ApplicationError({"grants": _("角色授权：书记角色须指定党组织")})
        if spec.region is not None:
            raise ApplicationError({"grants": _("角色授权：书记角色只指定党组织，不指定区域")})
        return
    if spec.organization is not None:
        raise ApplicationError({"grants": _("角色授权：只有书记角色指定党组织")})
    kinds = REGION_KINDS[spec.role]
    if spec.role == Role.STREET and spec.region is None:
        raise ApplicationError({"grants": _("角色授权：街道工作人员须指定街道")})
    if spec.role == Role.CITY and spec.region is None:
        raise ApplicationError({"grants": _("角色授权：市两新工委工作人员须指定市")})
    if spec.region is not None and spec.region.kind not in kinds:
        raise ApplicationError(
            {
                "grants": _("角色授权：%(role)s 不能指定区域“%(region)s”")
                % {"role": spec.describe(), "region": spec.region}
            }
        )


def _check_grants(*, by: User, specs: list[GrantSpec]) -> None:
    """Every grant well formed, then every grant within the granter's reach
    (403), before anything is written."""
    for spec in specs:
        _check_grant_shape(spec)
    for spec in specs:
        require_permission(
            policy.may_grant(by, role=spec.role, region=spec.region, organization=spec.organization),
            _("角色授权：%(grant)s 超出您的管辖范围或层级，不能授予") % {"grant": spec.describe()},
        )


def _check_password(password: str, user: User, field: str = "password") -> None:
    if not password:
        raise ApplicationError({field: _("密码：请填写密码")})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError({field: [_("密码：%(m)s") % {"m": m} for m in exc.messages]}) from None


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ApplicationError({"username": _("用户名：请填写用户名")})
    try:
        User.username_validator(username)
    except ValidationError:
        raise ApplicationError({"username": _("用户名：只能包含字母、数字和 @/./+/-/_ 字符")}) from None
    if len(username) > 150:
        raise ApplicationError({"username": _("用户名：不能超过150个字符")})
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError({"username": _("用户名：“%(u)s”已被使用") % {"u": username}})
    return username


def _check_display_name(display_name: str) -> str:
    display_name = (display_name or "").strip()
    if len(display_name) > 50:
        raise ApplicationError({"display_name": _("姓名：不能超过50个字符")})
    return display_name


def _require_account(by: User, account: User) -> None:
    require_permission(policy.may_manage_account(by, account), _("该账号的角色超出您的管辖范围，您不能管理此账号"))


def _grant(*, by: User, account: User, spec: GrantSpec) -> RoleGrant:
    grant = RoleGrant.objects.create(user=account, role=spec.role, region=spec.region, organization=spec.organization)
    audit_event(actor=by, instance=account, event="role_granted", detail={"grant": spec.describe()})
    return grant


@transaction.atomic
def user_create(
    *,
    by: User,
    username: str,
    password: str,
    display_name: str = "",
    is_active: bool = True,
    grants: list[GrantSpec],
) -> User:
    """A new account with its roles; its owner changes the password at first login."""
    require_permission(policy.may_manage_users(by), _("仅区两新工委工作人员可管理用户"))
    username = _check_username(username)
    display_name = _check_display_name(display_name)
    if not grants:
        raise ApplicationError({"grants": _("角色授权：请至少授予一个角色")})
    _check_grants(by=by, specs=grants)
    if len({s.key() for s in grants}) != len(grants):
        raise ApplicationError({"grants": _("角色授权：同一角色重复授予")})
    account = User(username=username, display_name=display_name, is_active=is_active, must_change_password=True)
    _check_password(password, account)
    account.set_password(password)
    with set_actor(by):
        account.save()
        for spec in grants:
            _grant(by=by, account=account, spec=spec)
    return account


@transaction.atomic
def user_update(
    *,
    by: User,
    account: User,
    display_name: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    grants: list[GrantSpec] | None = None,
) -> User:
    """Change what was given; `grants` replaces the account's roles (what
    is added and what is removed must both be within the caller's reach)."""
    _require_account(by, account)
    if display_name is not None:
        display_name = _check_display_name(display_name)
    if grants is not None:
        current = {
            (g.role, g.region_id, g.organization_id): g
            for g in account.role_grants.select_related("region__parent", "organization__street__parent")
        }
        wanted = {s.key(): s for s in grants}
        if len(wanted) != len(grants):
            raise ApplicationError({"grants": _("角色授权：同一角色重复授予")})
        if not wanted:
            raise ApplicationError({"grants": _("角色授权：请至少保留一个角色")})
        _check_grants(by=by, specs=[s for k, s in wanted.items() if k not in current])
        if account.pk == by.pk and set(current) - set(wanted):
            raise ApplicationError({"grants": _("角色授权：不能撤销自己的角色")})
    if is_active is False and account.pk == by.pk:
        raise ApplicationError({"is_active": _("状态：不能停用自己的账号")})
    if password is not None:
        _check_password(password, account)
    with set_actor(by):
        if display_name is not None:
            account.display_name = display_name
        if is_active is not None and is_active != account.is_active:
            account.is_active = is_active
            audit_event(actor=by, instance=account, event="user_activated" if is_active else "user_deactivated")
        if password is not None:
            account.set_password(password)
            account.must_change_password = True
            audit_event(actor=by, instance=account, event="password_reset")
        account.save()
        if grants is not None:
            for key, grant in current.items():
                if key not in wanted:
                    _revoke(by=by, grant=grant)
            for key, spec in wanted.items():
                if key not in current:
                    _grant(by=by, account=account, spec=spec)
    return account


def _revoke(*, by: User, grant: RoleGrant) -> None:
    spec = GrantSpec(role=grant.role, region=grant.region, organization=grant.organization)
    account = grant.user
    grant.delete()
    audit_event(actor=by, instance=account, event="role_revoked", detail={"grant": spec.describe()})


@transaction.atomic
def user_grant_role(*, by: User, account: User, spec: GrantSpec) -> RoleGrant:
    _require_account(by, account)
    _check_grants(by=by, specs=[spec])
    if account.role_grants.filter(role=spec.role, region=spec.region, organization=spec.organization).exists():
        raise ApplicationError({"grants": _("角色授权：该账号已有此角色")})
    with set_actor(by):
        return _grant(by=by, account=account, spec=spec)


@transaction.atomic
def user_revoke_role(*, by: User, grant: RoleGrant) -> None:
    account = grant.user
    _require_account(by, account)
    if account.pk == by.pk:
        raise ApplicationError({"grants": _("角色授权：不能撤销自己的角色")})
    with set_actor(by):
        _revoke(by=by, grant=grant)


def user_reset_password(*, by: User, account: User, password: str) -> User:
    return user_update(by=by, account=account, password=password)


def user_set_active(*, by: User, account: User, is_active: bool) -> User:
    return user_update(by=by, account=account, is_active=is_active)


@transaction.atomic
def user_change_own_password(*, user: User, password: str) -> User:
    """The owner's own new password (the form checked the old one); clears
    the must-change flag."""
    _check_password(password, user, "new_password1")
    if user.check_password(password):
        raise ApplicationError({"new_password1": _("新密码：不能与原密码相同")})
    with set_actor(user):
        user.set_password(password)
        user.must_change_password = False
        user.save()
    audit_event(actor=user, instance=user, event="password_changed")
    return user
