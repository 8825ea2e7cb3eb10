"""`manage.py purge_survey_files [--dry-run]`: delete uploaded survey files
older than SURVEY_FILE_RETENTION_DAYS (beat does it daily). The batches keep
the files' SHA-256, their reports and their rollback data."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from surveys.retention import survey_files_due, survey_files_purge


class Command(BaseCommand):
    help = "删除超过保存期限的排查上传文件（保留文件SHA-256、报告和撤销数据）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            for batch in survey_files_due().select_related(None).only("pk", "file_name", "created_at"):
                self.stdout.write(f"{batch.pk}\t{batch.created_at:%Y-%m-%d}\t{batch.file_name}")
        purged = survey_files_purge(dry_run=dry_run)
        days = settings.SURVEY_FILE_RETENTION_DAYS
        if dry_run:
            message = _("将删除 %(n)d 个超过 %(d)d 天的排查上传文件（未删除）")
        else:
            message = _("已删除 %(n)d 个超过 %(d)d 天的排查上传文件")
        self.stdout.write(message % {"n": len(purged.batch_ids), "d": days})
