"""/api/v1/mentions: list and filter, push from another tool (deduplicated), triage, incident from a mention."""
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import images, inputs, permissions
from ..api import api_blueprint, doc, json_body, paginate_args, reject_unknown
from ..errors import ValidationError
from ..extensions import db
from ..scoping import get_or_404, resolve_department
from . import service
from .models import STATES, TONES, Mention
from .serialise import mention_json, screenshot_response

bp = api_blueprint("monitoring_api", __name__)
_STR = {"type": "string"}
_MENTION = {"type": "object", "properties": {"id": {"type": "integer"}, "department": _STR, "title": _STR,
                                             "link": _STR, "outlet": _STR, "state": _STR, "tone": _STR,
                                             "screenshot": {"type": "object", "nullable": True, "properties": {
                                                 "url": _STR, "width": {"type": "integer"},
                                                 "height": {"type": "integer"}}}}}


@bp.get("/mentions")
@permissions.required("mention.read")
@doc(summary="Mentions you may see (newest first)", params={
    "state": ({"type": "string", "enum": list(STATES)}, "triage state"),
    "tone": ({"type": "string", "enum": list(TONES)}, "tone set by an officer"),
    "department": (_STR, "a Department code (Ministry users)"),
    "q": (_STR, "words of the title (diacritics optional)"),
    "limit": ({"type": "integer"}, "page size"), "offset": ({"type": "integer"}, "offset")},
    responses={200: {"type": "object", "properties": {"mentions": {"type": "array", "items": _MENTION}}}})
def list_mentions():
    limit, offset = paginate_args()
    department = resolve_department(request.args["department"]) if request.args.get("department") else None
    stmt = service.mentions_query(user=current_user, state=request.args.get("state") or None,
                                  tone=request.args.get("tone") or None,
                                  department_id=department.id if department else None, q=request.args.get("q"))
    rows = db.session.scalars(stmt.options(selectinload(Mention.screenshot)).limit(limit).offset(offset)).all()
    return jsonify({"mentions": [mention_json(m) for m in rows], "limit": limit, "offset": offset})


@bp.post("/mentions")
@permissions.required("mention.triage")
@doc(summary="Push a mention (a social-listening tool); the same story again adds a sighting", body={
    "type": "object", "required": ["link", "title"], "properties": {
        "department": _STR, "link": _STR, "title": _STR, "text": _STR, "outlet": _STR,
        "published_at": {"type": "string", "format": "date-time"}, "reach": {"type": "integer"},
        "screenshot": {"type": "string", "format": "byte",
                       "description": "what the tool saw: a JPEG, PNG or WebP image in base64, kept re-encoded "
                                      "without metadata; a known story keeps the screenshot it has"}}},
    responses={201: _MENTION, 200: _MENTION})
def push_mention():
    data = json_body()
    reject_unknown(data, ("department", "link", "title", "text", "outlet", "published_at", "reach", "screenshot"))
    department = resolve_department(data.get("department"))
    shot = images.from_base64(data["screenshot"], field="screenshot") if data.get("screenshot") else b""
    mention = service.capture(user=current_user, department=department, link=data.get("link"),
                              title=data.get("title"), text=data.get("text") or "", outlet=data.get("outlet") or "",
                              published_at=data.get("published_at"), reach=data.get("reach"), source="api",
                              screenshot=shot)
    return jsonify(mention_json(mention)), 201 if mention._new else 200


@bp.get("/mentions/<int:mention_id>")
@permissions.required("mention.read")
@doc(summary="One mention with its sightings", responses={200: _MENTION})
def get_mention(mention_id):
    return jsonify(mention_json(get_or_404(Mention, mention_id)))


@bp.get("/mentions/<int:mention_id>/screenshot")
@permissions.required("mention.read")
@doc(summary="The screenshot kept with a mention (JPEG); 404 when it has none",
     responses={200: "The JPEG (image/jpeg)"})
def get_screenshot(mention_id):
    return screenshot_response(get_or_404(Mention, mention_id))


@bp.patch("/mentions/<int:mention_id>")
@permissions.required("mention.triage")
@doc(summary="Triage: state (new, seen, handled, ignored), tone, note", body={"type": "object", "properties": {
    "state": {"type": "string", "enum": list(STATES)}, "tone": {"type": "string", "enum": list(TONES)},
    "note": _STR}}, responses={200: _MENTION})
def triage(mention_id):
    mention = get_or_404(Mention, mention_id)
    data = json_body()
    reject_unknown(data, ("state", "tone", "note"))
    service.triage(mention=mention, user=current_user, state=data.get("state"), tone=data.get("tone"),
                   note=data.get("note"))
    return jsonify(mention_json(mention))


@bp.post("/mentions/<int:mention_id>/incident")
@permissions.required("mention.triage")
@doc(summary="Create an incident pre-filled from the mention (escalation runs as usual), or link an existing one "
             "with incident_id", body={"type": "object", "properties": {
                 "incident_id": {"type": "integer"}, "title": _STR, "category": _STR, "severity": _STR,
                 "exam_related": {"type": "boolean"}}}, responses={201: _MENTION, 200: _MENTION})
def incident(mention_id):
    mention = get_or_404(Mention, mention_id)
    data = json_body()
    reject_unknown(data, ("incident_id", "title", "category", "severity", "exam_related"))
    if data.get("incident_id") not in (None, ""):
        service.link_incident(mention=mention, user=current_user, incident_id=data["incident_id"])
        return jsonify(mention_json(mention)), 200
    if "exam_related" in data and not isinstance(data["exam_related"], bool):
        raise ValidationError(_("Expected true or false."), fields={"exam_related": _("true or false")})
    overrides = {k: data[k] for k in ("title", "category", "severity", "exam_related") if k in data}
    if "title" in overrides:
        overrides["title"] = inputs.text(overrides["title"], "title", max_length=300, single_line=True)
    service.create_incident(mention=mention, user=current_user, data=overrides)
    return jsonify(mention_json(mention)), 201
