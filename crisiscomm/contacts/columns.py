"""The columns of a press contact list: which field a header names (Vietnamese or English, folded), the outlet
type a text suggests, and the column mapping the user confirms (header row, column → field, default type).
"""
import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from ..errors import ValidationError
from ..text import fold
from . import service
from .models import BROADCAST, CENTRAL_RESIDENT, MINISTRY_LEVEL, ONLINE, OUTLET_TYPES, PROVINCIAL

# (field, Vietnamese header used on export, English header)
COLUMNS = [
    ("full_name", "Họ và tên", "Full name"),
    ("outlet", "Cơ quan báo chí", "Outlet"),
    ("outlet_type", "Loại hình", "Outlet type"),
    ("position", "Chức vụ", "Position"),
    ("beat", "Lĩnh vực phụ trách", "Beat"),
    ("phones", "Điện thoại", "Phones"),
    ("email", "Email", "Email"),
    ("notes", "Ghi chú", "Notes"),
    ("last_verified_at", "Xác minh lần cuối", "Last verified"),
]
FIELDS = tuple(f for f, _vi, _en in COLUMNS)
IGNORE = ""  # a column that is not imported (STT, a signature column…)
MULTI = ("phones", "notes")  # several columns may feed these: "Di động" and "Cơ quan", two note columns
REQUIRED = ("full_name", "outlet")
HEADER_SCAN_ROWS = 25

# Header names seen in provincial lists, besides the export's own names (matched folded, see header_key).
HEADER_ALIASES = {
    IGNORE: ("STT", "TT", "Số TT", "Số thứ tự", "No", "No.", "#"),
    "full_name": ("Họ tên", "Tên", "Họ và tên phóng viên", "Phóng viên", "Tên phóng viên", "Người liên hệ",
                  "Name", "Contact", "Journalist", "Reporter"),
    "outlet": ("Cơ quan", "Cơ quan báo chí", "Tên cơ quan báo chí", "Cơ quan công tác", "Đơn vị",
               "Đơn vị công tác", "Nơi công tác", "Báo", "Báo, đài", "Cơ quan báo chí/Đơn vị", "Media",
               "Media outlet", "Organisation", "Organization", "Newspaper"),
    "outlet_type": ("Loại hình báo chí", "Loại hình cơ quan", "Loại", "Type", "Media type"),
    "position": ("Chức danh", "Chức vụ, chức danh", "Chức vụ/Chức danh", "Title", "Job title", "Role"),
    "beat": ("Lĩnh vực", "Mảng phụ trách", "Phụ trách", "Chuyên mục", "Topics"),
    "phones": ("Số điện thoại", "SĐT", "SDT", "ĐT", "Điện thoại di động", "Di động", "ĐTDĐ",
               "Điện thoại liên hệ", "Phone", "Phone number", "Mobile", "Tel", "Telephone"),
    "email": ("E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử", "Mail", "Hộp thư"),
    "notes": ("Ghi chú", "Notes", "Note", "Remarks", "Comments"),
    "last_verified_at": ("Ngày xác minh", "Xác minh", "Verified"),
}


def field_labels():
    return {IGNORE: _l("(not imported)"), "full_name": _l("Full name"), "outlet": _l("Outlet"), "outlet_type": _l("Outlet type"),
            "position": _l("Position"), "beat": _l("Beat / topics"), "phones": _l("Phones"), "email": _l("Email"),
            "notes": _l("Notes"), "last_verified_at": _l("Last verified")}


def header_key(text):
    """'Điện thoại (di động)*' → 'dien thoai': folded, without brackets, punctuation or extra spaces."""
    if not isinstance(text, str):
        return ""
    key = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", fold(text))
    return re.sub(r"\s+", " ", re.sub(r"[^0-9a-z#]+", " ", key)).strip()


def alias_index(columns, aliases):
    """header_key → field for a list's ``columns`` [(field, Vietnamese, English)] and their other ``aliases``
    {field: names} (the network's school lists read their columns the same way)."""
    index = {}
    for field, names in aliases.items():
        for name in names:
            index[header_key(name)] = field
    for field, vi, en in columns:
        for name in (field, vi, en, field.replace("_", " ")):
            index[header_key(name)] = field
    index.pop("", None)
    return index


