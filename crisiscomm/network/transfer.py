"""Import and export of a Department's network: one row per focal point with its school.

Files are read by the press contacts' reader (contacts.tables: CSV or XLSX within fixed bounds, legacy encodings
through charset-normalizer, merged cells, titles above the header) and their columns recognised the same way
(contacts.columns: folded header names, Vietnamese or English). A school is matched by its name and commune
(folded) or created; every row is checked first (row, column, problem) and the file written all or nothing.
"""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl.utils.cell import column_index_from_string

from .. import spreadsheets
from ..contacts.columns import IGNORE, alias_index, column_letter, guess_field, row_cells
from ..contacts.tables import read_table
from ..contacts.transfer import FOOTER, row_text
from ..errors import ValidationError
from ..extensions import db
from ..text import fold
from . import service
from .models import LEVELS

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 3000
HEADER_SCAN_ROWS = 25

# (field, Vietnamese header used on export, English header)
COLUMNS = [
    ("school_name", "Tên trường/đơn vị", "School or unit"), ("level", "Cấp học", "Level"),
    ("ownership", "Loại hình", "Ownership"), ("commune", "Xã/phường", "Commune"),
    ("address", "Địa chỉ", "Address"), ("code", "Mã đơn vị", "Code"),
    ("full_name", "Họ và tên đầu mối", "Focal point"), ("kind", "Vai trò", "Role"),
    ("title", "Chức vụ", "Title"), ("phone", "Điện thoại", "Phone"), ("email", "Email", "Email"),
]
FIELDS = tuple(f for f, _vi, _en in COLUMNS)
REQUIRED = ("school_name", "full_name")
SCHOOL_FIELDS = ("level", "ownership", "commune", "address", "code")
FOCAL_FIELDS = ("full_name", "kind", "title", "phone", "email")
HEADER_ALIASES = {
    IGNORE: ("STT", "TT", "Số TT", "No", "#"),
    "school_name": ("Tên trường", "Trường", "Đơn vị", "Tên đơn vị", "Trường học", "School", "Unit"),
    "level": ("Cấp", "Bậc học", "Cấp trường"),
    "ownership": ("Công lập/ngoài công lập", "Loại trường"),
    "commune": ("Xã", "Phường", "Xã, phường", "Địa bàn", "Xã/phường/đặc khu", "Ward"),
    "address": ("Địa chỉ trường",),
    "code": ("Mã trường", "Mã"),
    "full_name": ("Họ và tên", "Họ tên", "Đầu mối", "Người đầu mối", "Người liên hệ", "Name", "Full name"),
    "kind": ("Vai trò đầu mối", "Kind"),
    "title": ("Chức danh", "Position"),
    "phone": ("Số điện thoại", "SĐT", "SDT", "Di động", "Phone number", "Mobile"),
    "email": ("E-mail", "Thư điện tử", "Mail"),
}
_INDEX = alias_index(COLUMNS, HEADER_ALIASES)


def field_labels():
    return {IGNORE: _l("(not imported)"), "school_name": _l("School or unit"), "level": _l("Level"),
            "ownership": _l("Ownership"), "commune": _l("Commune or ward"), "address": _l("Address"),
            "code": _l("Code"), "full_name": _l("Focal point"), "kind": _l("Role in the network"),
            "title": _l("Title"), "phone": _l("Phone"), "email": _l("Email")}


# Words a level cell or a school's name uses (folded), first match wins.
_LEVEL_HINTS = (("multi_level", ("lien cap", "noi tru", "ptdtnt", "nhieu cap")),
                ("continuing", ("gdtx", "thuong xuyen", "gdnn", "nghe nghiep")),
                ("upper_secondary", ("thpt", "trung hoc pho thong")),
                ("lower_secondary", ("thcs", "trung hoc co so")),
                ("primary", ("tieu hoc", "th ")),
                ("preschool", ("mam non", "mau giao", "nha tre", "mn ")),
                ("unit", ("trung tam", "phong ", "don vi")))


def level_of(text):
    key = fold(text) + " "
    if not key.strip():
        return None
    for code in LEVELS:
        if key.strip() in (code, fold(str(service.LEVEL_LABELS[code]))):
            return code
    for code, hints in _LEVEL_HINTS:
        if any(h in key for h in hints):
            return code
    return None


def _choice(text, labels):
    key = fold(text)
    for code, label in labels.items():
        if key in (code, fold(str(label))):
            return code
    return None


