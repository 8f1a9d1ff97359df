"""Import (CSV, XLSX) and export (CSV, XLSX, vCard) of press contacts.

Import reads the lists offices really keep: a merged title and a subtitle above the header (found
wherever it is in the first rows), merged cells, phone numbers typed as numbers, section rows
("I. BÁO TRUNG ƯƠNG"), a signature block below the table. Columns are mapped to fields from their
Vietnamese or English names (the user confirms or corrects the mapping; the Department's last mapping
is remembered). Every row is checked first (row number, column, problem) and written all or nothing,
unless the caller asks for only the valid rows. Exported files carry Vietnamese headers and outlet-type
names, so an export imports back as the same contacts.
"""
import csv
import io
import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from .. import spreadsheets
from ..clock import from_local, now, to_local
from ..errors import ValidationError
from ..extensions import db
from ..spreadsheets import FORMULA_START
from ..text import fold
from . import imports, service
from .models import BROADCAST, CENTRAL_RESIDENT, MINISTRY_LEVEL, ONLINE, OUTLET_TYPES, PROVINCIAL
from .tables import MAX_ROWS, read_table

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
ON_DUPLICATE = ("skip", "import")

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


def _alias_index():
    index = {}
    for field, names in HEADER_ALIASES.items():
        for name in names:
            index[header_key(name)] = field
    for field, vi, en in COLUMNS:
        for name in (field, vi, en, field.replace("_", " ")):
            index[header_key(name)] = field
    index.pop("", None)
    return index


_ALIASES = _alias_index()


def guess_field(header, remembered=None):
    """The field a header names (IGNORE for STT), the Department's remembered choice first; None if unknown."""
    key = header_key(header)
    if not key:
        return None
    if remembered and key in remembered:
        return remembered[key]
    if key in _ALIASES:
        return _ALIASES[key]
    # "Điện thoại cơ quan", "Email liên hệ": a known name followed by more words
    best = max((k for k in _ALIASES if key.startswith(k + " ") and _ALIASES[k] != IGNORE), key=len, default=None)
    return _ALIASES[best] if best else None


def _type_aliases():
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

def _letter(index):
    return get_column_letter(index + 1)


def _cells(table, number):
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
        for i, header in enumerate(_cells(table, header_row)):
            field = guess_field(header, headers_memory)
            if not field or (field in taken and field not in MULTI):
                continue
            columns[_letter(i)] = field
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
            or not any(c for c in _cells(table, header_row)):
        errors["header_row"] = _("the number of a non-empty row among the first %(n)s", n=HEADER_SCAN_ROWS)
        header_row = None
    headers = _cells(table, header_row) if header_row else []
    by_header = {header_key(h): _letter(i) for i, h in reversed(list(enumerate(headers))) if header_key(h)}
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
    headers = _cells(table, header_row) if header_row else []
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
        described.append({"column": _letter(i), "header": header,
                          "field": mapping.get("columns", {}).get(_letter(i), IGNORE), "samples": values})
    return described


def remembered_headers(table, mapping):
    """header_key → field of a confirmed mapping, to remember for the Department's next file."""
    headers = _cells(table, mapping["header_row"]) if mapping.get("header_row") else []
    return {header_key(h): mapping["columns"].get(_letter(i), IGNORE) for i, h in enumerate(headers)
            if isinstance(h, str) and header_key(h)}


# --- reading the rows -------------------------------------------------------------------------------

# A row that starts the signature block, whatever else it holds; and a place-and-date line ("Hà Nội, ngày 15 tháng
# 11 năm 2026"), unless the row is a journalist's (whose note may carry a date).
_FOOTER = re.compile(r"^(nguoi lap|lap bieu|thu truong|giam doc|pho giam doc|ky ten|ky,? ghi ro|tong cong|tong so|"
                     r"xac nhan|noi nhan|ghi chu:|tm\.? |kt\.? |q\. ?giam doc)")