_ALIASES = alias_index(COLUMNS, HEADER_ALIASES)


def guess_field(header, remembered=None, index=None):
    """The field a header names (IGNORE for STT), the Department's remembered choice first; None if unknown.
    ``index``: another list's alias_index (the contacts' by default)."""
    index = _ALIASES if index is None else index
    key = header_key(header)
    if not key:
        return None
    if remembered and key in remembered:
        return remembered[key]
    if key in index:
        return index[key]
    # "Điện thoại cơ quan", "Email liên hệ": a known name followed by more words
    best = max((k for k in index if key.startswith(k + " ") and index[k] != IGNORE), key=len, default=None)
    return index[best] if best else None


def type_aliases():
    aliases = {}
    for code in OUTLET_TYPES:
        for name in (code, service.OUTLET_TYPE_VI[code], service.OUTLET_TYPE_EN[code]):
            aliases[fold(name)] = code
    return aliases


# Words in an outlet's name (or a type cell, or a section heading) that say its type; first match wins.
_TYPE_HINTS = (
    (MINISTRY_LEVEL, ("giao duc va thoi dai", "giao duc thoi dai", "tap chi giao duc", "bo giao duc", "cap bo")),
    (CENTRAL_RESIDENT, ("dai doan ket",)),
    (BROADCAST, ("truyen hinh", "phat thanh", "ptth", "pt th", "dai pt", "vtv", "vov", "htv", "radio",
                 "television", " tv ")),
    (ONLINE, ("dien tu", "trang tin", "online", "vnexpress", "dan tri", "dantri", "vietnamnet", "zing",
              "vtc news", "vietnamplus", "kenh14", "tien phong dien tu", ".vn ", ".com ", ".net ")),
    (CENTRAL_RESIDENT, ("thuong tru", "van phong dai dien", "vpdd", "trung uong", "nhan dan", "tuoi tre",
                        "thanh nien", "tien phong", "lao dong", "quan doi nhan dan", "cong an nhan dan", "ttxvn",
                        "thong tan xa", "phap luat viet nam", "nong thon ngay nay", "dan viet")),
    (PROVINCIAL, ("dia phuong", "bao tinh", "cap tinh")),
)


def infer_outlet_type(text, department=None):
    """The outlet type an outlet's name (or a section heading) implies, or None."""
    key = " " + fold(text) + " " if isinstance(text, str) else ""
    if not key.strip():
        return None
    for code, hints in _TYPE_HINTS:
        if any(h in key for h in hints):
            return code
    province = fold(getattr(department, "province", "") or "")
    province = re.sub(r"^(tinh|thanh pho|tp\.?) ", "", province)
    if province and f" {province} " in key:
        return PROVINCIAL
    return None


# --- the column mapping -------------------------------------------------------------------------------

def column_letter(index):
    return get_column_letter(index + 1)


def row_cells(table, number):
    for n, cells in table.rows:
        if n == number:
            return cells
    return []


def find_header(table, remembered=None):
    """Row number of the header among the first rows: the first that names the full name and one more field."""
    for number, cells in table.rows:
        if number > HEADER_SCAN_ROWS:
            break
        known = {guess_field(c, remembered) for c in cells if isinstance(c, str)} - {None}
        if "full_name" in known and len(known) >= 2:
            return number
    return None


def propose_mapping(table, remembered=None, header_row=None):
    """The mapping to show first: header found (or the given row), each column's field guessed (remembered
    choices first)."""
    headers_memory = remembered.headers if remembered is not None else {}
    header_row = header_row or find_header(table, headers_memory)
    columns, taken = {}, set()
    if header_row:
        for i, header in enumerate(row_cells(table, header_row)):
            field = guess_field(header, headers_memory)
            if not field or (field in taken and field not in MULTI):
                continue
            columns[column_letter(i)] = field
            taken.add(field)
    default = remembered.default_outlet_type if remembered is not None else None
    return {"header_row": header_row, "columns": columns,
            "default_outlet_type": default if default in OUTLET_TYPES else CENTRAL_RESIDENT}


