"""Import (CSV, XLSX) and export (CSV, XLSX, vCard) of press contacts.

Exported files carry Vietnamese headers and outlet-type names; import accepts those, the English
names and the field codes, so an exported file imports back as the same contacts.
Import checks every row first (row number, column, problem) and writes all or nothing, unless the
caller asks for only the valid rows.
"""
import csv
import io
import re
from datetime import date, datetime, time

from .. import spreadsheets
from ..clock import from_local, now, to_local
from ..errors import ValidationError
from ..extensions import db
from ..spreadsheets import FORMULA_START
from ..text import fold
from . import service
from .models import OUTLET_TYPES

MAX_ROWS = 5000
# (field, Vietnamese header used on export, English header)
COLUMNS = [
    ("full_name", "Họ và tên", "Full name"),
    ("outlet", "Cơ quan báo chí", "Outlet"),
    ("outlet_type", "Loại hình", "Outlet type"),
    ("beat", "Lĩnh vực phụ trách", "Beat"),
    ("phones", "Điện thoại", "Phones"),
    ("email", "Email", "Email"),
    ("notes", "Ghi chú", "Notes"),
    ("last_verified_at", "Xác minh lần cuối", "Last verified"),
]
REQUIRED = ("full_name", "outlet", "outlet_type")
ON_DUPLICATE = ("skip", "import")


def _header_aliases():
    aliases = {}
    for field, vi, en in COLUMNS:
        for name in (field, vi, en, field.replace("_", " ")):
            aliases[fold(name)] = field
    aliases[fold("Họ tên")] = "full_name"
    aliases[fold("Số điện thoại")] = "phones"
    aliases[fold("Phone")] = "phones"
    aliases[fold("Cơ quan")] = "outlet"
    return aliases


def _type_aliases():
    aliases = {}
    for code in OUTLET_TYPES:
        for name in (code, service.OUTLET_TYPE_VI[code], service.OUTLET_TYPE_EN[code]):
            aliases[fold(name)] = code
    return aliases


# --- reading files ------------------------------------------------------------------------------

def detect_format(filename, data):
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ValidationError("This is not an Excel .xlsx file.", fields={"file": "not a valid .xlsx file"})
        return "xlsx"
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    raise ValidationError("Unsupported file type: upload a .csv or .xlsx file.",
                          fields={"file": "only .csv and .xlsx files are accepted"})


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def read_rows(filename, data):
    """(headers, [(row_number, [cells])]) of the first sheet; row numbers as the user sees them (header = 1)."""
    fmt = detect_format(filename, data)
    if fmt == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The CSV file is not UTF-8 text.",
                                  fields={"file": "save the CSV as UTF-8 (Excel: CSV UTF-8)"})
        if "\x00" in text:
            raise ValidationError("This is not a CSV text file.", fields={"file": "binary content"})
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ("\t" if first.count("\t") > first.count(",")
                                                                     else ",")
        try:
            raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise ValidationError("The CSV file cannot be read.", fields={"file": str(exc)})
    else:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            raw = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            wb.close()
        except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
            raise ValidationError("The Excel file cannot be read.", fields={"file": "not a valid .xlsx workbook"})
    numbered = [(i + 1, row) for i, row in enumerate(raw)
                if any((c.strip() if isinstance(c, str) else c) for c in row)]
    if not numbered:
        raise ValidationError("The file is empty.", fields={"file": "no header row"})
    header_no, headers = numbered[0]
    rows = numbered[1:]
    if len(rows) > MAX_ROWS:
        raise ValidationError("Too many rows.", fields={"file": f"at most {MAX_ROWS} contacts per file"})
    return [(h.strip() if isinstance(h, str) else str(h or "")) for h in headers], rows


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
    for pattern in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y"):
        try:
            return from_local(datetime.strptime(text, pattern))
        except ValueError:
            continue
    raise ValueError(text)


# --- checking -------------------------------------------------------------------------------------