_DATE_LINE = re.compile(r"ngay \S+ thang \S+ nam")
_SECTION = re.compile(r"^([ivxlc]+|[a-z]|\d{1,2})[.)/]\s")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def _unescape(value):
    """Undo the export's formula guard: "'=..." back to "=..."."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _parse_date(value):
    if isinstance(value, datetime):
        return from_local(value)
    text = (value or "").strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y",
                    "%d.%m.%Y"):
        try:
            return from_local(datetime.strptime(text, pattern))
        except ValueError:
            continue
    raise ValueError(text)


def row_text(cells):
    return " · ".join(dict.fromkeys(c.strftime("%d/%m/%Y") if isinstance(c, datetime) else c
                                    for c in cells if c))[:200]


def _problem(problem):
    """A problem the contacts service reported (English, for the API) in the reader's language."""
    fixed = {"required": _("required"), "expected text": _("expected text"),
             "not a valid email address": _("not a valid email address")}
    if problem in fixed:
        return fixed[problem]
    match = re.fullmatch(r"at most (\d+) characters", problem)
    if match:
        return _("at most %(n)s characters", n=match.group(1))
    match = re.fullmatch(r"at most (\d+) numbers", problem)
    if match:
        return _("at most %(n)s phone numbers", n=match.group(1))
    match = re.fullmatch(r"not a phone number: (.*)", problem, re.S)
    if match:
        return _("not a phone number: %(value)s", value=match.group(1))
    return problem


