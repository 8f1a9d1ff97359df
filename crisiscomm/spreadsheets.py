"""The one writer of every CSV and XLSX export: no cell a spreadsheet would run as a formula.

Journalists' names, outlets and subjects come from outside (imported emails), titles from any Department:
a value like ``=HYPERLINK(…)`` or ``+cmd|…`` must stay text when someone opens the export.

- XLSX: every str is written as a text cell (openpyxl would type "=…" as a formula); text starting with
  = + - @ also gets Excel's quote-prefix style, so editing the cell keeps it text. No apostrophe is added:
  the cell type already prevents evaluation. Characters XML cannot carry (C0 controls) are dropped.
- CSV has no cell types: such text gets a leading apostrophe (the usual guard; Excel hides it).

Exports build rows with ``append(ws, values)`` / ``csv_bytes(header, rows)``; nothing else writes cells.
"""
import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralize_csv(value):
    """A CSV value that no spreadsheet evaluates: formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def csv_bytes(header, rows):
    """UTF-8 CSV with a BOM (Excel opens Vietnamese correctly) and CRLF lines; every value neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if header:
        writer.writerow([neutralize_csv(v) for v in header])
    for row in rows:
        writer.writerow([neutralize_csv(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def workbook(title=None):
    """A new workbook; its first sheet is named ``title`` (cut to Excel's 31 characters)."""
    wb = Workbook()
    if title:
        wb.active.title = sheet_title(title)
    return wb


def sheet_title(title):
    return "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet"


def append(ws, values, bold=False):
    """Append one row; text stays text (never a formula), numbers and dates keep their types."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    row = ws.max_row
    for cell in ws[row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if is_formula_like(cell.value):
                cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)
    return row


def xlsx_bytes(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
