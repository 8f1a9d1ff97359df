"""/api/v1/incidents: log, read, edit, acknowledge, check off. Never delete (405)."""
from flask import after_this_request, jsonify, request
from flask_login import current_user

from flask_babel import gettext as _
from .. import scoping
from ..api import api_blueprint, bool_arg, doc, json_body, paginate_args
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..scenarios.models import CATEGORIES, SEVERITIES
from . import escalation, playbook, queries, service, statement_clock
from .common import incident_path
from .models import STATUSES, Incident
from .serialise import escalation_summary, incident_dicts, iso, serialize

bp = api_blueprint("incidents_api", __name__)

_ESCALATION = {"type": "object", "properties": {
    "recipient": {"type": "string"}, "role": {"type": "string"}, "level": {"type": "integer"},
    "channel": {"type": "string", "enum": ["in_app", "email", "webhook"]},
    "status": {"type": "string", "enum": ["pending", "sending", "sent", "failed_temporary", "failed_permanent",
                                          "not_notified"]}}}
_CREATE_BODY = {"type": "object", "required": ["title", "category", "occurred_at", "severity"], "properties": {
    "department": {"type": "string", "description": "Department code (Ministry users must give one)"},
    "title": {"type": "string", "maxLength": 300},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "exam_related": {"type": "boolean"},
    "exam": {"type": "string", "description": "e.g. Kỳ thi tốt nghiệp THPT năm 2026"},
    "occurred_at": {"type": "string", "format": "date-time", "description": "ISO 8601; without offset: local time"},
    "known_at": {"type": "string", "format": "date-time",
                 "description": "when the Department learned of it (default: now); the statement clock starts here"},
    "place": {"type": "string"}, "description": {"type": "string"},
    "severity": {"type": "string", "enum": list(SEVERITIES)},
    "scenario": {"type": ["string", "integer"], "description": "scenario slug or scenario version id"},
    "drill": {"type": "boolean"},
    "drill_recipients": {"type": "array", "items": {"type": ["string", "integer"]},
                         "description": "drill only: emails or user ids of the people taking part"}}}
_PATCH_BODY = {"type": "object", "properties": {
    **{k: v for k, v in _CREATE_BODY["properties"].items() if k in service.EDITABLE or k == "scenario"},
    "status": {"type": "string", "enum": list(STATUSES)},
    "closing_summary": {"type": "string", "description": "required to close: what happened"},
    "closing_public_summary": {"type": "string", "description": "required to close: what was said publicly"},
    "reason": {"type": "string", "description": "required to reopen"}}}
_CREATED = {"type": "object", "properties": {"id": {"type": "integer"}, "status": {"type": "string"},
                                              "escalations": {"type": "array", "items": _ESCALATION}}}


def _department(code):
    try:
        return scoping.resolve_department(code or None)
    except NotFound:
        raise ValidationError(_("Unknown department."), fields={"department": _("unknown department")})


def _load(incident_id):
    return scoping.get_or_404(Incident, incident_id)


@bp.post("/incidents")
@doc(summary="Log an incident and escalate at once", body=_CREATE_BODY,
     responses={201: _CREATED})
def create():
    data = json_body()
    if not isinstance(data.get("department", ""), (str, type(None))):
        raise ValidationError(_("Unknown department."), fields={"department": _("a department code")})
    department = _department(data.get("department"))
    incident_id = service.create_incident(actor=current_user, department=department, data=data).id

    @after_this_request
    def created(response):
        # The body is written after the request boundary committed, so after the outbox sent the alerts: it
        # reports the delivery states the sending wrote.
        if response.status_code == 201:
            db.session.expire_all()
            response.set_data(jsonify(_created(db.session.get(Incident, incident_id))).get_data())
        return response

    return jsonify({"id": incident_id}), 201


def _created(incident):
    return {"id": incident.id, "status": incident.status, "drill": incident.drill,
            "first_statement_due_at": iso(incident.first_statement_due_at), "url": incident_path(incident),
            "escalations": escalation_summary(incident)}


