import json

from django.core.management.base import BaseCommand, CommandError

from funds.verify import verify_ledger


class Command(BaseCommand):
    help = "核对公积金账本：逐账户校验哈希链、每笔交易借贷平衡、存储余额等于分录合计。发现问题时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, action="append", help="只核对指定账户（可重复）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        report = verify_ledger(account_ids=options.get("account"))
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "accounts": report.accounts,
                        "transactions": report.transactions,
                        "entries": report.entries,
                        "problems": report.problems,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for problem in report.problems:
                self.stderr.write(problem)
            self.stdout.write(
                f"账户 {report.accounts} 个，交易 {report.transactions} 笔，分录 {report.entries} 条，"
                f"问题 {len(report.problems)} 处"
            )
        if not report.ok:
            raise CommandError("账本核对发现问题", returncode=1)
