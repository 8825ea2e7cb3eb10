"""Two-factor devices in the admin: district staff may see who enabled it and
delete a device to reset a lost phone; the secret and its QR code are never shown."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from orgs.admin_base import ReadOnlyAdmin

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "last_used_at", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser or super(ReadOnlyAdmin, self).has_delete_permission(request, obj)
