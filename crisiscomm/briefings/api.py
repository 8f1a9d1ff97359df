from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions, scoping
from ..api import api_blueprint, doc, json_body
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from . import quarters, service
from .models import STATUSES, Briefing

bp = api_blueprint("briefings_api", __name__)

_BRIEFING = {"type": "object", "properties": {
    "id": {"type": "integer"}, "department": {"type": "string"}, "title": {"type": "string"},
    "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
    "quarter": {"type": "string", "example": "2026Q4"}, "status": {"type": "string", "enum": list(STATUSES)},
    "status_reason": {"type": "string", "nullable": True}, "place": {"type": "string", "nullable": True},
    "online_link": {"type": "string", "nullable": True}, "outlets_invited": {"type": "integer"},
    "outlets_present": {"type": "integer"}}}

_BODY = {"type": "object", "properties": {
    "department": {"type": "string", "description": "Department code (Ministry users; Departments act on their own)"},
    "title": {"type": "string"},
    "starts_at": {"type": "string", "description": "ISO 8601; without an offset it is Asia/Ho_Chi_Minh time"},
    "ends_at": {"type": "string", "description": "defaults to two hours after the start"},
    "place": {"type": "string"}, "online_link": {"type": "string", "format": "uri"}, "topics": {"type": "string"},
    "status": {"type": "string", "enum": list(STATUSES)},
    "status_reason": {"type": "string", "description": "required when postponed or cancelled"},
    "minutes": {"type": "string", "description": "Markdown"},
    "attachments": {"type": "array", "items": {"type": "object", "properties": {
        "title": {"type": "string"}, "url": {"type": "string", "format": "uri"}}}},
    "internal_units": {"type": "array", "items": {"type": "string"}},
    "contact_ids": {"type": "array", "items": {"type": "integer"}},
    "speaker_ids": {"type": "array", "items": {"type": "integer"}}}}


def _require_edit():
    permissions.require(current_user, "briefing.edit")


@bp.get("/briefings")
@doc(summary="Briefings you may see, by Department and quarter",
     params={"department": ({"type": "string"}, "Department code"),
             "quarter": ({"type": "string", "example": "2026Q4"}, "calendar quarter in local time"),
             "status": ({"type": "string", "enum": list(STATUSES)}, "status")},
     responses={200: {"type": "object", "properties": {"items": {"type": "array", "items": _BRIEFING}}}})
def list_briefings():
    quarter = request.args.get("quarter") or None
    if quarter:
        quarters.parse_quarter(quarter)
        quarter = quarter.strip().upper()
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        raise ValidationError(_("Unknown status."), fields={"status": _("one of %(v)s", v=", ".join(STATUSES))})
    code = request.args.get("department") or None
    department = scoping.resolve_department(code) if code else None
    stmt = service.briefings_in(scoping.scoped_select(Briefing), quarter=quarter, status=status,
                                department=department)
    return jsonify({"items": [service.briefing_json(b, with_details=False) for b in db.session.scalars(stmt)]})


@bp.get("/briefings/<int:briefing_id>")
@doc(summary="One briefing with invitations, attendance and warnings", responses={200: _BRIEFING})
def get_briefing(briefing_id):
    return jsonify(service.briefing_json(scoping.get_or_404(Briefing, briefing_id)))


@bp.post("/briefings")
@doc(summary="Plan a briefing", body=_BODY, responses={201: _BRIEFING})
def create_briefing():
    _require_edit()
    data = json_body()
    department = scoping.resolve_department(data.get("department"))
    briefing = service.create_briefing(department=department, user=current_user, data=data)
    return jsonify(service.briefing_json(briefing)), 201


@bp.patch("/briefings/<int:briefing_id>")
@doc(summary="Change a briefing (any subset of fields)", body=_BODY, responses={200: _BRIEFING})
def patch_briefing(briefing_id):
    _require_edit()
    briefing = scoping.get_or_404(Briefing, briefing_id)
    data = json_body()
    if "department" in data:
        raise ValidationError(_("A briefing cannot move to another Department."), fields={"department": _("read-only")})
    service.update_briefing(briefing=briefing, data=data)
    return jsonify(service.briefing_json(briefing))


@bp.get("/briefings/compliance")
@doc(summary="Each active Department's briefing standing for a quarter (Ministry roles)",
     params={"quarter": ({"type": "string", "example": "2026Q4"}, "calendar quarter in local time", True),
             "status": ({"type": "string", "enum": ["held", "planned", "missing"]}, "filter")},
     responses={200: {"type": "object", "properties": {
         "quarter": {"type": "string"},
         "items": {"type": "array", "items": {"type": "object", "properties": {
             "department": {"type": "string"}, "status": {"type": "string", "enum": ["held", "planned", "missing"]},
             "outlets_invited": {"type": "integer"}, "outlets_present": {"type": "integer"},
             "briefings": {"type": "array", "items": _BRIEFING}}}}}}})
def compliance():
    if not scoping.is_ministry():
        raise PermissionDenied()
    quarter = (request.args.get("quarter") or "").strip().upper()
    quarters.parse_quarter(quarter)
    status = request.args.get("status") or None
    if status and status not in ("held", "planned", "missing"):
        raise ValidationError(_("Unknown status."), fields={"status": _("held, planned or missing")})
    items = service.compliance(quarter=quarter, status=status)
    return jsonify({"quarter": quarter, "items": [
        {"department": i["department"].code, "name": i["department"].name, "status": i["status"],
         "outlets_invited": i["outlets_invited"], "outlets_present": i["outlets_present"],
         "briefings": [service.briefing_json(b, with_details=False) for b in i["briefings"]]} for i in items]})
