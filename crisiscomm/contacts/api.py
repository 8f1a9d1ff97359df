import functools
import json

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..api import api_blueprint, bool_arg, doc, json_body, paginate_args, reject_unknown
from ..departments.models import Department
from ..errors import ValidationError
from ..scoping import get_or_404, resolve_department
from ..sql import RowView, plain_rows
from . import imports, service, transfer
from .access import listing_scope, require_editor
from .models import OUTLET_TYPES, Contact

bp = api_blueprint("contacts_api", __name__)

CONTACT_SCHEMA = {
    "type": "object",
    "properties": {
        "full_name": {"type": "string", "maxLength": 200},
        "outlet": {"type": "string", "maxLength": 200},
        "outlet_type": {"type": "string", "enum": list(OUTLET_TYPES)},
        "position": {"type": "string", "maxLength": 200},
        "beat": {"type": "string", "maxLength": 300},
        "phones": {"type": "array", "items": {"type": "string"}},
        "email": {"type": "string", "format": "email"},
        "notes": {"type": "string"},
        "last_verified_at": {"type": "string", "format": "date-time"},
        "archived": {"type": "boolean"},
    },
}


@functools.cache  # built at first use, when every mapper is known
def _page():
    return ((Contact.id, Department.code.label("department"), Contact.full_name, Contact.outlet,
             Contact.outlet_type, Contact.position, Contact.beat, Contact.email, Contact.phones,
             Contact.phone_numbers, Contact.notes, Contact.last_verified_at, Contact.archived),
            ((Department, Department.id == Contact.department_id, False),))


def _shape(c):
    """The API's dict of ``c``: a row of ``_page()``'s columns or a loaded Contact seen through them."""
    return {"id": c.id, "department": c.department, "full_name": c.full_name, "outlet": c.outlet,
            "outlet_type": c.outlet_type, "position": c.position, "beat": c.beat, "email": c.email,
            "phones": list(c.phones or []), "phone_numbers": list(c.phone_numbers or []), "notes": c.notes,
            "last_verified_at": c.last_verified_at.isoformat() if c.last_verified_at else None,
            "stale": service.is_stale(c), "archived": c.archived, "detail": c.outlet}


def contact_json(c):
    return _shape(RowView(c, department=c.department.code))


@bp.get("/contacts")
@doc(summary="Search press contacts (case- and diacritics-insensitive)",
     params={"department": ({"type": "string"}, "Department code (Ministry users; others get their own)"),
             "q": ({"type": "string"}, "words that must all occur in name, outlet, beat, email or phones"),
             "outlet_type": ({"type": "string", "enum": list(OUTLET_TYPES)}, "filter by outlet type"),
             "stale": ({"type": "boolean"}, "only contacts not verified for 12 months (true) or the others"),
             "archived": ({"type": "boolean"}, "true: archived contacts only"),
             "limit": ({"type": "integer"}, "page size (default 50)"), "offset": ({"type": "integer"}, "")},
     responses={200: {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}}})
def list_contacts():
    _dep, ids = listing_scope(request.args.get("department"))
    outlet_type = request.args.get("outlet_type") or None
    if outlet_type and outlet_type not in OUTLET_TYPES:
        raise ValidationError(_("Unknown outlet type."), fields={"outlet_type": _("one of %(v)s", v=", ".join(OUTLET_TYPES))})
    limit, offset = paginate_args()
    page = service.search_page(department_ids=ids, q=request.args.get("q"), outlet_type=outlet_type,
                               stale=bool_arg("stale"), archived_only=bool(bool_arg("archived")),
                               limit=limit, offset=offset)
    return jsonify({"items": [_shape(r) for r in plain_rows(page, *_page())], "limit": limit, "offset": offset})


@bp.get("/contacts/<int:contact_id>")
@doc(summary="One press contact")
def get_contact(contact_id):
    return jsonify(contact_json(get_or_404(Contact, contact_id)))


@bp.post("/contacts")
@doc(summary="Create a press contact",
     body={**CONTACT_SCHEMA, "required": ["full_name", "outlet", "outlet_type"],
           "properties": {**CONTACT_SCHEMA["properties"], "department": {"type": "string"}}},
     responses={201: "Created"})
def create_contact():
    require_editor()
    data = json_body()
    reject_unknown(data, ["department", *service.EDITABLE])
    department = resolve_department(data.get("department"))
    contact = service.create_contact(department=department, full_name=data.get("full_name"),
                                     outlet=data.get("outlet"), outlet_type=data.get("outlet_type"),
                                     position=data.get("position"), beat=data.get("beat"), phones=data.get("phones"), email=data.get("email"),
                                     notes=data.get("notes"), last_verified_at=data.get("last_verified_at"))
    return jsonify(contact_json(contact)), 201


