"""The admin's lists go through the same scoping rule as every page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .scoping import scope_for


class ScopedAdmin(admin.ModelAdmin):
    # Which Scope builder applies and the lookup path from this model to its
    # target; None means the model is reference data every staff user may read.
    scope_q_name: str | None = None
    scope_path: str = ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.scope_q_name is None:
            return qs
        scope = scope_for(request.user)
        qs = qs.filter(getattr(scope, self.scope_q_name)(self.scope_path))
        return qs.distinct() if not scope.everything else qs


class ReadOnlyAdmin(ScopedAdmin):
    """For derived or append-only tables: visible, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows under a read-only record (attendance, attachments)."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaskedPhoneAdmin(admin.ModelAdmin):
    """Enterprise records in the admin show the contact phone masked; the
    whole number is seen through the audited reveal only."""

    exclude = ["phone"]
    readonly_fields = ["phone_shown"]

    @admin.display(description=_("联系电话"))
    def phone_shown(self, obj) -> str:
        return obj.phone_masked
