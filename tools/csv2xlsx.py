#!/usr/bin/env python3
"""csv2xlsx — turn a CSV list into the XLSX workbook a spreadsheet program would save.

    python3 tools/csv2xlsx.py LIST.csv OUT.xlsx [--sheet NAME] [--add "SHEET NAME=OTHER.csv" ...]

Used to make the XLSX examples and benchmark inputs from reviewable CSV text, so that no binary workbook is checked
in. Only Python's standard library. The workbook is what Excel writes for such a list: one sheet, texts in the
shared-string table (xml:space="preserve" where spaces or line breaks matter, control characters as _xHHHH_),
numbers as numbers, ISO dates (YYYY-MM-DD) as date serials with a dd/mm/yyyy format, the header row bold and frozen.
A number with a leading zero (a phone number, "0229 3800 123") or too many digits stays text, as it must.
Empty cells are left out; an all-empty CSV row becomes an empty sheet row. --add puts more CSV files on sheets of
their own (a list of achievements keyed by STT, as `vanban batch` reads them: docs/batch.md).
"""
import argparse
import csv
import datetime
import re
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]|_x[0-9A-Fa-f]{4}_")
EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01, past Excel's phantom 1900-02-29


def column(n):
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def xml_text(s):
    # Characters XML 1.0 cannot hold (and a literal "_xHHHH_") are written the OOXML way.
    s = CONTROL.sub(lambda m: "_x005F_" + m.group(0)[1:] if len(m.group(0)) > 1 else "_x%04X_" % ord(m.group(0)), s)
    return escape(s)


def date_serial(text):
    m = DATE.match(text)
    if not m:
        return None
    try:
        return (datetime.date(int(m[1]), int(m[2]), int(m[3])) - EPOCH).days
    except ValueError:
        return None  # 2024-02-31 stays text: the reader reports it


def read_rows(csv_path):
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def convert(csv_path, xlsx_path, sheet_name, more=()):
    strings, index = [], {}

    def shared(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    sheets = [(sheet_name, sheet_xml(read_rows(csv_path), shared))]
    sheets += [(name, sheet_xml(read_rows(path), shared)) for name, path in more]
    write(xlsx_path, sheets, strings)


def sheet_xml(rows, shared):
    # The header row (the first non-empty one) is bold; the rows above it (a title) and below are data.
    header = next((i for i, row in enumerate(rows, start=1) if sum(1 for v in row if v) > 1), 1)
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            if value == "":
                continue
            ref = f"{column(c)}{r}"
            serial = date_serial(value) if r > header else None
            if r == header:
                cells.append(f'<c r="{ref}" s="1" t="s"><v>{shared(value)}</v></c>')
            elif serial is not None:
                cells.append(f'<c r="{ref}" s="2"><v>{serial}</v></c>')
            elif NUMBER.match(value):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{shared(value)}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = max((len(row) for row in rows), default=1)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<dimension ref="A1:{column(width)}{max(len(rows), 1)}"/>'
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{header}" topLeftCell="A{header + 1}" activePane="bottomLeft" state="frozen"/>'
            '</sheetView></sheetViews>'
            f'<sheetData>{"".join(sheet_rows)}</sheetData></worksheet>')


def write(xlsx_path, sheets, strings):
    n = len(sheets)

    sst = [f'<si><t xml:space="preserve">{xml_text(s)}</t></si>' if s != s.strip() or "\n" in s
           else f"<si><t>{xml_text(s)}</t></si>" for s in strings]
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, n + 1)) +
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            '</Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
            '</Relationships>',
        "docProps/core.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>vanban csv2xlsx</dc:creator></cp:coreProperties>',
        "docProps/app.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            '<Application>vanban csv2xlsx</Application></Properties>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets>' + "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                                 for i, (name, _) in enumerate(sheets, start=1)) + '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1)) +
            f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>',
        "xl/styles.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font>'
            '<font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        "xl/sharedStrings.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{"".join(sst)}</sst>',
    }
    for i, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    with zipfile.ZipFile(xlsx_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def main():
    parser = argparse.ArgumentParser(description="Turn a CSV list into an XLSX workbook.")
    parser.add_argument("csv")
    parser.add_argument("xlsx")
    parser.add_argument("--sheet", default="Danh sách", help="the sheet's name (default: Danh sách)")
    parser.add_argument("--add", action="append", default=[], metavar="NAME=FILE.csv",
                        help="one more sheet from another CSV file (repeatable)")
    args = parser.parse_args()
    more = []
    for spec in args.add:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            parser.error(f"--add {spec!r}: write NAME=FILE.csv")
        more.append((name, path))
    convert(args.csv, args.xlsx, args.sheet, more)


if __name__ == "__main__":
    main()