def check_file(*, department, filename, data, mapping=None, default_outlet_type=None):
    """Read and check every row with ``mapping`` (None: the proposed one, the Department's remembered choices
    first). Returns a report:

    {"format", "encoding", "mapping", "columns", "total", "rows": [{"row", "values", "duplicate", "type_source"}],
     "errors": [{"row", "column", "problem"}], "skipped": [{"row", "kind", "text"}],
     "duplicates": [{"row", "column", "value", "existing_id"|"same_as_row", "existing_name"}]}
    Raises ValidationError (with the mapping and columns) when no header row or required column is found.
    """
    table = read_table(filename, data)
    if mapping is None:
        mapping = propose_mapping(table, imports.remembered(department))
        if default_outlet_type:
            if default_outlet_type not in OUTLET_TYPES:
                raise ValidationError(_("Please correct the column mapping."), fields={
                    "default_outlet_type": _("one of %(values)s", values=", ".join(OUTLET_TYPES))})
            mapping["default_outlet_type"] = default_outlet_type
        if mapping["header_row"] is None or any(f not in mapping["columns"].values() for f in REQUIRED):
            labels = field_labels()
            missing = [str(labels[f]) for f in REQUIRED if f not in mapping["columns"].values()]
            raise ValidationError(
                _("The columns could not be recognised: choose them in the column mapping."),
                fields={"header_row": _("header row not found in the first %(n)s rows", n=HEADER_SCAN_ROWS)}
                if mapping["header_row"] is None else {"columns": _("choose a column for: %(fields)s",
                                                                     fields=", ".join(missing))},
                mapping=mapping, columns=describe_columns(table, mapping), encoding=table.encoding_label)
    else:
        mapping = clean_mapping(table, mapping)
    header_row = mapping["header_row"]
    headers = _cells(table, header_row)
    fields_at = {}
    for letter, field in mapping["columns"].items():
        fields_at.setdefault(field, []).append(column_index_from_string(letter) - 1)
    header_of = {field: (headers[idx[0]] if idx[0] < len(headers) and headers[idx[0]] else _letter(idx[0]))
                 for field, idx in fields_at.items()}
    types = _type_aliases()
    existing = {}
    for c in service.department_contacts(department.id):
        for key in service.match_keys(c):
            existing.setdefault(key, c)
    seen_in_file, valid, duplicates, errors, skipped = {}, [], [], [], []
    total, section_type, after_table, blank_after_data = 0, None, False, False
    for row_no, cells in table.rows:
        if row_no < header_row:
            if any(cells):
                skipped.append({"row": row_no, "kind": "above_header", "text": row_text(cells)})
            continue
        if row_no == header_row:
            continue
        if not any(cells):
            blank_after_data = blank_after_data or bool(total)
            continue
        text = row_text(cells)
        raw = {}
        for field, idx in fields_at.items():
            values = [_unescape(cells[i]) for i in idx if i < len(cells) and cells[i] not in ("", None)]
            if field in MULTI:
                raw[field] = ("; " if field == "phones" else "\n").join(str(v) for v in values) or None
            else:
                raw[field] = values[0] if values else None
        looks_like_contact = bool(raw.get("full_name")) and any(raw.get(f) for f in ("outlet", "phones", "email"))
        folded = fold(text)
        if after_table or _FOOTER.search(folded) or (not looks_like_contact and (
                blank_after_data or _DATE_LINE.search(folded))):
            after_table = True  # the signature block and whatever follows it
            skipped.append({"row": row_no, "kind": "after_table", "text": text})
            continue
        distinct = {c for c in cells if c}
        if not total and all(isinstance(c, str) and guess_field(c) is not None for c in distinct):
            # the header's second row: "Di động" / "Cơ quan" under "Điện thoại", or a vertically merged header
            skipped.append({"row": row_no, "kind": "header", "text": text})
            continue
        if all(isinstance(c, str) and _COLUMN_NUMBER.match(c) for c in distinct) and len(distinct) >= 3:
            skipped.append({"row": row_no, "kind": "column_numbers", "text": text})
            continue
        if len(distinct) == 1:
            # one value across merged cells, or a lone numbered or upper-case heading: "I. BÁO TRUNG ƯƠNG"
            value = next(iter(distinct))
            if isinstance(value, str) and (sum(1 for c in cells if c) > 1 or (not looks_like_contact and (
                    _SECTION.match(fold(value)) or (value.isupper() and len(value) > 3)))):
                section_type = infer_outlet_type(value, department) or section_type
                skipped.append({"row": row_no, "kind": "section", "text": text})
                continue
        if not any(raw.values()):
            continue  # only the STT column filled: a numbered empty row of the template
        total += 1
        row_errors = []
        type_text = raw.get("outlet_type")
        outlet_type, type_source = None, "column"
        if isinstance(type_text, str) and type_text.strip():
            outlet_type = types.get(fold(type_text)) or infer_outlet_type(type_text)
            if outlet_type is None:
                row_errors.append(("outlet_type", _("unknown outlet type: %(value)s (allowed: %(allowed)s)",
                                                    value=type_text[:60],
                                                    allowed=", ".join(service.OUTLET_TYPE_VI.values()))))
        else:
            # the outlet's own name says most ("Đài PT-TH" under "BÁO, ĐÀI ĐỊA PHƯƠNG"), then its section
            outlet_type, type_source = infer_outlet_type(raw.get("outlet"), department), "outlet"
            if outlet_type is None:
                outlet_type, type_source = section_type, "section"
            if outlet_type is None:
                outlet_type, type_source = mapping["default_outlet_type"], "default"
        verified = None
        if raw.get("last_verified_at") not in (None, ""):
            try:
                verified = _parse_date(raw["last_verified_at"])
            except ValueError:
                row_errors.append(("last_verified_at", _("not a date (dd/mm/yyyy)")))
        values = {"full_name": raw.get("full_name") or "", "outlet": raw.get("outlet") or "",
                  "outlet_type": outlet_type or OUTLET_TYPES[0], "position": raw.get("position"),
                  "beat": raw.get("beat"), "phones": raw.get("phones"), "email": raw.get("email"),
                  "notes": raw.get("notes"), "last_verified_at": None}
        for k in ("full_name", "outlet", "position", "beat", "phones", "email", "notes"):
            if isinstance(values[k], datetime):
                values[k] = values[k].strftime("%d/%m/%Y")
            elif values[k] is not None and not isinstance(values[k], str):
                values[k] = str(values[k])
        try:
            clean = service._clean(values)
        except ValidationError as exc:
            row_errors.extend((field, _problem(problem)) for field, problem in exc.fields.items())
            clean = None
        if row_errors:
            for field, problem in row_errors:
                errors.append({"row": row_no, "column": header_of.get(field, str(field_labels().get(field, field))),
                               "problem": problem})
            continue
        clean["last_verified_at"] = verified
        dup = None
        for key in service.match_keys(clean):
            column = header_of["email" if key[0] == "email" else "phones"]
            if key in existing:
                c = existing[key]
                dup = {"row": row_no, "column": column, "value": key[1], "existing_id": c.id,
                       "existing_name": c.full_name}
                break
            if key in seen_in_file:
                dup = {"row": row_no, "column": column, "value": key[1], "same_as_row": seen_in_file[key]}
                break
        if dup:
            duplicates.append(dup)
        for key in service.match_keys(clean):
            seen_in_file.setdefault(key, row_no)
        valid.append({"row": row_no, "values": clean, "duplicate": bool(dup), "type_source": type_source})
    if total > MAX_ROWS:
        raise ValidationError(_("Too many rows."), fields={"file": _("at most %(n)s contacts per file", n=MAX_ROWS)})
    return {"format": table.format, "encoding": table.encoding_label, "mapping": mapping,
            "columns": describe_columns(table, mapping), "headers": remembered_headers(table, mapping),
            "total": total, "rows": valid, "errors": errors, "skipped": skipped, "duplicates": duplicates}


