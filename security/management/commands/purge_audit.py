from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from security.services import AUDIT_MINIMUM_DAYS, audit_purge


class Command(BaseCommand):
    help = "删除超过保存期限的审计日志（保存期限取 AUDIT_RETENTION_DAYS，且不少于180天）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help=f"保存天数（不少于 {AUDIT_MINIMUM_DAYS}）")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, days, dry_run, **options):
        try:
            count = audit_purge(older_than_days=days, dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError(exc.messages[0]) from None
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {count} 条过期审计日志")
