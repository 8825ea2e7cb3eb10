"""The import batch: one survey or roster upload, who made it, what it did
and what a rollback needs. The rows an import creates (surveys,
organizations, instructor assignments, members) point back at their batch."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import random_file_name

from .regions import Region


def import_source_path(instance: "ImportBatch", filename: str) -> str:
    # A random name: a survey full of phone numbers must not sit at a path
    # spelled from its title. The batch keeps the name it was uploaded under.
    name = random_file_name(filename, extensions={"xlsx", "xls", "csv"})
    return f"imports/{timezone.localdate():%Y/%m}/{name}"


def import_details_path(instance: "ImportBatch", filename: str) -> str:
    # The full report names firms, people and phone numbers: a random name
    # too, sent only by the batch's own (scoped) download view.
    return f"imports/reports/{timezone.localdate():%Y/%m}/{random_file_name(filename, extensions={'xlsx'})}"


def import_undo_path(instance: "ImportBatch", filename: str) -> str:
    return f"imports/undo/{timezone.localdate():%Y/%m}/{random_file_name(filename, extensions={'gz'})}"


class ImportBatch(models.Model):
    """One survey or roster import: who, when, which file, what it did."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("年度排查摸底")
        ROSTER = "roster", _("党员名册")

    class Status(models.TextChoices):
        CHECKING = "checking", _("校验中")
        PREVIEW = "preview", _("待确认")
        RUNNING = "running", _("导入中")
        COMMITTED = "committed", _("已导入")
        ROLLING_BACK = "rolling_back", _("撤销中")
        ROLLED_BACK = "rolled_back", _("已撤销")
        FAILED = "failed", _("失败")
        DISCARDED = "discarded", _("已放弃")

    class Phase(models.TextChoices):
        CHECK = "check", _("校验")
        WRITE = "write", _("写入")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    street = models.ForeignKey(
        Region, verbose_name=_("限定街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The district the file belongs to (DESIGN.md §8): its streets are the
    # ones names resolve in, and its staff reach the batch.
    district = models.ForeignKey(
        Region, verbose_name=_("所属区县"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file_hash = models.CharField(_("文件SHA-256"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("变更"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    not_in_survey = models.PositiveIntegerField(_("本次未出现"), default=0)
    # A bounded summary (counts, the first rows of each list) for the page;
    # the row-by-row report is the .xlsx in `details`.
    report = models.JSONField(_("报告"), default=dict, blank=True)
    details = models.FileField(_("完整报告"), upload_to=import_details_path, blank=True)
    # The uploaded file is kept so the confirm step imports exactly what was previewed.
    source = models.FileField(_("上传文件"), upload_to=import_source_path, blank=True)
    # The kept file is deleted SURVEY_FILE_RETENTION_DAYS after the upload
    # (surveys/retention.py); `file_hash` still names what was imported.
    source_purged_at = models.DateTimeField(_("上传文件删除时间"), null=True, blank=True)
    strict = models.BooleanField(_("严格模式"), default=False)
    create_streets = models.BooleanField(_("允许新建街道"), default=False)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=100, blank=True)
    # What a rollback needs: ids this batch created and the previous values
    # of what it changed. It grows with the rows (about 100 MB for 300,000
    # changed firms), so it is kept in `undo_file` (gzip, one chunk a line);
    # `undo` holds only its counts (older batches: the data itself).
    undo = models.JSONField(_("撤销信息"), default=dict, blank=True)
    undo_file = models.FileField(_("撤销数据文件"), upload_to=import_undo_path, blank=True)
    # What the importer decided on the preview (which existing park a close
    # name means), read again when the confirmed import runs.
    decisions = models.JSONField(_("预览中的决定"), default=dict, blank=True)
    # The job working on the batch (DESIGN.md §11, core/jobs.py): which step,
    # which attempt (a message of an earlier attempt is ignored), when it was
    # sent, when a worker took it and when it last showed progress. The
    # sweeper fails a batch whose worker is gone or silent, or that no worker
    # took; the page then offers to retry the step or to discard the batch.
    phase = models.CharField(_("步骤"), max_length=16, choices=Phase.choices, blank=True)
    attempt = models.PositiveSmallIntegerField(_("第几次尝试"), default=0)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
