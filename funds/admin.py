from django.contrib import admin

from orgs.admin_base import ReadOnlyAdmin

from .models import FundAccount, FundEntry, FundTransaction

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
