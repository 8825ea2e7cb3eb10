"""Survey pages: upload → check (progress bar) → preview → confirm → done,
the batch list with rollback, and the spreadsheets going out. Thin: a
selector fetches within scope, a service does the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.files import file_response
from core.pages import paginate
from core.validators import YEAR_MAX, YEAR_MIN
from core.xlsx import xlsx_file_response
from exports.views import export_response
from orgs.models import ImportBatch

from .batches import (
    WORKING,
    survey_batch_confirm,
    survey_batch_discard,
    survey_batch_retry,
    survey_batch_rollback,
    survey_batch_submit,
)
from .export import LEDGER_FILTERS, rejected_rows_xlsx, template_xlsx
from .reader import MAX_COLUMNS, max_rows, max_upload_bytes
from .report import SUMMARY_ROWS
from .selectors import (
    import_batch_get,
    import_batch_list,
    import_districts,
    import_streets,
    imports_for_whole_district,
    require_importer,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SurveyUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("排查摸底表文件"), help_text=gettext_lazy(".xlsx、.xls 或 .csv"))
    year = forms.IntegerField(label=gettext_lazy("排查年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    district = forms.ModelChoiceField(label=gettext_lazy("区县"), queryset=None, required=False)
    street = forms.ModelChoiceField(label=gettext_lazy("街道"), queryset=None, required=False)
    strict = forms.BooleanField(label=gettext_lazy("严格模式（有任何不合格行则全部不导入）"), required=False)
    create_streets = forms.BooleanField(label=gettext_lazy("允许新建表中出现的街道（首次导入新区时）"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets = import_streets(user=user)
        self.fields["street"].queryset = streets
        self.district = imports_for_whole_district(user=user)
        districts = import_districts(user=user) if self.district else None
        if districts is None:
            # One district (or street staff): nothing to choose, as always.
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts
            self.fields["district"].empty_label = _("全市文件（按表中“所属区县”列）")
            self.fields["district"].help_text = _("有多个区县时必选，除非表中有“所属区县”列")
        if self.district:
            self.fields["street"].empty_label = _("全区（按表中所属街道）")
        else:
            self.fields["street"].required = True
            self.fields["street"].empty_label = None
            del self.fields["create_streets"]
        self.fields["year"].initial = timezone.localdate().year


@login_required
def survey_import_view(request):
    batches = import_batch_list(user=request.user)
    form = SurveyUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = survey_batch_submit(
                upload=data["file"],
                year=data["year"],
                by=request.user,
                street=data["street"],
                district=data.get("district"),
                strict=data["strict"],
                create_streets=data.get("create_streets", False),
            )
        except ApplicationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("orgs:survey_batch", batch.pk)
    page = paginate(request, batches, 20)
    limits = {
        "megabytes": max_upload_bytes() // (1024 * 1024),
        "rows": f"{max_rows():,}",
        "columns": MAX_COLUMNS,
    }
    return render(
        request,
        "orgs/survey/import.html",
        {"form": form, "page": page, "limits": limits},
        status=400 if form.errors else 200,
    )


@login_required
def survey_batch_view(request, pk: int):
    batch = import_batch_get(user=request.user, pk=pk)
    report = batch.report or {}
    return render(
        request,
        "orgs/survey/batch.html",
        {
            "batch": batch,
            "report": report,
            "rejected": report.get("rejected", [])[:SUMMARY_ROWS],
            "changes": report.get("changes", [])[:SUMMARY_ROWS],
            "absent": report.get("not_in_survey_list", [])[:SUMMARY_ROWS],
            "totals": report.get("totals", {}),
            "has_details": bool(batch.details) or "rejected_rows" in report,
            "running": batch.status in WORKING,
            "can_retry": batch.status == ImportBatch.Status.FAILED and bool(batch.source),
        },
    )


@login_required
def survey_batch_progress_view(request, pk: int):
    batch = import_batch_get(user=request.user, pk=pk)
    running = batch.status in WORKING
    response = render(request, "orgs/survey/_progress.html", {"batch": batch, "running": running})
    if not running and request.htmx:
        # Done: reload the page so the preview or the result shows.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def survey_batch_confirm_view(request, pk: int):
    batch = import_batch_get(user=request.user, pk=pk)
    try:
        # One radio group per park the preview asked about, named by its place in the list.
        similar = (batch.report or {}).get("similar_parks", [])
        decisions = {p["key"]: request.POST.get(f"park_{i}", "") for i, p in enumerate(similar)}
        survey_batch_confirm(batch=batch, by=request.user, park_decisions=decisions)
    except ApplicationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("orgs:survey_batch", batch.pk)


@login_required
@require_POST
def survey_batch_retry_view(request, pk: int):
    batch = import_batch_get(user=request.user, pk=pk)
    try:
        survey_batch_retry(batch=batch, by=request.user)
    except ApplicationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("orgs:survey_batch", batch.pk)


@login_required
@require_POST
def survey_batch_discard_view(request, pk: int):
    batch = import_batch_get(user=request.user, pk=pk)
    try:
        survey_batch_discard(batch=batch, by=request.user)
    except ApplicationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已放弃该批次，上传的文件已删除，未写入任何数据"))
    return redirect("orgs:survey_batch", batch.pk)


@login_required
@require_POST
def survey_batch_rollback_view(request, pk: int):
    batch = import_batch_get(user=request.user, pk=pk)
    try:
        survey_batch_rollback(batch=batch, by=request.user)
    except ApplicationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已撤销该批次的导入"))
    return redirect("orgs:survey_batch", batch.pk)


@login_required
def survey_batch_report_view(request, pk: int):
    """The batch's full report (.xlsx): the rejected rows first, to fix and upload again."""
    batch = import_batch_get(user=request.user, pk=pk)
    filename = f"导入报告_{batch.year}_{batch.pk}.xlsx"
    if batch.details:
        return file_response(batch.details, filename=filename)
    # A batch from before the report was kept in storage: its jsonb has the rows.
    return xlsx_file_response(rejected_rows_xlsx(batch.report or {}), filename=filename)


@login_required
def survey_ledger_export_view(request):
    # Small: the .xlsx at once; large: an export job and its page (exports/).
    params = {k: request.GET.get(k, "") for k in LEDGER_FILTERS}
    return export_response(request, kind="survey_ledger", params=params)


@login_required
def survey_template_view(request):
    require_importer(request.user)
    return xlsx_file_response(template_xlsx(), filename="年度排查摸底表模板.xlsx")