@bp.patch("/contacts/<int:contact_id>")
@doc(summary="Change a press contact (archive with archived=true; contacts are never deleted)",
     body=CONTACT_SCHEMA)
def update_contact(contact_id):
    require_editor()
    contact = get_or_404(Contact, contact_id)
    data = json_body()
    reject_unknown(data, [*service.EDITABLE, "archived", "verified"])
    archived = data.pop("archived", None)
    verified = data.pop("verified", None)
    if archived is not None and not isinstance(archived, bool):
        raise ValidationError(_("Expected true or false."), fields={"archived": _("true or false")})
    if data:
        service.update_contact(contact=contact, **data)
    if verified is True:
        service.mark_verified(contact=contact)
    if archived is True:
        service.archive_contact(contact=contact)
    elif archived is False:
        service.restore_contact(contact=contact)
    return jsonify(contact_json(contact))


@bp.post("/contacts/<int:contact_id>/verify")
@doc(summary="Mark a contact verified now (clears the stale flag)")
def verify_contact(contact_id):
    require_editor()
    contact = service.mark_verified(contact=get_or_404(Contact, contact_id))
    return jsonify(contact_json(contact))


@bp.get("/contacts/duplicates")
@doc(summary="Contacts of a Department sharing an email or phone number",
     params={"department": ({"type": "string"}, "Department code")})
def duplicates():
    department = resolve_department(request.args.get("department"))
    groups = service.find_duplicates(department_id=department.id)
    return jsonify({"items": [{"match": g["match"], "value": g["value"],
                               "contacts": [contact_json(c) for c in g["contacts"]]} for g in groups]})


@bp.post("/contacts/<int:contact_id>/merge")
@doc(summary="Merge another contact into this one (blanks filled from it, the other archived)",
     body={"type": "object", "required": ["other_id"], "properties": {"other_id": {"type": "integer"}}})
def merge(contact_id):
    require_editor()
    keep = get_or_404(Contact, contact_id)
    data = json_body()
    reject_unknown(data, ["other_id"])
    other = get_or_404(Contact, data.get("other_id"))
    service.merge_contacts(keep=keep, other=other)
    return jsonify(contact_json(keep))


def _flag(name):
    value = (request.form.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValidationError(_("Expected true or false."), fields={name: _("true or false")})


def _mapping_arg():
    text = request.form.get("mapping")
    if not text:
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        raise ValidationError(_("The column mapping is not valid JSON."), fields={"mapping": _("expected a JSON object")})
    if not isinstance(mapping, dict):
        raise ValidationError(_("The column mapping is not valid."), fields={"mapping": _("expected a JSON object")})
    return mapping


@bp.post("/contacts/import")
@doc(summary="Import contacts from a CSV or XLSX file (all or nothing unless only_valid)",
     body={"type": "object", "required": ["file"], "properties": {
         "file": {"type": "string", "format": "binary"}, "department": {"type": "string"},
         "dry_run": {"type": "boolean"}, "only_valid": {"type": "boolean"},
         "on_duplicate": {"type": "string", "enum": ["skip", "import"]},
         "mapping": {"type": "string", "description":
                     "JSON column mapping as a dry run answers it, corrected: {\"header_row\": 4, \"columns\": "
                     "{\"B\": \"full_name\", ...}, \"default_outlet_type\": \"provincial\"} (columns by letter or "
                     "header). Without it: the Department's remembered mapping, then the known header names"},
         "remember_mapping": {"type": "boolean"}}},
     body_type="multipart/form-data",
     responses={200: "The report (dry run, or imported) with mapping, columns and encoding",
                422: "Row errors: nothing imported (error.report); or columns not recognised (error.mapping, "
                     "error.columns)"})
def import_file():
    require_editor()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(_("Attach a file."), fields={"file": _("required (multipart field 'file')")})
    department = resolve_department(request.form.get("department"))
    remember = _flag("remember_mapping") if request.form.get("remember_mapping") else True
    report = transfer.import_contacts(department=department, filename=upload.filename, data=upload.read(),
                                      dry_run=_flag("dry_run"), only_valid=_flag("only_valid"),
                                      on_duplicate=request.form.get("on_duplicate") or "skip",
                                      mapping=_mapping_arg(), remember=remember, user=current_user)
    return jsonify(report)


@bp.get("/contacts/import/mapping")
@doc(summary="The column mapping a Department last confirmed (header names → fields, default outlet type)",
     params={"department": ({"type": "string"}, "Department code (Ministry users; others get their own)")})
def import_mapping():
    department = resolve_department(request.args.get("department"))
    row = imports.remembered(department)
    return jsonify({"department": department.code, "headers": dict(row.headers) if row else {},
                    "default_outlet_type": row.default_outlet_type if row else None,
                    "updated_at": row.updated_at.isoformat() if row else None})
