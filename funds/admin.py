from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.pages import form_errors_from
from orgs.admin_base import ReadOnlyAdmin, ScopedAdmin

from . import services
from .models import (
    Application,
    ApplicationStep,
    BudgetLine,
    FundAccount,
    FundEntry,
    FundTransaction,
    Notification,
    Objection,
    Receipt,
    Settlement,
    StarRule,
)

# The journal is append-only: money moves through services, never through
# admin forms. Pool and external accounts have no organization, so only
# district-wide scopes reach them.


@admin.register(FundAccount)
class FundAccountAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["name", "kind", "organization", "balance", "last_seq", "opened_on"]
    list_filter = ["kind"]
    search_fields = ["name"]


class FundEntryInline(admin.TabularInline):
    model = FundEntry
    extra = 0
    can_delete = False
    fields = ["account", "amount", "seq", "balance_after", "hash"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FundTransaction)
class FundTransactionAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "entries__account__organization"
    list_display = ["pk", "occurred_on", "kind", "memo", "created_by", "created_at"]
    list_filter = ["kind"]
    inlines = [FundEntryInline]


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "account__organization"
    list_display = ["account", "seq", "amount", "balance_after", "transaction", "created_at"]
    list_select_related = ["account", "transaction"]


class StarRuleForm(forms.ModelForm):
    """Asks the service's own check in clean(), so a value the service would
    refuse is shown on the form instead of failing in save_model."""

    user = None  # set per request by StarRuleAdmin.get_form

    class Meta:
        model = StarRule
        fields = ["region", "stars", "effective_from", "match_rate", "subsidy_cap", "note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.star_rule_check(
                stars=data["stars"],
                effective_from=data["effective_from"],
                match_rate=data["match_rate"],
                subsidy_cap=data["subsidy_cap"],
                by=self.user,
                region=data.get("region"),
            )
        except ValidationError as exc:
            form_errors_from(self, exc)
        return data


@admin.register(StarRule)
class StarRuleAdmin(ScopedAdmin):
    """The star table is history: a change is a new row from a date on, so
    rows are added, never edited or deleted."""

    form = StarRuleForm
    list_display = [
        "stars",
        "region",
        "effective_from",
        "match_rate",
        "subsidy_cap",
        "note",
        "created_by",
        "created_at",
    ]
    list_filter = ["stars"]
    fields = ["region", "stars", "effective_from", "match_rate", "subsidy_cap", "note"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.star_rule_set(
            stars=obj.stars,
            effective_from=obj.effective_from,
            match_rate=obj.match_rate,
            subsidy_cap=obj.subsidy_cap,
            note=obj.note,
            by=request.user,
            region=obj.region,
        )


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    can_delete = False
    readonly_fields = ["item", "amount", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = ApplicationStep
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "from_status", "to_status", "by", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class SettlementInline(admin.TabularInline):
    """The 报账 submissions; their lines and receipts are on the application's page."""

    model = Settlement
    extra = 0
    can_delete = False
    fields = readonly_fields = ["settled_on", "spent", "status", "submitted_by", "decided_by", "decided_at", "opinion"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    # Read-only: every transition goes through the services (and the pages).
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["activity", "organization", "amount", "status", "waiting_since", "approved_on"]
    list_filter = ["status"]
    search_fields = ["activity", "organization__name"]
    list_select_related = ["organization"]
    inlines = [BudgetLineInline, StepInline, SettlementInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "application__organization"
    list_display = ["application", "by", "at", "resolved_at"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "application__organization"
    list_display = ["application", "description", "uploaded_by", "uploaded_at"]
    # No MEDIA_URL serves files: a receipt is downloaded from its application's page (scoped).
    exclude = ["file"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    # Notifications are personal; staff see only their own.
    list_display = ["user", "message", "created_at", "read_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)
