"""Survey files built inside the tests, messy the way real ones are."""

import csv
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from surveys.columns import COLUMNS
from tests.factories import make_credit_code

HEADERS = [c.header for c in COLUMNS]


def survey_row(n: int, street: str, **overrides) -> dict:
    row = {
        "统一社会信用代码": make_credit_code(50_000 + n),
        "企业名称": f"测试排查企业{n}有限公司",
        "企业类型": "有限责任公司",
        "所属街道": street,
        "所属园区": "",
        "行业门类": "C 制造业",
        "经营地址": f"测试路{n}号",
        "经营状态": "在营",
        "是否规上企业": "否",
        "从业人员数": 30,
        "党员总数": 4,
        "正式党员数": 3,
        "预备党员数": 1,
        "出资人姓名": "王某",
        "出资人是否党员": "否",
        "党组织设置情况": "单独组建",
        "党组织名称": f"中共测试排查企业{n}支部委员会",
        "党组织书记": "李某",
        "是否选派党建指导员": "否",
        "是否建立工会": "是",
        "是否建立团组织": "否",
        "联系电话": "13812345678",
        "年营业收入(万元)": "120.5",
    }
    row.update(overrides)
    return row


def write_xlsx(path: Path, rows: list[dict], *, title_rows: list[list] = (), headers=None, blank_every=0) -> Path:
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业基本情况"
    for title in title_rows:
        sheet.append(title)
    sheet.append(headers)
    for index, row in enumerate(rows, start=1):
        sheet.append([row.get(h, "") for h in headers])
        if blank_every and index % blank_every == 0:
            sheet.append([])
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[dict], *, encoding="utf-8", headers=None, title_rows=()) -> Path:
    headers = headers or HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title in title_rows:
        writer.writerow(title)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def make_zip_bomb(path, size=300 * 1024 * 1024):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)
    return path
