"""Reading a contact list (CSV or XLSX) into rows of text, within fixed bounds of memory and time.

Nothing is parsed before its size is known: an XLSX's parts are checked against their declared
uncompressed sizes (zip bombs, shared strings that unpack to gigabytes) and its sheet's declared
dimension (A1:XFD8000) before openpyxl reads a row; rows are then streamed and reading stops at the
row limit. A CSV is at most the upload limit; its encoding is detected (UTF-8 with or without BOM,
UTF-16, Windows-1258, Windows-1252) and reported. All text comes out NFC-normalised, merged cells
fill their whole range.
"""
import codecs
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from ..errors import ValidationError

MAX_ROWS = 5000  # contacts in one file
MAX_SHEET_ROWS = MAX_ROWS + 200  # rows read at most: the title, header and footer rows around the contacts
MAX_COLUMNS = 100
MAX_CELL_CHARS = 5000
MAX_XLSX_PARTS = 300
MAX_XLSX_SHEET_BYTES = 24 * 1024 * 1024  # the first sheet, uncompressed (5,000 rows are about 3 MB)
MAX_XLSX_PART_BYTES = 8 * 1024 * 1024  # every other part (shared strings, styles…), uncompressed
MAX_XLSX_TOTAL_BYTES = 48 * 1024 * 1024
MAX_MERGED_RANGES = 5000

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "cp1258": "Windows-1258",
                   "cp1252": "Windows-1252"}


@dataclass
class Table:
    format: str  # "csv" or "xlsx"
    rows: list = field(default_factory=list)  # [(row number as the user sees it, [cell, …])], blank rows included
    encoding: str | None = None  # CSV only: a key of ENCODING_LABELS

    @property
    def encoding_label(self):
        return ENCODING_LABELS.get(self.encoding) if self.encoding else None

    @property
    def width(self):
        return max((len(cells) for _n, cells in self.rows), default=0)


def _refuse(message, problem):
    raise ValidationError(message, fields={"file": problem})


def detect_format(filename, data):
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            _refuse(_("This is not an Excel .xlsx file."), _("not a valid .xlsx file"))
        return "xlsx"
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    if name.endswith(".xls"):
        _refuse(_("Old Excel .xls files cannot be read: save the list as .xlsx or CSV."),
                _("only .csv and .xlsx files are accepted"))
    _refuse(_("Unsupported file type: upload a .csv or .xlsx file."), _("only .csv and .xlsx files are accepted"))


def text_of(value):
    """A cell as NFC text (dates stay datetimes): numbers typed as numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text[:MAX_CELL_CHARS]


def read_table(filename, data):
    fmt = detect_format(filename, data)
    table = _read_csv(data) if fmt == "csv" else _read_xlsx(data)
    if not any(any(c for c in cells) for _n, cells in table.rows):
        _refuse(_("The file is empty."), _("no rows"))
    return table


# --- CSV -------------------------------------------------------------------------------------------

def decode(data):
    """(text, encoding key) of a CSV file. UTF-8 is tried first (it never decodes by accident); legacy
    Vietnamese (Windows-1258) and Western (Windows-1252) files are told apart by charset-normalizer."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            if b"\x00" in data:
                _refuse(_("This is not a CSV text file."), _("binary content"))
            from charset_normalizer import from_bytes

            best = from_bytes(data, cp_isolation=["cp1258", "cp1252"]).best()
            if best is None:
                _refuse(_("The CSV file's character encoding is not recognised."),
                        _("save the CSV as UTF-8 (Excel: CSV UTF-8)"))
            encoding = best.encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        _refuse(_("The CSV file's character encoding is not recognised."),
                _("save the CSV as UTF-8 (Excel: CSV UTF-8)"))
    if "\x00" in text:
        _refuse(_("This is not a CSV text file."), _("binary content"))
    # Windows-1258 writes tone marks as combining characters: NFC makes "Nguyễn" one spelling
    return unicodedata.normalize("NFC", text.lstrip("\ufeff")), encoding


def _delimiter(text):
    sample = text[:20000].split("\n")[:40]
    counts = {d: sum(line.count(d) for line in sample) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data):
    text, encoding = decode(data)
    rows = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)),
                                        start=1):
            if number > MAX_SHEET_ROWS:
                _too_many_rows()
            rows.append((number, [text_of(v) for v in record[:MAX_COLUMNS]]))
    except csv.Error as exc:
        _refuse(_("The CSV file cannot be read."), str(exc))
    return Table("csv", rows, encoding)


def _too_many_rows():
    _refuse(_("Too many rows."), _("at most %(n)s contacts per file", n=MAX_ROWS))


# --- XLSX ------------------------------------------------------------------------------------------

