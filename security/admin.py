"""Two-factor devices and API tokens in the admin.

District staff may see who enabled two-factor and delete a device to reset a
lost phone; the secret and its QR code are never shown. A superuser may see
who holds API tokens and revoke one; tokens are issued only by the token
endpoint (knox's own admin would mint one, without expiry if asked, past the
password and the second factor)."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from orgs.admin_base import ReadOnlyAdmin

from .services import token_revoke

for model in (TOTPDevice, AuthToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "last_used_at", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or super(ReadOnlyAdmin, self).has_delete_permission(request, obj)


@admin.register(AuthToken)
class AuthTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    search_fields = ["user__username"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def delete_model(self, request, obj):
        token_revoke(token=obj, reason="admin", by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            token_revoke(token=token, reason="admin", by=request.user, request=request)
