"""Reads of export jobs. A job is its creator's alone: anyone else, whatever
their role, gets a 404, since the file holds what the creator's scope reached."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import ExportJob

RECENT_DAYS = 7
_SALT = "exports.download"


def export_job_get(*, user: Any, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, created_by_id=user.pk)


def export_job_list(*, user: Any, days: int = RECENT_DAYS) -> QuerySet[ExportJob]:
    since = timezone.now() - timedelta(days=days)
    return ExportJob.objects.filter(created_by_id=user.pk, queued_at__gte=since)


def download_token(job: ExportJob) -> str:
    """A signed token naming the job, its creator and its attempt; it lasts as long as the link does."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{job.pk}.{job.created_by_id}.{job.attempt}")


def download_allowed(job: ExportJob, token: str) -> bool:
    """Whether `token` is this job's, unexpired, and the file is still there
    (done and before expires_at, checked here as well as by the signature)."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=timedelta(hours=settings.EXPORT_LINK_HOURS))
    except signing.BadSignature:  # SignatureExpired is one
        return False
    if value != f"{job.pk}.{job.created_by_id}.{job.attempt}":
        return False
    return (
        job.status == ExportJob.Status.DONE
        and bool(job.file.name)
        and job.expires_at is not None
        and job.expires_at > timezone.now()
    )
