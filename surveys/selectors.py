"""Reads for the survey pages, scoped like every other read."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from orgs.models import Enterprise, ImportBatch, Region, Role
from orgs.scoping import scope_for
from orgs.selectors import enterprise_list, scoped_get

IMPORTER_ROLES = (Role.DISTRICT, Role.STREET)
EXPORTER_ROLES = (Role.DISTRICT, Role.STREET, Role.LEADER)


def can_import(user) -> bool:
    return scope_for(user, write=True).has_role(*IMPORTER_ROLES)


def require_importer(user) -> None:
    # Everyone else gets the same answer as for a record outside their scope.
    if not can_import(user):
        raise Http404(_("记录不存在或不在您的管辖范围内"))


def import_streets(*, user) -> QuerySet[Region]:
    """The streets a user may import for: all for district staff, their own for street staff."""
    scope = scope_for(user, write=True)
    qs = Region.objects.filter(kind=Region.Kind.STREET).order_by("name")
    if scope.everything:
        return qs
    return qs.filter(pk__in=scope.street_ids)


def import_batch_list(*, user) -> QuerySet[ImportBatch]:
    require_importer(user)
    return (
        ImportBatch.objects.filter(scope_for(user).streets_q("street"), kind=ImportBatch.Kind.SURVEY)
        .select_related("street", "created_by")
        .order_by("-created_at")
    )


def import_batch_get(*, user, pk) -> ImportBatch:
    require_importer(user)
    return scoped_get(
        user=user,
        queryset=ImportBatch.objects.filter(kind=ImportBatch.Kind.SURVEY).select_related("street", "created_by"),
        scope_q_name="streets_q",
        path="street",
        pk=pk,
    )


def ledger_for_export(*, user, filters: dict | None = None) -> QuerySet[Enterprise]:
    if not scope_for(user).has_role(*EXPORTER_ROLES):
        raise Http404(_("记录不存在或不在您的管辖范围内"))
    return enterprise_list(user=user, filters=filters)