def import_contacts(*, department, filename, data, dry_run=False, only_valid=False, on_duplicate="skip",
                    mapping=None, remember=True, user=None, default_outlet_type=None):
    """Check the file, then (unless ``dry_run``) create its contacts.

    ``mapping``: the confirmed column mapping (see clean_mapping); None uses the proposed one.
    All or nothing: a file with any row error imports nothing (ValidationError 422 with the report)
    unless ``only_valid``. ``on_duplicate``: "skip" leaves rows that repeat an existing contact's (or an
    earlier row's) email or phone out, "import" adds them anyway so they can be merged afterwards.
    An import that writes remembers its mapping for the Department (``remember``).
    Returns the report with "created" (count), "skipped_duplicates" and "dry_run".
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValidationError(_("Unknown duplicate handling."), fields={"on_duplicate": "one of skip, import"})
    report = check_file(department=department, filename=filename, data=data, mapping=mapping,
                        default_outlet_type=default_outlet_type)
    to_create = [r for r in report["rows"] if on_duplicate == "import" or not r["duplicate"]]
    public = public_report(report)
    public.update(dry_run=bool(dry_run), created=0, would_create=len(to_create),
                  skipped_duplicates=0 if on_duplicate == "import" else sum(1 for r in report["rows"]
                                                                             if r["duplicate"]))
    if dry_run:
        return public
    if report["errors"] and not only_valid:
        raise ValidationError(_("The file has errors: nothing was imported."),
                              fields={"file": _("%(n)s problem(s) in the rows", n=len(report["errors"]))},
                              report=public)
    for r in to_create:
        values = dict(r["values"])
        service.create_contact(department=department, **{k: v for k, v in values.items() if k != "last_verified_at"},
                               last_verified_at=values["last_verified_at"])
    if remember:
        imports.remember(department=department, headers=report["headers"],
                         default_outlet_type=report["mapping"]["default_outlet_type"], user=user)
    db.session.flush()
    public["created"] = len(to_create)
    return public


def public_report(report):
    return {"format": report["format"], "encoding": report["encoding"], "mapping": report["mapping"],
            "columns": report["columns"], "total": report["total"], "valid": len(report["rows"]),
            "errors": report["errors"], "duplicates": report["duplicates"], "skipped": report["skipped"],
            "preview": [{"row": r["row"], "duplicate": r["duplicate"], "type_source": r["type_source"],
                         **_json_values(r["values"])} for r in report["rows"][:200]]}


def _json_values(values):
    out = dict(values)
    out["last_verified_at"] = values["last_verified_at"].isoformat() if values.get("last_verified_at") else None
    return out


SKIPPED_KINDS = {"above_header": _l("above the header"), "header": _l("part of the header"),
                 "column_numbers": _l("column numbers"),
                 "section": _l("section heading"), "after_table": _l("below the table")}


def format_report(report):
    """The report as text lines (CLI)."""
    lines = []
    if report.get("encoding"):
        lines.append(_("Encoding: %(encoding)s", encoding=report["encoding"]))
    if report.get("mapping", {}).get("header_row"):
        labels = field_labels()
        lines.append(_("Header: row %(n)s; columns: %(columns)s", n=report["mapping"]["header_row"],
                       columns=", ".join(f"{c['column']} {c['header'] or ''} → {labels[c['field']]}"
                                         for c in report.get("columns", []) if c["field"])))
    lines.append(_("Rows: %(total)s · valid: %(valid)s · with errors: %(errors)s · duplicates: %(dups)s",
                   total=report["total"], valid=report["valid"], errors=len(report["errors"]),
                   dups=len(report["duplicates"])))
    for s in report.get("skipped", []):
        lines.append(_("row %(row)s skipped (%(kind)s): %(text)s", row=s["row"], kind=SKIPPED_KINDS[s["kind"]],
                       text=s["text"]))
    for e in report["errors"]:
        lines.append(_("row %(row)s, column %(column)s: %(problem)s", row=e["row"], column=e["column"],
                       problem=e["problem"]))
    for d in report["duplicates"]:
        what = (_("existing contact #%(id)s %(name)s", id=d["existing_id"], name=d["existing_name"])
                if d.get("existing_id") else _("row %(n)s", n=d["same_as_row"]))
        lines.append(_("row %(row)s, column %(column)s: duplicate of %(what)s (%(value)s)", row=d["row"],
                       column=d["column"], what=what, value=d["value"]))
    return lines


# --- export ---------------------------------------------------------------------------------------

def _export_row(c):
    verified = to_local(c.last_verified_at).strftime("%d/%m/%Y") if c.last_verified_at else ""
    return [c.full_name, c.outlet, service.OUTLET_TYPE_VI.get(c.outlet_type, c.outlet_type), c.position or "",
            c.beat or "",
            "; ".join(c.phones or []), c.email or "", c.notes or "", verified]


def export_csv(contacts):
    return spreadsheets.csv_bytes([vi for _f, vi, _en in COLUMNS], (_export_row(c) for c in contacts))


def export_xlsx(contacts):
    wb = spreadsheets.workbook("Danh bạ báo chí")
    ws = wb.active
    spreadsheets.append(ws, [vi for _f, vi, _en in COLUMNS], bold=True)
    for c in contacts:
        spreadsheets.append(ws, _export_row(c))
    for col, width in zip("ABCDEFGHI", (28, 32, 26, 20, 30, 28, 30, 40, 16)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return spreadsheets.xlsx_bytes(wb)


def _vescape(value):
    return (value or "").replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold_line(line):
    """vCard lines are folded at 75 octets (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += ch
    parts.append(current)
    return "\r\n ".join(parts)


def export_vcard(contacts, version="3.0"):
    if version not in ("3.0", "4.0"):
        raise ValidationError("Unknown vCard version.", fields={"version": "3.0 or 4.0"})
    out = []
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    for c in contacts:
        parts = c.full_name.split()
        family, given = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (c.full_name, "")
        lines = ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{_vescape(c.full_name)}",
                 f"N:{_vescape(family)};{_vescape(given)};;;", f"ORG:{_vescape(c.outlet)}"]
        if c.position:
            lines.append(f"TITLE:{_vescape(c.position)}")
        if c.beat:
            lines.append(f"ROLE:{_vescape(c.beat)}")
        for phone in c.phones or []:
            lines.append(f"TEL;TYPE=voice:{_vescape(phone)}" if version == "3.0"
                         else f"TEL;VALUE=uri;TYPE=voice:tel:{re.sub(r'[^0-9+]', '', phone)}")
        if c.email:
            lines.append(f"EMAIL;TYPE=internet:{_vescape(c.email)}" if version == "3.0"
                         else f"EMAIL:{_vescape(c.email)}")
        lines.append(f"CATEGORIES:{_vescape(service.OUTLET_TYPE_VI.get(c.outlet_type, c.outlet_type))}")
        if c.notes:
            lines.append(f"NOTE:{_vescape(c.notes)}")
        lines.append(f"UID:crisiscomm-contact-{c.id}")
        lines.append(f"REV:{stamp}")
        lines.append("END:VCARD")
        out.extend(_fold_line(line) for line in lines)
    return ("\r\n".join(out) + "\r\n").encode("utf-8")
