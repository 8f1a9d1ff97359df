"""Import (CSV, XLSX) of press contacts; the columns are recognised in ``columns``, export is in ``export``.

Import reads the lists offices really keep: a merged title and a subtitle above the header (found
wherever it is in the first rows), merged cells, phone numbers typed as numbers, section rows
("I. BÁO TRUNG ƯƠNG"), a signature block below the table. Columns are mapped to fields from their
Vietnamese or English names (the user confirms or corrects the mapping; the Department's last mapping
is remembered). Every row is checked first (row number, column, problem) and written all or nothing,
unless the caller asks for only the valid rows.
"""
import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl.utils.cell import column_index_from_string

from ..clock import from_local
from ..errors import ValidationError
from ..extensions import db
from ..spreadsheets import FORMULA_START
from ..text import fold
from . import imports, service
from .columns import (HEADER_SCAN_ROWS, MULTI, REQUIRED, clean_mapping, column_letter, describe_columns,
                      field_labels, guess_field, infer_outlet_type, propose_mapping, remembered_headers, row_cells,
                      type_aliases)
from .models import OUTLET_TYPES
from .tables import MAX_ROWS, read_table

ON_DUPLICATE = ("skip", "import")


# --- reading the rows -------------------------------------------------------------------------------

# A row that starts the signature block, whatever else it holds; and a place-and-date line ("Hà Nội, ngày 15 tháng
# 11 năm 2026"), unless the row is a journalist's (whose note may carry a date).
FOOTER = re.compile(r"^(nguoi lap|lap bieu|thu truong|giam doc|pho giam doc|ky ten|ky,? ghi ro|tong cong|tong so|"
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
    headers = row_cells(table, header_row)
    fields_at = {}
    for letter, field in mapping["columns"].items():
        fields_at.setdefault(field, []).append(column_index_from_string(letter) - 1)
    header_of = {field: (headers[idx[0]] if idx[0] < len(headers) and headers[idx[0]] else column_letter(idx[0]))
                 for field, idx in fields_at.items()}
    types = type_aliases()
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
        if after_table or FOOTER.search(folded) or (not looks_like_contact and (
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
        raise ValidationError(_("Unknown duplicate handling."), fields={"on_duplicate": _("one of skip, import")})
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