def check_file(*, department, filename, data):
    """Read and check every row. Returns a report:

    {"format", "total", "rows": [{"row", "values"}], "errors": [{"row", "column", "problem"}],
     "duplicates": [{"row", "column", "value", "existing_id"|"same_as_row", "existing_name"}]}
    """
    headers, rows = read_rows(filename, data)
    aliases, types = _header_aliases(), _type_aliases()
    columns = {}
    errors = []
    for idx, header in enumerate(headers):
        field = aliases.get(fold(header))
        if field and field not in columns:
            columns[field] = idx
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        labels = {f: vi for f, vi, _en in COLUMNS}
        raise ValidationError("Required columns are missing.", fields={
            "file": "missing columns: " + ", ".join(labels[f] for f in missing)},
            report={"total": len(rows), "valid": 0, "errors": [
                {"row": 1, "column": labels[f], "problem": "required column missing"} for f in missing],
                "duplicates": []})
    header_of = {field: headers[idx] for field, idx in columns.items()}
    existing = {}
    for c in service.department_contacts(department.id):
        for key in service.match_keys(c):
            existing.setdefault(key, c)
    seen_in_file = {}
    valid, duplicates = [], []
    for row_no, cells in rows:
        raw = {}
        for field, idx in columns.items():
            value = cells[idx] if idx < len(cells) else ""
            raw[field] = _unescape(value.strip() if isinstance(value, str) else value)
        row_errors = []
        type_text = raw.get("outlet_type")
        outlet_type = types.get(fold(type_text)) if isinstance(type_text, str) else None
        if not type_text:
            row_errors.append(("outlet_type", "required"))
        elif outlet_type is None:
            row_errors.append(("outlet_type", "unknown outlet type: " + str(type_text)[:60] + " (allowed: "
                               + ", ".join(service.OUTLET_TYPE_VI.values()) + ")"))
        verified = None
        if raw.get("last_verified_at") not in (None, ""):
            try:
                verified = _parse_date(raw["last_verified_at"])
            except ValueError:
                row_errors.append(("last_verified_at", "not a date (dd/mm/yyyy)"))
        values = {"full_name": raw.get("full_name") or "", "outlet": raw.get("outlet") or "",
                  "outlet_type": outlet_type or OUTLET_TYPES[0], "beat": raw.get("beat") or None,
                  "phones": raw.get("phones") or None, "email": raw.get("email") or None,
                  "notes": raw.get("notes") or None, "last_verified_at": None}
        for k in ("full_name", "outlet", "beat", "phones", "email", "notes"):
            if values[k] is not None and not isinstance(values[k], str):
                values[k] = str(values[k])
        try:
            clean = service._clean(values)
        except ValidationError as exc:
            for field, problem in exc.fields.items():
                row_errors.append((field, problem))
            clean = None
        if row_errors:
            for field, problem in row_errors:
                errors.append({"row": row_no, "column": header_of.get(field, field), "problem": problem})
            continue
        clean["last_verified_at"] = verified
        dup = None
        for key in service.match_keys(clean):
            if key in existing:
                c = existing[key]
                dup = {"row": row_no, "column": header_of["email" if key[0] == "email" else "phones"],
                       "value": key[1], "existing_id": c.id, "existing_name": c.full_name}
                break
            if key in seen_in_file:
                dup = {"row": row_no, "column": header_of["email" if key[0] == "email" else "phones"],
                       "value": key[1], "same_as_row": seen_in_file[key]}
                break
        if dup:
            duplicates.append(dup)
        for key in service.match_keys(clean):
            seen_in_file.setdefault(key, row_no)
        valid.append({"row": row_no, "values": clean, "duplicate": bool(dup)})
    return {"format": detect_format(filename, data), "total": len(rows), "rows": valid, "errors": errors,
            "duplicates": duplicates}


def import_contacts(*, department, filename, data, dry_run=False, only_valid=False, on_duplicate="skip"):
    """Check the file, then (unless ``dry_run``) create its contacts.

    All or nothing: a file with any row error imports nothing (ValidationError 422 with the report)
    unless ``only_valid``. ``on_duplicate``: "skip" leaves rows that repeat an existing contact's (or an
    earlier row's) email or phone out, "import" adds them anyway so they can be merged afterwards.
    Returns the report with "created" (count), "skipped_duplicates" and "dry_run".
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValidationError("Unknown duplicate handling.", fields={"on_duplicate": "one of skip, import"})
    report = check_file(department=department, filename=filename, data=data)
    to_create = [r for r in report["rows"] if on_duplicate == "import" or not r["duplicate"]]
    public = public_report(report)
    public.update(dry_run=bool(dry_run), created=0,
                  would_create=len(to_create),
                  skipped_duplicates=0 if on_duplicate == "import" else sum(1 for r in report["rows"] if r["duplicate"]))
    if dry_run:
        return public
    if report["errors"] and not only_valid:
        raise ValidationError("The file has errors: nothing was imported.",
                              fields={"file": f"{len(report['errors'])} problem(s) in the rows"}, report=public)
    for r in to_create:
        values = dict(r["values"])
        contact = service.create_contact(department=department, **{k: v for k, v in values.items()
                                                                     if k != "last_verified_at"},
                                         last_verified_at=values["last_verified_at"])
        contact.refresh_search_text()
    db.session.flush()
    public["created"] = len(to_create)
    return public


def public_report(report):
    return {"format": report["format"], "total": report["total"], "valid": len(report["rows"]),
            "errors": report["errors"], "duplicates": report["duplicates"],
            "preview": [{"row": r["row"], "duplicate": r["duplicate"], **_json_values(r["values"])}
                        for r in report["rows"][:200]]}


def _json_values(values):
    out = dict(values)
    out["last_verified_at"] = values["last_verified_at"].isoformat() if values.get("last_verified_at") else None
    return out


def format_report(report):
    """The report as text lines (CLI)."""
    lines = [f"Rows: {report['total']}  valid: {report['valid']}  errors: {len(report['errors'])}  "
             f"duplicates: {len(report['duplicates'])}"]
    for e in report["errors"]:
        lines.append(f"row {e['row']}, column {e['column']}: {e['problem']}")
    for d in report["duplicates"]:
        what = (f"existing contact #{d['existing_id']} {d['existing_name']}" if d.get("existing_id")
                else f"row {d['same_as_row']}")
        lines.append(f"row {d['row']}, column {d['column']}: duplicate of {what} ({d['value']})")
    return lines


# --- export ---------------------------------------------------------------------------------------

def _export_row(c):
    verified = to_local(c.last_verified_at).strftime("%d/%m/%Y") if c.last_verified_at else ""
    return [c.full_name, c.outlet, service.OUTLET_TYPE_VI.get(c.outlet_type, c.outlet_type), c.beat or "",
            "; ".join(c.phones or []), c.email or "", c.notes or "", verified]


def export_csv(contacts):
    return spreadsheets.csv_bytes([vi for _f, vi, _en in COLUMNS], (_export_row(c) for c in contacts))


def export_xlsx(contacts):
    wb = spreadsheets.workbook("Danh bạ báo chí")
    ws = wb.active
    spreadsheets.append(ws, [vi for _f, vi, _en in COLUMNS], bold=True)
    for c in contacts:
        spreadsheets.append(ws, _export_row(c))
    for col, width in zip("ABCDEFGH", (28, 32, 26, 30, 28, 30, 40, 16)):
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
        if c.beat:
            lines.append(f"TITLE:{_vescape(c.beat)}")
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
