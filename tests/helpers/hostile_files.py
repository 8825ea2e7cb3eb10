"""Hostile spreadsheets, built inside the tests: a workbook is a zip of XML
parts, so each is written part by part, exactly as an attacker would."""

import csv
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from surveys.columns import COLUMNS

SURVEY_HEADERS = [c.header for c in COLUMNS]
ROSTER_HEADERS = ["姓名", "性别", "身份证号", "手机号", "发展阶段", "递交入党申请日期"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(reference: str, text: str) -> str:
    """An inline-string cell; `text` goes in as given (escapes such as _x0000_ included)."""
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def row_xml(number: int, values: list, *, start_column: int = 1) -> str:
    cells = "".join(
        cell(f"{column_letters(start_column + k)}{number}", escape(str(v))) for k, v in enumerate(values) if v != ""
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows_xml: str, *, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{rows_xml}</sheetData></worksheet>"
    )


def write_workbook(path: Path, sheet: str | bytes) -> Path:
    """A one-sheet .xlsx around the given sheet XML."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def survey_sheet(rows: list[dict], *, extra: str = "", dimension: str | None = None) -> str:
    """The survey's header and rows (dicts by header), then `extra` XML inside sheetData."""
    body = row_xml(1, SURVEY_HEADERS)
    for number, row in enumerate(rows, start=2):
        body += row_xml(number, [row.get(h, "") for h in SURVEY_HEADERS])
    return sheet_xml(body + extra, dimension=dimension)


def far_cell_xlsx(path: Path) -> Path:
    """The 1.6 KB file that made python-calamine ask for 512 GB and abort: a
    header row and one cell at XFD1048576."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_workbook(path, sheet_xml(row_xml(1, ["统一社会信用代码", "企业名称", "所属街道"]) + far))


# The same far cell, spelled every way a reader accepts.
FAR_SPELLINGS = {
    "quotes and spaces": "<row r = '1048576'><c r = 'XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>",
    "lower case": '<row r="1048576"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "no references": "<row>"
    + '<c t="inlineStr"><is><t>x</t></is></c>' * 250
    + '</row><row r="300"><c r="A300"><v>1</v></c></row>',
    "namespace prefix": '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="5">'
    '<x:c r="XFD5" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>',
    "reference after other attributes": '<row r="9"><c t="inlineStr" r="GS9"><is><t>x</t></is></c></row>',
    "row without cells": '<row r="900000" spans="1:3"></row>',
}


def far_spelling_xlsx(path: Path, spelling: str) -> Path:
    header = row_xml(1, ["统一社会信用代码", "企业名称", "所属街道"])
    return write_workbook(path, sheet_xml(header + FAR_SPELLINGS[spelling]))


def declared_dimension_xlsx(path: Path, rows: list[dict], dimension: str = "A1:XFD1048576") -> Path:
    return write_workbook(path, survey_sheet(rows, dimension=dimension))


def survey_xlsx_raw(path: Path, rows: list[dict]) -> Path:
    """Survey rows written without a library's checks: a cell may hold _x0000_ (NUL) or &#1;."""
    body = row_xml(1, SURVEY_HEADERS)
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            cell(f"{column_letters(k)}{number}", str(row[h])) for k, h in enumerate(SURVEY_HEADERS, 1) if row.get(h)
        )
        body += f'<row r="{number}">{cells}</row>'
    return write_workbook(path, sheet_xml(body))


def csv_with_cells(path: Path, rows: list[dict], *, headers: list[str] = SURVEY_HEADERS) -> Path:
    """A CSV written as given: NUL bytes and all."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def roster_zip_bomb(path: Path, size: int = 120 * 1024 * 1024) -> Path:
    """A well-formed roster whose sheet inflates to `size` bytes (blank space
    between the rows): a few hundred KB on the wire."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        head, tail = sheet_xml(row_xml(1, ROSTER_HEADERS) + "\0").encode().split(b"\0")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(head)
            block = b" " * (1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)
            member.write(tail)
    return path


def roster_far_cell(path: Path) -> Path:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_workbook(path, sheet_xml(row_xml(1, ROSTER_HEADERS) + far))


def roster_rows(path: Path, rows: list[list]) -> Path:
    body = row_xml(1, ROSTER_HEADERS)
    for number, values in enumerate(rows, start=2):
        body += row_xml(number, values)
    return write_workbook(path, sheet_xml(body))


# --- entities, forged sizes, programs under a spreadsheet's name ----------------------


def _laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return "<!DOCTYPE lolz [" + "".join(entities) + "]>"


def _with_doctype(sheet: str, doctype: str, reference: str) -> str:
    """The sheet with a document type after the XML declaration and an entity
    reference at the start of the first data row's first text."""
    declaration, rest = sheet.split("?>", 1)
    second_row = rest.index("<row", rest.index("</row>"))
    first_text = rest.index("<t>", second_row) + 3
    return declaration + "?>" + doctype + rest[:first_text] + reference + rest[first_text:]


def billion_laughs_xlsx(path: Path, sheet: str) -> Path:
    """Ten levels of ten references each: 10**9 "lol"s for a parser that expands them."""
    return write_workbook(path, _with_doctype(sheet, _laughs(), "&lol9;"))


def external_entity_xlsx(path: Path, sheet: str) -> Path:
    """XXE: a cell whose text is a local file's content, for a parser that fetches it."""
    doctype = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return write_workbook(path, _with_doctype(sheet, doctype, "&secret;"))


def shared_strings_entity_xlsx(path: Path, sheet: str) -> Path:
    """The document type in the shared strings part, which no sheet scan reads."""
    write_workbook(path, sheet)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&secret;</t></si></sst>',
        )
    return path


def forged_directory_xlsx(path: Path, sheet: str, *, real_size: int = 80 * 1024 * 1024) -> Path:
    """A sheet that inflates to `real_size` bytes while the zip's central
    directory and local header say 2 KB: a size check that trusts the
    directory lets it through; an unpacker that trusts the stream fills memory."""
    head, tail = sheet.encode().split(b"</sheetData>")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as member:
            member.write(head)
            block = b" " * (1024 * 1024)
            for _ in range(real_size // len(block)):
                member.write(block)
            member.write(b"</sheetData>" + tail)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    forged = (2048).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + length] == name:
            data[central + 24 : central + 28] = forged
            local = int.from_bytes(data[central + 42 : central + 46], "little")
            data[local + 22 : local + 26] = forged
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


def program_named_xlsx(path: Path) -> Path:
    """A Windows program saved under a spreadsheet's name."""
    path.write_bytes(
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"This program cannot be run in DOS mode.\r\n"
        + bytes(512)
    )
    return path
