"""Contact lists as provincial offices keep them, built by the tests: an Excel list with a merged title, a
subtitle, a blank row, the header on row 4, section rows, merged outlet cells, phones typed as numbers and a
signature block; the same list as CSV in each encoding offices produce; and hostile workbooks."""
import csv
import io
import struct
import unicodedata
import zlib

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

TITLE = "DANH SÁCH PHÓNG VIÊN, BÁO CHÍ THƯỜNG TRÚ TRÊN ĐỊA BÀN THÀNH PHỐ HÀ NỘI"
SUBTITLE = "(Cập nhật đến ngày 15/11/2026)"
HEADER = ["STT", "Họ và tên", "Cơ quan báo chí", "Chức vụ", "Điện thoại", "Email", "Ghi chú"]
# (row, cells); None where a merged range continues
OFFICE_ROWS = [
    (5, ["I. BÁO TRUNG ƯƠNG THƯỜNG TRÚ"]),
    (6, [1, "Nguyễn Văn An", "Báo Tuổi Trẻ", "Trưởng văn phòng", 912345678, "an.nv@tuoitre.vn", ""]),
    (7, [2, "Trần Thị Bích Ngọc", None, "Phóng viên", "0983.111.201", "ngoc.ttb@tuoitre.vn", "Phụ trách giáo dục"]),
    (8, [3, "Lê Hải Yến", "Báo Thanh Niên", "Phóng viên", "0977 444 503", "", "Cập nhật ngày 5 tháng 3 năm 2026"]),
    (9, ["II. BÁO, ĐÀI ĐỊA PHƯƠNG"]),
    (10, [4, "Phạm Quốc Huy", "Đài Phát thanh và Truyền hình Hà Nội", "Biên tập viên", "+84 24 3825 0001",
          "huy.pq@hanoitv.vn", ""]),
    (11, [5, "Đỗ Thu Hà", "Báo Hànộimới", "Phóng viên", 936333402, "ha.dt@hanoimoi.vn", "Thi tốt nghiệp THPT"]),
]
FOOTER = [(13, {"E": "Hà Nội, ngày 15 tháng 11 năm 2026"}),
          (14, {"B": "Người lập biểu", "E": "TRƯỞNG PHÒNG"}),
          (17, {"B": "Nguyễn Thị Hoa", "E": "Trần Văn Bình"})]


def office_xlsx():
    """The list as a Department's office keeps it in Excel."""
    wb = Workbook()
    ws = wb.active
    ws.title = "DS phóng viên"
    ws["A1"] = TITLE
    ws.merge_cells("A1:G1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"] = SUBTITLE
    ws.merge_cells("A2:G2")
    for col, text in zip("ABCDEFG", HEADER):
        ws[f"{col}4"] = text
        ws[f"{col}4"].font = Font(bold=True)
    for row, cells in OFFICE_ROWS:
        if len(cells) == 1:
            ws[f"A{row}"] = cells[0]
            ws.merge_cells(f"A{row}:G{row}")
            continue
        for col, value in zip("ABCDEFG", cells):
            if value is not None and value != "":
                ws[f"{col}{row}"] = value
    ws.merge_cells("C6:C7")  # one outlet for two journalists
    for row, cells in FOOTER:
        for col, value in cells.items():
            ws[f"{col}{row}"] = value
    ws.merge_cells("E13:G13")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def office_rows_as_text():
    """The same list as a CSV export of it: merged values repeated, numbers as Excel shows them."""
    rows = [[TITLE], [SUBTITLE], [], HEADER]
    previous = {}
    for _row, cells in OFFICE_ROWS:
        if len(cells) == 1:
            rows.append(cells)
            continue
        out = []
        for i, value in enumerate(cells):
            value = previous.get(i) if value is None else value
            previous[i] = value
            out.append("" if value is None else str(value))
        rows.append(out)
    rows.append([])
    rows.append(["", "", "", "", "Hà Nội, ngày 15 tháng 11 năm 2026"])
    rows.append(["", "Người lập biểu", "", "", "TRƯỞNG PHÒNG"])
    rows.append([])
    rows.append(["", "Nguyễn Thị Hoa", "", "", "Trần Văn Bình"])
    return rows


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text):
    """Windows-1258 as Vietnamese Windows writes it: base letters (â, ơ, đ…) precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


def csv_bytes(rows, encoding, delimiter=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buf.getvalue()
    if encoding == "cp1258":
        return encode_cp1258(text)
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


FOREIGN_ROWS = [["No.", "Full name", "Outlet", "Position", "Phone", "Email"],
                ["1", "François Lefèvre", "Le Monde", "Correspondant", "+33 1 57 28 20 00", "lefevre@lemonde.fr"],
                ["2", "Jürgen Müller", "Süddeutsche Zeitung", "Korrespondent", "+49 89 21830", "mueller@sz.de"],
                ["3", "Inês Conceição", "Público", "Correspondente", "+351 21 011 1000", "ines@publico.pt"]]


@pytest.fixture
def office_files():
    """Builders of the office's files (see the module docstring)."""
    class Files:
        xlsx = staticmethod(office_xlsx)
        rows = staticmethod(office_rows_as_text)
        csv = staticmethod(csv_bytes)
        foreign_rows = FOREIGN_ROWS

    return Files


