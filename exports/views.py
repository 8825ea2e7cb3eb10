"""Export pages: the job with its progress (polled with htmx), the download
link while it lasts, a retry, and the user's recent exports. And
`export_response`, which the apps' export views answer with: the file at
once when small, the job page when large."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.files import file_response
from core.jobs import JobNotQueued
from core.xlsx import xlsx_file_response

from .models import ExportJob
from .registry import Params
from .selectors import download_allowed, download_token, export_job_get, export_job_list
from .services import InlineExport, export_retry, export_start


def _back(request: HttpRequest) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "exports:list"


def export_response(request: HttpRequest, *, kind: str, params: Params) -> HttpResponseBase:
    """What an export link answers: the .xlsx when it is small, else the new job's page."""
    try:
        result = export_start(user=request.user, kind=kind, params=params)
    except JobNotQueued as exc:
        messages.error(request, exc.messages[0])
        return redirect(_back(request))
    if isinstance(result, InlineExport):
        return xlsx_file_response(result.content, filename=result.filename)
    messages.info(request, _("数据较多（%(rows)d 行），已转入后台生成，完成后可在本页下载") % {"rows": result.rows})
    return redirect("exports:job", result.pk)


def _job_context(job: ExportJob) -> dict:
    return {
        "job": job,
        "token": download_token(job) if job.status == ExportJob.Status.DONE and not job.is_expired else "",
        "active": job.active,
    }


@login_required
def export_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get(user=request.user, pk=pk)
    return render(request, "exports/job.html", _job_context(job))


@login_required
def export_job_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get(user=request.user, pk=pk)
    response = render(request, "exports/_progress.html", _job_context(job))
    if not job.active and request.headers.get("HX-Request") == "true":
        # Finished or failed: reload so the download link or the message shows.
        response["HX-Refresh"] = "true"
    return response


@login_required
def export_download_view(request: HttpRequest, pk: int, token: str) -> HttpResponseBase:
    job = export_job_get(user=request.user, pk=pk)
    if not download_allowed(job, token):
        context = {**_job_context(job), "link_expired": True}
        return render(request, "exports/job.html", context, status=410)
    return file_response(job.file, filename=job.filename)


@login_required
@require_POST
def export_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get(user=request.user, pk=pk)
    try:
        export_retry(job=job, by=request.user)
    except ApplicationError as exc:  # JobNotQueued among them
        messages.error(request, exc.messages[0])
    return redirect("exports:job", job.pk)


@login_required
def export_job_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/list.html", {"jobs": export_job_list(user=request.user)[:100]})