@bp.get("/incidents")
@doc(summary="List incidents (drills excluded unless drill=include|only)", params={
    "department": ({"type": "string"}, "Department code"),
    "status": ({"type": "string", "enum": list(STATUSES)}, "status"),
    "exam_related": ({"type": "boolean"}, "only exam-related (true) or not (false)"),
    "drill": ({"type": "string", "enum": ["exclude", "include", "only"]}, "drills (default: exclude)"),
    "q": ({"type": "string"}, "search title, description, place"),
    "limit": ({"type": "integer"}, "page size"), "offset": ({"type": "integer"}, "offset")})
def index():
    limit, offset = paginate_args()
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        raise ValidationError(_("Bad parameter."), fields={"status": _("one of %(v)s", v=", ".join(STATUSES))})
    drill = request.args.get("drill") or "exclude"
    if drill not in ("exclude", "include", "only"):
        raise ValidationError(_("Bad parameter."), fields={"drill": _("exclude, include or only")})
    department_id = None
    if request.args.get("department"):
        department_id = _department(request.args["department"]).id
    stmt = queries.list_incidents(stmt=scoping.scoped_select(Incident), status=status,
                                  exam_related=bool_arg("exam_related"), department_id=department_id,
                                  q=request.args.get("q"), drill=drill)
    return jsonify({"items": incident_dicts(stmt.limit(limit).offset(offset)), "limit": limit, "offset": offset})


@bp.get("/incidents/<int:incident_id>")
@doc(summary="One incident with its timeline, escalations (per recipient and channel) and checklist")
def show(incident_id):
    return jsonify(serialize(_load(incident_id), full=True))


@bp.patch("/incidents/<int:incident_id>")
@doc(summary="Edit an incident (each change is kept in the timeline), move its status, close it",
     body=_PATCH_BODY)
def update(incident_id):
    incident = _load(incident_id)
    service.update_incident(incident=incident, actor=current_user, data=json_body())
    return jsonify(serialize(incident, full=True))


@bp.delete("/incidents/<int:incident_id>")
@doc(summary="Not allowed: incidents are never deleted (405)", responses={405: "Incidents are never deleted"})
def delete(incident_id):
    _load(incident_id)
    response = jsonify({"error": {"code": "method_not_allowed",
                                  "message": "Incidents are never deleted; close the incident with a summary instead.",
                                  "fields": {}}})
    response.headers["Allow"] = "GET, PATCH"
    return response, 405


@bp.post("/incidents/<int:incident_id>/acknowledge")
@doc(summary="Acknowledge the incident as the signed-in recipient", body={"type": "object"})
def acknowledge(incident_id):
    incident = _load(incident_id)
    escalation.acknowledge(incident=incident, user=current_user, via="api")
    return jsonify(serialize(incident, full=True))


@bp.post("/incidents/<int:incident_id>/checklist/<int:item_id>/done")
@doc(summary="Check off a playbook action", body={"type": "object"})
def checklist_done(incident_id, item_id):
    incident = _load(incident_id)
    item = playbook.complete_checklist_item(incident=incident, item_id=item_id, actor=current_user)
    return jsonify({"id": item.id, "done_at": iso(item.done_at), "done_by": current_user.email})


@bp.post("/incidents/<int:incident_id>/statement")
@doc(summary="Record the first public statement (stops the clock)", body={
    "type": "object", "required": ["text", "channel", "approved_by"], "properties": {
        "text": {"type": "string"}, "channel": {"type": "string"},
        "published_at": {"type": "string", "format": "date-time"},
        "approved_by": {"type": ["string", "integer"], "description": "email or user id"}}})
def statement(incident_id):
    incident = _load(incident_id)
    data = json_body()
    st = statement_clock.record_first_statement(incident=incident, actor=current_user, text=data.get("text"),
                                                channel=data.get("channel"), published_at=data.get("published_at"),
                                                approved_by=data.get("approved_by"))
    return jsonify({"statement_id": st.id, "first_statement_at": iso(incident.first_statement_at)}), 201