def _check_archive(data):
    """Refuse, from the zip directory alone, a workbook that would unpack to more than the bounds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse(_("The Excel file cannot be read."), _("not a valid .xlsx workbook"))
    too_big = _("The Excel file is too large once unpacked.")
    if len(infos) > MAX_XLSX_PARTS:
        _refuse(too_big, _("%(n)s parts in the workbook", n=len(infos)))
    total = 0
    for info in infos:
        total += info.file_size
        limit = MAX_XLSX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else MAX_XLSX_PART_BYTES
        if info.file_size > limit:
            _refuse(too_big, _("%(part)s unpacks to %(mb)s MB (at most %(max)s MB)", part=info.filename[:80],
                               mb=info.file_size // (1024 * 1024), max=limit // (1024 * 1024)))
    if total > MAX_XLSX_TOTAL_BYTES:
        _refuse(too_big, _("the workbook unpacks to %(mb)s MB (at most %(max)s MB)", mb=total // (1024 * 1024),
                           max=MAX_XLSX_TOTAL_BYTES // (1024 * 1024)))


def _declared_dimension(archive, path):
    """(max_col, max_row) the sheet declares, read from its first elements (openpyxl would read the whole sheet
    to find it), or (None, None)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    with archive.open(path) as src:
        for _event, element in iterparse(src, events=("start",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "dimension":
                try:
                    _c, _r, max_col, max_row = range_boundaries(element.get("ref", ""))
                    return max_col, max_row
                except (ValueError, TypeError):
                    return None, None
            if tag == "sheetData":
                return None, None
    return None, None


def _read_xlsx(data):
    _check_archive(data)
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = None
    try:
        # openpyxl's own reader, without its read_worksheets(): that would read every sheet in full to
        # measure one that declares no dimension
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        path = next(rel.target for _sheet, rel in reader.parser.find_sheets()
                    if rel.target in reader.valid_files and "chartsheet" not in rel.Type)
        max_col, max_row = _declared_dimension(reader.archive, path)
        if (max_col or 0) > MAX_COLUMNS or (max_row or 0) > MAX_SHEET_ROWS:
            _refuse(_("The sheet is too large."),
                    _("the sheet declares %(rows)s rows and %(cols)s columns (at most %(max_rows)s rows and "
                      "%(max_cols)s columns)", rows=max_row, cols=max_col, max_rows=MAX_SHEET_ROWS,
                      max_cols=MAX_COLUMNS))
        cells = {}
        # The parser streams the sheet's XML; merged ranges come after the rows, so it is read to the end.
        with reader.archive.open(path) as src:
            wb = reader.wb
            parser = WorkSheetParser(src, reader.shared_strings, data_only=True, epoch=wb.epoch,
                                     date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            for number, row in parser.parse():
                if number > MAX_SHEET_ROWS:
                    _too_many_rows()
                values = {c["column"]: c["value"] for c in row if c["column"] <= MAX_COLUMNS
                          and c["value"] is not None}
                if values:
                    cells[number] = values
            merged = parser.merged_cells
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
        _refuse(_("The Excel file cannot be read."), _("not a valid .xlsx workbook"))
    finally:
        if reader is not None and getattr(reader, "archive", None) is not None:
            reader.archive.close()
    ranges = list(getattr(merged, "mergeCell", None) or [])
    if len(ranges) > MAX_MERGED_RANGES:
        _refuse(_("The sheet is too large."), _("more than %(n)s merged cell ranges", n=MAX_MERGED_RANGES))
    _fill_merged(cells, [r.ref for r in ranges])
    last = max(cells, default=0)
    width = max((max(v) for v in cells.values()), default=0)
    rows = [(n, [text_of(cells.get(n, {}).get(col)) for col in range(1, width + 1)]) for n in range(1, last + 1)]
    return Table("xlsx", rows)


def _fill_merged(cells, refs):
    """A merged range shows its first cell's value in every cell: the outlet merged over three
    journalists belongs to each of them."""
    from openpyxl.utils.cell import range_boundaries

    last = max(cells, default=0)
    width = max((max(v) for v in cells.values()), default=0)
    budget = MAX_SHEET_ROWS * 20  # cells filled in all: ranges are clipped to the sheet's content
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(str(ref))
        except (ValueError, TypeError):
            continue
        value = cells.get(min_row, {}).get(min_col)
        if value is None:
            continue
        max_row, max_col = min(max_row, last), min(max_col, width)
        budget -= max(0, max_row - min_row + 1) * max(0, max_col - min_col + 1)
        if budget < 0:
            _refuse(_("The sheet is too large."), _("more than %(n)s merged cell ranges", n=MAX_MERGED_RANGES))
        for r in range(min_row, max_row + 1):
            row = cells.setdefault(r, {})
            for c in range(min_col, max_col + 1):
                row.setdefault(c, value)