# --- hostile workbooks -------------------------------------------------------------------------------

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                  '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                  'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                  'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.'
                  'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                  '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship '
                  'Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _zip_parts(parts):
    """A zip of (name, raw deflate bytes, crc32, uncompressed size), written by hand so that a member can be
    far larger unpacked than anything the test keeps in memory."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, raw, crc, size in parts:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0))
        out.write(encoded)
        out.write(raw)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                                  len(encoded), 0, 0, 0, 0, 0, offset))
        central.write(encoded)
    start, directory = out.tell(), central.getvalue()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), start, 0))
    return out.getvalue()


def _deflated(text):
    data = text.encode() if isinstance(text, str) else text
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def hostile_xlsx(sheet_xml, shared_strings=None):
    shared = shared_strings or _deflated(f'<sst {_SHEET_NS} count="0" uniqueCount="0"></sst>')
    parts = [("[Content_Types].xml", *_deflated(_CONTENT_TYPES)), ("_rels/.rels", *_deflated(_RELS)),
             ("xl/workbook.xml", *_deflated(_WORKBOOK)), ("xl/_rels/workbook.xml.rels", *_deflated(_WORKBOOK_RELS)),
             ("xl/worksheets/sheet1.xml", *sheet_xml), ("xl/sharedStrings.xml", *shared)]
    return _zip_parts(parts)


def declared_whole_sheet():
    """1.6 KB: a sheet declaring A1:XFD8000 (openpyxl would pad 8,000 rows to 16,384 cells each)."""
    return hostile_xlsx(_deflated(f'<worksheet {_SHEET_NS}><dimension ref="A1:XFD8000"/><sheetData><row r="1">'
                                  '<c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c></row><row r="8000"><c '
                                  'r="XFD8000" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'))


def shared_strings_bomb(gigabytes=3.9):
    """About 4 MB whose shared strings unpack to ~4 GB: the same compressed block repeated (a full flush between
    blocks makes each block's deflate output identical), so building it costs one MB of compression."""
    block = b"A" * (16 * 1024 * 1024)  # one shared string of 4 GB of "A": deflate's best ratio (~1000:1)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = f'<sst {_SHEET_NS} count="1" uniqueCount="1"><si><t>'.encode()
    tail = b"</t></si></sst>"
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    repeats = int(gigabytes * 1024 ** 3 // len(block))
    size = len(head) + repeats * len(block) + len(tail)  # below 4 GiB: no zip64 needed
    raw = first + piece * repeats + c.compress(tail) + c.flush()
    crc = 0  # never reached: the declared size alone is refused
    sheet = _deflated(f'<worksheet {_SHEET_NS}><dimension ref="A1:A1"/><sheetData><row r="1"><c r="A1" t="s">'
                      '<v>0</v></c></row></sheetData></worksheet>')
    return hostile_xlsx(sheet, (raw, crc, size))


def million_rows(rows=1_500_000, line=b"<row><c><v>1</v></c></row>"):
    """Under a megabyte of zip: 1.5 million rows (no dimension declared), each with one number (or empty rows,
    small enough unpacked to be streamed until the row limit stops them)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc, size, chunks = 0, 0, []

    def add(data):
        nonlocal crc, size
        crc, size = zlib.crc32(data, crc), size + len(data)
        chunks.append(c.compress(data))

    add(f'<worksheet {_SHEET_NS}><sheetData>'.encode())
    batch = line * 10000
    for _ in range(rows // 10000):
        add(batch)
    add(b"</sheetData></worksheet>")
    chunks.append(c.flush())
    return hostile_xlsx((b"".join(chunks), crc, size))


@pytest.fixture
def hostile_files():
    class Files:
        declared_whole_sheet = staticmethod(declared_whole_sheet)
        shared_strings_bomb = staticmethod(shared_strings_bomb)
        million_rows = staticmethod(million_rows)

    return Files
