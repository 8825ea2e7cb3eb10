"""`manage.py import_survey PATH --year YYYY [--district NAME|ID] [--dry-run] [--strict] [--create-streets] [--json]`

The contract (CONTRACT.md): exit 0 when the import ran (rejected rows
included), 1 when the file cannot be read or --strict found invalid rows
(nothing written), 2 for bad arguments (among them a missing or unknown
--district where the installation has several districts and the file no
所属区县 column).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.validators import validate_year
from surveys.services import DistrictRequired, district_from_argument, survey_import


class Command(BaseCommand):
    help = "导入年度排查摸底表（.xlsx/.xls/.csv）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="排查摸底表文件路径")
        parser.add_argument("--year", type=int, required=True, help="排查年度，如 2026")
        parser.add_argument("--district", help="区县名称或编号；有多个区县时必填，除非表中有“所属区县”列")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument("--strict", action="store_true", help="有任何不合格行则全部不写入")
        parser.add_argument("--create-streets", action="store_true", help="新建表中出现的未知街道")
        parser.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 对象")

    def handle(self, *args, **options):
        year = options["year"]
        try:
            validate_year(year)
        except ApplicationError as exc:
            raise CommandError(exc.messages[0], returncode=2) from None
        try:
            district = district_from_argument(options["district"]) if options.get("district") else None
            report = survey_import(
                path=options["path"],
                year=year,
                by=None,
                district=district,
                dry_run=options["dry_run"],
                strict=options["strict"],
                create_streets=options["create_streets"],
            )
        except DistrictRequired as exc:
            message = exc.messages[0]
            if not options.get("district"):
                message = _("本系统有多个区县：请用 --district 区县名称或编号 指定导入哪个区县，或在表中加“所属区县”列")
            if options["json"]:
                self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
            raise CommandError(message, returncode=2) from None
        except ApplicationError as exc:
            message = "；".join(exc.messages)
            if options["json"]:
                self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
            raise CommandError(message, returncode=1)
        if options["json"]:
            self.stdout.write(json.dumps(report.contract(), ensure_ascii=False))
        else:
            self._summary(report)
        if report.strict_failed:
            raise CommandError(
                _("严格模式：存在 %(n)d 行不合格，未写入任何数据") % {"n": report.rejected_count}, returncode=1
            )

    def _summary(self, report) -> None:
        out = self.stdout.write
        mode = _("（试运行，未写入）") if report.dry_run else ""
        out(
            _("共 %(rows)d 行：新增 %(c)d，变更 %(u)d，未变 %(n)d，拒绝 %(r)d；本次未出现 %(a)d 家%(mode)s")
            % {
                "rows": report.rows,
                "c": report.created,
                "u": report.updated,
                "n": report.unchanged,
                "r": report.rejected_count,
                "a": report.not_in_survey,
                "mode": mode,
            }
        )
        if report.batch:
            out(_("导入批次：%(id)d") % {"id": report.batch})
        for item in report.duplicates:
            out(
                _("重复代码 %(code)s 出现在第 %(rows)s 行，以最后一行为准")
                % {"code": item["credit_code"], "rows": "、".join(map(str, item["rows"]))}
            )
        for item in report.skipped:
            out(_("第 %(row)d 行是%(kind)s，已跳过：%(text)s") % item)
        for item in report.similar_parks:
            names = "、".join(f"{c['name']}（{c['street']}）" for c in item["candidates"])
            out(
                _(
                    "园区“%(park)s”与已有园区 %(names)s 名称相近，已作为新园区登记；"
                    "如为同一园区，请撤销本批次后在页面导入时选择"
                )
                % {"park": item["key"], "names": names}
            )
        for item in report.rejected[:200]:
            out(
                _("第 %(row)d 行 [%(col)s] %(msg)s")
                % {"row": item["row"], "col": item["column"], "msg": item["message"]}
            )
