from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stats.run import StatsLocked, compute_stats


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "Run the nightly statistics (coverage, ratings, warnings) for one date, inline."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="on", default=None, help="YYYY-MM-DD (default: today, Asia/Shanghai)")
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            help="also compute the last N month-ends before the date, oldest first (fills trend lines)",
        )

    def handle(self, *args, on=None, history=0, **options):
        day = _date(on) if on else timezone.localdate()
        if history < 0:
            raise CommandError("--history 不能为负数")
        month_ends = sorted({day.replace(day=1) - relativedelta(months=n, days=1) for n in range(history)})
        for past in month_ends:
            self._run(past)
        self._run(day)

    def _run(self, day: date) -> None:
        try:
            result = compute_stats(on=day)
        except StatsLocked as exc:
            raise CommandError(exc.messages[0]) from None
        for message in result.messages:
            self.stderr.write(f"注意：{message}")
        timing = "，".join(f"{k} {v:.1f}秒" for k, v in result.seconds.items())
        self.stdout.write(
            f"{day} 统计完成：覆盖率快照 {result.snapshots} 条，星级评定 {result.ratings} 条，"
            f"预警新增 {result.alerts_opened}、持续 {result.alerts_kept}、解除 {result.alerts_closed}（{timing}）"
        )
