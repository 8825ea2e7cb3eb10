"""Reads for the survey pages, scoped like every other read. Who may import
or export is the policy's to say (orgs/policy/)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from orgs import policy
from orgs.models import Enterprise, ImportBatch, Region, User
from orgs.policy import require
from orgs.scoping import scope_for
from orgs.selectors import enterprise_list, scoped_get


def require_importer(user: User) -> None:
    # Everyone else gets the same answer as for a record outside their scope.
    require(policy.may_use_survey_import(user), _("记录不存在或不在您的管辖范围内"), exc=Http404)


def imports_for_whole_district(*, user: User) -> bool:
    """District staff import for the whole district (a street chosen or not);
    street staff always name their street."""
    return policy.may_import_survey(user, None)


def import_streets(*, user: User) -> QuerySet[Region]:
    """The streets a user may import for: all for district staff, their own for street staff."""
    scope = scope_for(user, write=True)
    qs = Region.objects.filter(kind=Region.Kind.STREET).order_by("name")
    if scope.everything:
        return qs
    return qs.filter(pk__in=scope.street_ids)


def import_districts(*, user: User) -> QuerySet[Region] | None:
    """The districts a user may import a whole file for, when the
    installation has more than one (None: one district, nothing to choose)."""
    districts = Region.objects.filter(kind=Region.Kind.DISTRICT).order_by("name")
    if districts.count() < 2:
        return None
    return districts.filter(pk__in=[d.pk for d in districts if policy.may_import_survey(user, None, d)])


def import_batch_list(*, user: User) -> QuerySet[ImportBatch]:
    require_importer(user)
    return (
        ImportBatch.objects.filter(scope_for(user).batches_q(), kind=ImportBatch.Kind.SURVEY)
        .select_related("street", "district", "created_by")
        .order_by("-created_at")
    )


def import_batch_get(*, user: User, pk: int) -> ImportBatch:
    require_importer(user)
    return scoped_get(
        user=user,
        queryset=ImportBatch.objects.filter(kind=ImportBatch.Kind.SURVEY).select_related(
            "street", "district", "created_by"
        ),
        scope_q_name="batches_q",
        path="",
        pk=pk,
    )


def ledger_for_export(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Enterprise]:
    require(policy.may_export_survey_ledger(user), _("记录不存在或不在您的管辖范围内"), exc=Http404)
    return enterprise_list(user=user, filters=filters)
