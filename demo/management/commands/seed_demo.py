import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from demo.seed import DEFAULT_PASSWORD, seed_demo
from demo.seed.places import MAX_DISTRICTS


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo district (or a city of districts) and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=int, default=2000, help="enterprises in all (shared by the districts)"
        )
        parser.add_argument(
            "--districts",
            type=int,
            default=1,
            help=f"districts of the demo city (1 to {MAX_DISTRICTS}; 1 is one district, no city above it)",
        )
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already holds data",
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="the day the demo district is 'today' (default: today)",
        )

    def handle(self, *args, enterprises, seed, password, as_of, districts=1, if_empty=False, **options):
        from orgs.models import Enterprise, User

        if if_empty and Enterprise.objects.exists():
            more = " city district2" if User.objects.filter(username="district2").exists() else ""
            self.stdout.write(
                "数据库已有数据，未重新生成演示数据。演示账号：district street secretary secretary2 "
                f"instructor leader{more}（默认密码 {DEFAULT_PASSWORD}）"
            )
            return
        if not 1 <= districts <= MAX_DISTRICTS:
            raise CommandError(_("--districts 应为 1 到 %(n)d") % {"n": MAX_DISTRICTS})
        if enterprises < 50 * districts:
            raise CommandError("--enterprises 至少为 50" if districts == 1 else _("--enterprises 每个区县至少 50 家"))
        started = time.monotonic()
        try:
            result = seed_demo(
                enterprises=enterprises,
                seed=seed,
                password=password,
                as_of=as_of,
                districts=districts,
                progress=lambda step: self.stderr.write(f"  … {step}"),
            )
        except ApplicationError as exc:
            raise CommandError(exc.messages[0]) from None
        elapsed = time.monotonic() - started
        counts = "，".join(f"{k}={v}" for k, v in result.counts.items())
        self.stdout.write(f"演示数据已生成（{elapsed:.1f} 秒）：{counts}")
        self.stdout.write("演示账号（密码均为 %s）：" % result.password)
        for username, display in result.users:
            self.stdout.write(f"  {username:<12} {display}")