def clean_mapping(table, mapping):
    """A mapping sent by the user (web form or API): {"header_row": n, "columns": {"B": "full_name", …},
    "default_outlet_type": code}. Columns may be named by letter or by their header text. Raises
    ValidationError naming the bad part."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("The column mapping is not valid."), fields={"mapping": _("expected an object")})
    errors = {}
    header_row = mapping.get("header_row")
    if isinstance(header_row, str) and header_row.strip().isdecimal():
        header_row = int(header_row.strip())
    if not isinstance(header_row, int) or isinstance(header_row, bool) or not 1 <= header_row <= HEADER_SCAN_ROWS \
            or not any(c for c in row_cells(table, header_row)):
        errors["header_row"] = _("the number of a non-empty row among the first %(n)s", n=HEADER_SCAN_ROWS)
        header_row = None
    headers = row_cells(table, header_row) if header_row else []
    by_header = {header_key(h): column_letter(i) for i, h in reversed(list(enumerate(headers))) if header_key(h)}
    width = max(table.width, 1)
    columns, taken = {}, set()
    raw_columns = mapping.get("columns") or {}
    if not isinstance(raw_columns, dict):
        errors["columns"] = _("expected an object: column → field")
        raw_columns = {}
    for name, field in raw_columns.items():
        letter = str(name).strip().upper()
        if not re.fullmatch(r"[A-Z]{1,3}", letter) or column_index_from_string(letter) > width:
            letter = by_header.get(header_key(str(name)))
        if letter is None:
            errors["columns"] = _("no column %(name)s in the file", name=str(name)[:40])
            continue
        field = field or IGNORE
        if field not in FIELDS and field != IGNORE:
            errors["columns"] = _("unknown field %(field)s", field=str(field)[:40])
            continue
        if field != IGNORE and field in taken and field not in MULTI:
            errors["columns"] = _("%(field)s is chosen for two columns", field=field_labels()[field])
            continue
        taken.add(field)
        if field != IGNORE:
            columns[letter] = field
    missing = [field_labels()[f] for f in REQUIRED if f not in taken]
    if missing and "columns" not in errors:
        errors["columns"] = _("choose a column for: %(fields)s", fields=", ".join(str(m) for m in missing))
    default = mapping.get("default_outlet_type") or CENTRAL_RESIDENT
    if default not in OUTLET_TYPES:
        errors["default_outlet_type"] = _("one of %(values)s", values=", ".join(OUTLET_TYPES))
    if errors:
        raise ValidationError(_("Please correct the column mapping."), fields=errors)
    return {"header_row": header_row, "columns": columns, "default_outlet_type": default}


def describe_columns(table, mapping, samples=3):
    """Every column of the file for the mapping step: letter, header, chosen field, a few values below it."""
    header_row = mapping.get("header_row") or 0
    headers = row_cells(table, header_row) if header_row else []
    described = []
    for i in range(table.width):
        values = []
        for number, cells in table.rows:
            if number <= header_row or i >= len(cells) or not cells[i]:
                continue
            filled = [c for c in cells if c]
            if len(filled) > 1 and len(set(filled)) == 1:
                continue  # a heading merged across the row says nothing about this column
            value = cells[i].strftime("%d/%m/%Y") if isinstance(cells[i], datetime) else cells[i]
            if value not in values:
                values.append(value[:80])
            if len(values) >= samples:
                break
        header = headers[i] if i < len(headers) and isinstance(headers[i], str) else ""
        described.append({"column": column_letter(i), "header": header,
                          "field": mapping.get("columns", {}).get(column_letter(i), IGNORE), "samples": values})
    return described


def remembered_headers(table, mapping):
    """header_key → field of a confirmed mapping, to remember for the Department's next file."""
    headers = row_cells(table, mapping["header_row"]) if mapping.get("header_row") else []
    return {header_key(h): mapping["columns"].get(column_letter(i), IGNORE) for i, h in enumerate(headers)
            if isinstance(h, str) and header_key(h)}
