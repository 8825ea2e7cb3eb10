"""An export job: one large spreadsheet a task writes for the person who asked for it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import random_file_name


def export_file_path(instance: "ExportJob", filename: str) -> str:
    # A random name, as for every stored file: an export of members must not
    # sit at a path spelled from its title. The service saves under the same shape.
    return f"exports/{timezone.localdate():%Y/%m}/{random_file_name(filename, extensions={'xlsx'})}"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("导出类别"), max_length=64)
    # The filters as the page sent them; the task rebuilds the rows from
    # these and the creator, through the same scoped selectors as the page.
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    note = models.CharField(_("进度说明"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    # Through the storage API only (never a local path): a worker on another
    # host, or object storage, serves as well as the web host's disk.
    file = models.FileField(_("文件"), upload_to=export_file_path, max_length=300, blank=True)
    attempt = models.PositiveSmallIntegerField(_("第几次执行"), default=1)
    queued_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("链接过期时间"), null=True, blank=True)
    error = models.TextField(_("错误说明"), blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-queued_at", "-pk"]
        indexes = [
            models.Index(fields=["created_by", "-queued_at"], name="export_job_user_recent"),
            models.Index(fields=["status", "queued_at"], name="export_job_status"),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.kind} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_expired(self) -> bool:
        """Expired, or done with its link past (the sweeper has not come by yet)."""
        if self.status == self.Status.EXPIRED:
            return True
        return self.status == self.Status.DONE and self.expires_at is not None and self.expires_at <= timezone.now()
