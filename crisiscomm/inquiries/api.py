from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import inputs, scoping
from ..api import api_blueprint, doc, json_body, paginate_args, reject_unknown
from ..errors import ValidationError
from . import grounds, queries, reports, service, workflow
from .serialise import inquiry_dict, inquiry_dicts
from .models import CHANNELS, PRIORITIES, STATES

bp = api_blueprint("inquiries_api", __name__)

_CREATE_FIELDS = ("department", "received_at", "channel", "journalist_name", "outlet", "outlet_type", "contact_id",
                  "subject", "questions", "deadline", "priority", "incident_id", "journalist_phone", "deadline_preset")
_CREATE_SCHEMA = {"type": "object", "required": ["subject"], "properties": {
    "department": {"type": "string", "description": "Department code (required for Ministry users)"},
    "received_at": {"type": "string", "format": "date-time", "description": "default: now; no offset = local"},
    "channel": {"type": "string", "enum": list(CHANNELS)},
    "journalist_name": {"type": "string"}, "outlet": {"type": "string"}, "outlet_type": {"type": "string"},
    "contact_id": {"type": "integer"}, "subject": {"type": "string"}, "questions": {"type": "string"},
    "deadline": {"type": "string", "format": "date-time", "description": "the journalist's deadline"},
    "priority": {"type": "string", "enum": list(PRIORITIES)}, "incident_id": {"type": "integer"},
    "journalist_phone": {"type": "string", "description": "the number the journalist called from (kept on the contact)"},
    "deadline_preset": {"type": "string", "enum": ["2h", "end_of_day", "tomorrow_10", "default"],
                        "description": "a quick deadline when no deadline is given"}}}
_INQUIRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "department": {"type": "string"}, "state": {"type": "string", "enum": list(STATES)},
    "subject": {"type": "string"}, "due_at": {"type": "string"},
    "due_status": {"type": "string", "enum": ["overdue", "due_soon", None], "nullable": True},
    "allowed_transitions": {"type": "array", "items": {"type": "string"}}, "version": {"type": "integer"},
    "timeline": {"type": "array", "items": {"type": "object"}}}}
_TRANSITION_SCHEMA = {"type": "object", "required": ["to"], "properties": {
    "to": {"type": "string", "enum": list(STATES)},
    "assignee": {"type": "string", "description": "email of the officer (to: assigned)"},
    "note": {"type": "string"}, "answer": {"type": "string", "description": "answer text (awaiting_approval/answered)"},
    "reason": {"type": "string", "description": "required for declined"},
    "refusal_ground": {"type": ["integer", "string"], "description": "id or key of the ground (declined)"},
    "version": {"type": "integer", "description": "optimistic lock: the version you read"}}}


@bp.post("/inquiries")
@doc(summary="Log a press inquiry", body=_CREATE_SCHEMA, responses={201: _INQUIRY})
def create():
    data = json_body()
    reject_unknown(data, _CREATE_FIELDS)
    department = scoping.resolve_department(data.get("department"))
    inquiry = service.create_inquiry(
        user=current_user, department=department, subject=data.get("subject"), channel=data.get("channel", "phone"),
        received_at=data.get("received_at"), contact_id=data.get("contact_id"),
        journalist_name=data.get("journalist_name"), outlet=data.get("outlet"), outlet_type=data.get("outlet_type"),
        questions=data.get("questions") or "", deadline=data.get("deadline"),
        priority=data.get("priority") or "normal", incident_id=data.get("incident_id"), source="api",
        journalist_phone=data.get("journalist_phone"), deadline_preset=data.get("deadline_preset"))
    return jsonify(inquiry_dict(inquiry)), 201


@bp.get("/inquiries")
@doc(summary="List press inquiries",
     params={"department": ({"type": "string"}, "Department code"),
             "state": ({"type": "string", "enum": ["open", *STATES]}, "state"),
             "overdue": ({"type": "boolean"}, "only open inquiries past their due time"),
             "outlet": ({"type": "string"}, "outlet or journalist words"), "q": ({"type": "string"}, "search"),
             "from": ({"type": "string", "format": "date"}, "received on/after (local date)"),
             "to": ({"type": "string", "format": "date"}, "received on/before (local date)"),
             "limit": ({"type": "integer"}, "page size"), "offset": ({"type": "integer"}, "skip")},
     responses={200: {"type": "object", "properties": {"items": {"type": "array", "items": _INQUIRY}}}})
def index():
    args = request.args
    limit, offset = paginate_args()
    code = args.get("department") or None
    department = scoping.resolve_department(code) if code else None
    overdue = args.get("overdue", "").lower()
    if overdue not in ("", "true", "false", "1", "0"):
        raise ValidationError(_("Bad filter."), fields={"overdue": _("true or false")})
    items = inquiry_dicts(queries.page_query(
        department=department, state=args.get("state") or None, outlet=args.get("outlet") or None,
        q=args.get("q") or None, overdue=overdue in ("true", "1"), date_from=args.get("from"),
        date_to=args.get("to"), limit=limit, offset=offset))
    return jsonify({"items": items, "limit": limit, "offset": offset})


@bp.get("/inquiries/stats")
@doc(summary="Inquiry figures: volume per month, median time to answer, share answered on time",
     params={"department": ({"type": "string"}, "Department code (Ministry: omit for Ministry-wide)"),
             "from": ({"type": "string", "format": "date"}, "received on/after"),
             "to": ({"type": "string", "format": "date"}, "received on/before")},
     responses={200: {"type": "object"}})
def stats():
    code = request.args.get("department") or None
    department = scoping.resolve_department(code) if code else None
    data = reports.dashboard_stats(department=department, date_from=request.args.get("from"),
                                   date_to=request.args.get("to"))
    data["department"] = department.code if department else None
    data["as_of"] = data["as_of"].isoformat()
    return jsonify(data)


@bp.get("/inquiries/<int:inquiry_id>")
@doc(summary="One inquiry with its timeline", responses={200: _INQUIRY})
def show(inquiry_id):
    return jsonify(inquiry_dict(queries.get_inquiry(inquiry_id)))


@bp.post("/inquiries/<int:inquiry_id>/transitions")
@doc(summary="Move an inquiry along its workflow (illegal moves: 409 with the allowed ones)",
     body=_TRANSITION_SCHEMA, responses={200: _INQUIRY, 409: "Not allowed from the current state, or stale version"})
def transition(inquiry_id):
    inquiry = queries.get_inquiry(inquiry_id)
    data = json_body()
    reject_unknown(data, ("to", "assignee", "note", "answer", "reason", "refusal_ground", "version"))
    ground = data.get("refusal_ground")
    if isinstance(ground, str) and not inputs.is_id_text(ground):
        found = [g for g in grounds.refusal_grounds() if g.key == ground]
        ground = found[0].id if found else -1
    workflow.transition(inquiry=inquiry, user=current_user, to=data.get("to"), assignee=data.get("assignee"),
                        note=data.get("note"), answer_text=data.get("answer"), reason=data.get("reason"),
                        refusal_ground_id=ground, version=data.get("version"))
    return jsonify(inquiry_dict(inquiry))