def propose_mapping(table):
    for number, cells in table.rows:
        if number > HEADER_SCAN_ROWS:
            break
        known = {guess_field(c, index=_INDEX) for c in cells if isinstance(c, str)} - {None}
        if set(REQUIRED) <= known:
            columns, taken = {}, set()
            for i, header in enumerate(cells):
                field = guess_field(header, index=_INDEX)
                if field and field != IGNORE and field not in taken:
                    columns[column_letter(i)] = field
                    taken.add(field)
            return {"header_row": number, "columns": columns}
    raise ValidationError(_("The columns could not be recognised: choose them in the column mapping."),
                          fields={"header_row": _("no row names the school and the focal point in the first %(n)s "
                                                  "rows", n=HEADER_SCAN_ROWS)})


def clean_mapping(table, mapping):
    """A mapping the user confirmed: {"header_row": n, "columns": {"B": "school_name", …}}."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("The column mapping is not valid."), fields={"mapping": _("expected an object")})
    errors, columns, taken = {}, {}, set()
    header_row = mapping.get("header_row")
    if isinstance(header_row, str) and header_row.strip().isdecimal():
        header_row = int(header_row)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or not 1 <= header_row <= HEADER_SCAN_ROWS:
        errors["header_row"] = _("the number of a row among the first %(n)s", n=HEADER_SCAN_ROWS)
    raw = mapping.get("columns") if isinstance(mapping.get("columns"), dict) else {}
    for letter, field in raw.items():
        letter = str(letter).strip().upper()
        if not re.fullmatch(r"[A-Z]{1,3}", letter) or column_index_from_string(letter) > max(table.width, 1):
            errors["columns"] = _("no column %(name)s in the file", name=letter[:10])
            continue
        if not field or field == IGNORE:
            continue
        if field not in FIELDS:
            errors["columns"] = _("unknown field %(field)s", field=str(field)[:40])
        elif field in taken:
            errors["columns"] = _("%(field)s is chosen for two columns", field=field_labels()[field])
        else:
            taken.add(field)
            columns[letter] = field
    missing = [str(field_labels()[f]) for f in REQUIRED if f not in taken]
    if missing and "columns" not in errors:
        errors["columns"] = _("choose a column for: %(fields)s", fields=", ".join(missing))
    if errors:
        raise ValidationError(_("Please correct the column mapping."), fields=errors)
    return {"header_row": header_row, "columns": columns}


def _text(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def check_file(*, department, filename, data, mapping=None):
    """Read and check every row. Returns {"format", "encoding", "mapping", "columns", "total", "rows",
    "errors": [{"row", "column", "problem"}]}; each row {"row", "school", "focal"} (cleaned values)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is too large."),
                              fields={"file": _("at most %(n)s MB", n=MAX_IMPORT_BYTES // (1024 * 1024))})
    table = read_table(filename, data)
    mapping = propose_mapping(table) if mapping is None else clean_mapping(table, mapping)
    headers = row_cells(table, mapping["header_row"])
    at = {field: column_index_from_string(letter) - 1 for letter, field in mapping["columns"].items()}
    header_of = {field: (_text(headers[i]) if i < len(headers) and headers[i] else column_letter(i))
                 for field, i in at.items()}
    labels = field_labels()
    rows, errors, total, after_table = [], [], 0, False
    for row_no, cells in table.rows:
        if row_no <= mapping["header_row"] or not any(cells):
            continue
        after_table = after_table or bool(FOOTER.search(fold(row_text(cells))))
        if after_table:
            continue  # the signature block ("Người lập biểu", "Thủ trưởng đơn vị") and whatever follows it
        raw = {field: _text(cells[i]) if i < len(cells) else "" for field, i in at.items()}
        if not raw.get("school_name") and not raw.get("full_name"):
            continue  # a section heading or a numbered empty row of the template
        distinct = {c for c in cells if c}
        if len(distinct) == 1 and sum(1 for c in cells if c) > 1:
            continue  # one heading merged across the row
        total += 1
        if total > MAX_IMPORT_ROWS:
            raise ValidationError(_("Too many rows."), fields={"file": _("at most %(n)s rows per file",
                                                                         n=MAX_IMPORT_ROWS)})
        problems = []
        school = {"name": raw.get("school_name", ""), **{f: raw.get(f, "") for f in SCHOOL_FIELDS}}
        level = level_of(school["level"]) if school["level"] else level_of(school["name"])
        if level is None:
            problems.append(("level", _("unknown level: %(value)s", value=school["level"][:60])
                             if school["level"] else _("required: the name does not say the level")))
        school["level"] = level or LEVELS[0]
        ownership = _choice(school["ownership"], service.OWNERSHIP_LABELS) if school["ownership"] else "public"
        if ownership is None:
            problems.append(("ownership", _("unknown ownership: %(value)s", value=school["ownership"][:60])))
        school["ownership"] = ownership or "public"
        focal = {f: raw.get(f, "") for f in FOCAL_FIELDS}
        kind = _choice(focal["kind"], service.KIND_LABELS) if focal["kind"] else None
        if focal["kind"] and kind is None:
            problems.append(("kind", _("unknown role: %(value)s", value=focal["kind"][:60])))
        focal["kind"] = kind
        for values, clean, rename in ((school, service.clean_school, {"name": "school_name"}),
                                      (focal, service.clean_focal, {})):
            try:
                values.update(clean(values))
            except ValidationError as exc:
                problems.extend((rename.get(f, f), p) for f, p in exc.fields.items()
                                if f not in {p_[0] for p_ in problems})
        for field, problem in problems:
            errors.append({"row": row_no, "column": header_of.get(field, str(labels.get(field, field))),
                           "field": field, "problem": str(problem)})
        if not problems:
            rows.append({"row": row_no, "school": school, "focal": focal})
    return {"format": table.format, "encoding": table.encoding_label, "mapping": mapping,
            "columns": [{"column": column_letter(i), "header": _text(h),
                         "field": mapping["columns"].get(column_letter(i), IGNORE)}
                        for i, h in enumerate(headers)],
            "total": total, "rows": rows, "errors": errors}


def import_file(*, department, filename, data, mapping=None, dry_run=False):
    """Check the file, then (unless ``dry_run``) write it: all or nothing (ValidationError 422 with the report
    when any row has a problem). Returns the report with "schools_created", "focal_points_created"."""
    report = check_file(department=department, filename=filename, data=data, mapping=mapping)
    public = {k: v for k, v in report.items() if k != "rows"}
    public["valid"] = len(report["rows"])
    public["preview"] = [{"row": r["row"], "school": r["school"]["name"], "commune": r["school"]["commune"],
                          "level": r["school"]["level"], "full_name": r["focal"]["full_name"],
                          "phone": r["focal"]["phone"], "email": r["focal"]["email"]} for r in report["rows"][:200]]
    public.update(dry_run=bool(dry_run), schools_created=0, focal_points_created=0)
    if report["errors"]:
        if dry_run:
            return public
        raise ValidationError(_("The file has errors: nothing was imported."),
                              fields={"file": _("%(n)s problem(s) in the rows", n=len(report["errors"]))},
                              report=public)
    if dry_run:
        return public
    schools, focal_points = 0, 0
    for r in report["rows"]:
        school = service.find_school(department_id=department.id, name=r["school"]["name"],
                                     commune=r["school"]["commune"])
        if school is None:
            school = service.create_school(department=department, data=r["school"])
            schools += 1
        known = {fold(f.full_name) for f in school.focal_points}
        if fold(r["focal"]["full_name"]) in known:
            continue  # the same person listed again: kept once
        service.create_focal_point(school=school, data=r["focal"])
        focal_points += 1
    db.session.flush()
    public.update(schools_created=schools, focal_points_created=focal_points)
    return public


def export_rows(schools):
    for school in schools:
        people = [f for f in school.focal_points if not f.archived] or [None]
        for f in people:
            yield [school.name, str(service.LEVEL_LABELS[school.level]),
                   str(service.OWNERSHIP_LABELS[school.ownership]), school.commune, school.address, school.code or "",
                   f.full_name if f else "", str(service.KIND_LABELS[f.kind]) if f else "",
                   f.title if f else "", (f.phone or "") if f else "", (f.email or "") if f else ""]


def export_csv(schools):
    return spreadsheets.csv_bytes([vi for _f, vi, _en in COLUMNS], export_rows(schools))


def export_xlsx(schools):
    wb = spreadsheets.workbook("Mạng lưới truyền thông")
    ws = wb.active
    spreadsheets.append(ws, [vi for _f, vi, _en in COLUMNS], bold=True)
    for row in export_rows(schools):
        spreadsheets.append(ws, row)
    return spreadsheets.xlsx_bytes(wb)
