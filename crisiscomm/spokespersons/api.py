from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import inputs, permissions
from ..api import api_blueprint, doc, json_body, reject_unknown
from ..errors import ValidationError
from ..extensions import db
from ..scoping import get_or_404, resolve_department
from ..users.models import User
from . import service
from .models import KINDS, SpokespersonAssignment

bp = api_blueprint("spokespersons_api", __name__)


def assignment_json(a, private=True):
    out = {
        "id": a.id,
        "department": a.department.code,
        "kind": a.kind,
        "user_id": a.user_id,
        "name": a.user.name,
        "title": a.user.title,
        "topics": list(a.topics or []),
        "phone": a.public_phone or a.user.phone,
        "email": a.public_email or a.user.email,
        "public_phone": a.public_phone,
        "public_email": a.public_email,
        "decision_number": a.decision_number,
        "decision_date": a.decision_date.isoformat() if a.decision_date else None,
        "effective_from": a.effective_from.isoformat(),
        "effective_to": a.effective_to.isoformat() if a.effective_to else None,
        "status": service.status_of(a),
    }
    if private:
        out.update(decision_url=a.decision_url, note=a.note)
    return out


@bp.get("/departments/<code>/spokespersons")
@doc(summary="Who speaks for this Department today: the current official spokesperson, then authorisations",
     params={"topic": ({"type": "string"}, "only those covering this topic (the official covers all)"),
             "history": ({"type": "boolean"}, "true: every assignment, ended ones included")})
def current(code):
    department = resolve_department(code)
    if (request.args.get("history") or "").lower() in ("1", "true", "yes"):
        rows = service.history(department.id)
    else:
        rows = service.current_assignments(department.id, topic=request.args.get("topic") or None)
    official = next((r for r in rows if r.kind == service.OFFICIAL and service.status_of(r) == "current"), None)
    return jsonify({"department": department.code,
                    "official": assignment_json(official) if official else None,
                    "items": [assignment_json(r) for r in rows]})


ASSIGN_SCHEMA = {"type": "object", "required": ["user_id", "kind"], "properties": {
    "user_id": {"type": "integer"}, "kind": {"type": "string", "enum": list(KINDS)},
    "topics": {"type": "array", "items": {"type": "string"}},
    "decision_number": {"type": "string"}, "decision_date": {"type": "string", "format": "date"},
    "decision_url": {"type": "string", "format": "uri"},
    "effective_from": {"type": "string", "format": "date-time"}, "effective_to": {"type": "string", "format": "date-time"},
    "public_phone": {"type": "string"}, "public_email": {"type": "string"}, "note": {"type": "string"},
    "replace": {"type": "boolean", "description": "official: end the current official when this one starts"}}}


@bp.post("/departments/<code>/spokespersons")
@doc(summary="Assign an official spokesperson or authorise someone to speak (director or ministry admin)",
     body=ASSIGN_SCHEMA, responses={201: "Created", 409: "Another official spokesperson overlaps"})
def assign(code):
    permissions.require(current_user, "spokesperson.assign")
    department = resolve_department(code)
    data = json_body()
    reject_unknown(data, ASSIGN_SCHEMA["properties"].keys())
    user_id = inputs.parse_id(data.get("user_id"), "user_id", required=True)
    replace = data.get("replace", False)
    if not isinstance(replace, bool):
        raise ValidationError(_("Expected true or false."), fields={"replace": _("true or false")})
    row = service.assign(department=department, user=db.session.get(User, user_id), kind=data.get("kind"),
                         topics=data.get("topics"), decision_number=data.get("decision_number"),
                         decision_date=data.get("decision_date"), decision_url=data.get("decision_url"),
                         effective_from=data.get("effective_from"), effective_to=data.get("effective_to"),
                         public_phone=data.get("public_phone"), public_email=data.get("public_email"),
                         note=data.get("note"), replace=replace)
    return jsonify(assignment_json(row)), 201


@bp.post("/spokespersons/<int:assignment_id>/end")
@doc(summary="End an assignment (now, or at effective_to); history is kept",
     body={"type": "object", "properties": {"effective_to": {"type": "string", "format": "date-time"}}})
def end(assignment_id):
    permissions.require(current_user, "spokesperson.assign")
    row = get_or_404(SpokespersonAssignment, assignment_id)
    data = json_body() if request.get_data() else {}
    reject_unknown(data, ["effective_to"])
    service.end_assignment(assignment=row, at=data.get("effective_to"))
    return jsonify(assignment_json(row))
