"""`manage.py post_dues_rebates --quarter 2026Q3`: post the quarter's 党费返还
(idempotent: a second run posts only payments recorded since the first)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from dues.services import rebates_post
from dues.tasks import previous_quarter


class Command(BaseCommand):
    help = "按季度将非公企业党组织收缴的党费返还至其党建公积金账户（可重复运行，只记账一次）"

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="季度，如 2026Q3；缺省为上一季度")

    def handle(self, *args, **options):
        try:
            run = rebates_post(quarter=options["quarter"] or previous_quarter())
        except ApplicationError as exc:
            raise CommandError("；".join(str(m) for m in exc.messages)) from None
        for rebate in run.posted:
            self.stdout.write(f"{rebate.organization.name} {rebate.quarter} 第{rebate.seq + 1}次 {rebate.amount} 元")
        for problem in run.skipped:
            self.stderr.write(problem)
        self.stdout.write(f"{run.quarter}：记账 {len(run.posted)} 笔，跳过 {len(run.skipped)} 个党组织")
