from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import images
from ..api import api_blueprint, doc, json_body, reject_unknown
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..scoping import get_or_404, resolve_department
from . import pitch as pitching
from . import service
from .models import STATES, TOPICS, Story, StoryConsent

bp = api_blueprint("stories_api", __name__)

_STORY_FIELDS = ("title", "summary", "body", "unit", "commune", "province", "story_date", "topics",
                 "proposed_by_name", "verification")
_PERSON_FIELDS = ("name", "role", "school", "class_or_subject", "under_16", "shows_name", "shows_school")
_STR = {"type": "string"}


def story_json(story, full=False):
    out = {"id": story.id, "department": story.department.code, "title": story.title, "summary": story.summary,
           "state": story.state, "topics": list(story.topics or []), "unit": story.unit, "commune": story.commune,
           "province": story.province, "story_date": story.story_date.isoformat() if story.story_date else None,
           "featured": story.featured_at is not None,
           "published_at": story.published_at.isoformat() if story.published_at else None}
    if full:
        gaps = {p.id: m for p, m in service.consent_gaps(story)}
        out.update({
            "body": story.body, "proposed_by_name": story.proposed_by_name, "verification": story.verification,
            "rejection_reason": story.rejection_reason, "suspended_reason": story.suspended_reason,
            "verified_by": story.verified_by.name if story.verified_by else None,
            "approved_by": story.approved_by.name if story.approved_by else None,
            "people": [{"id": p.id, "name": p.name, "role": p.role, "school": p.school,
                        "class_or_subject": p.class_or_subject, "under_16": p.under_16, "shows_name": p.shows_name,
                        "shows_school": p.shows_school, "missing_consent": gaps.get(p.id, []),
                        "consents": [consent_json(c) for c in p.consents]} for p in story.people],
            "photos": [{"id": ph.id, "caption": ph.caption, "width": ph.width, "height": ph.height,
                        "person_ids": list(ph.person_ids or [])} for ph in story.photos],
            "coverage": [{"outlet": c.outlet, "url": c.url, "published_on": c.published_on.isoformat()}
                         for c in story.coverage],
            "allowed_actions": service.allowed_actions(story, current_user)})
    return out


def consent_json(c):
    return {"id": c.id, "given_by": c.given_by, "given_as": c.given_as, "scope": list(c.scope or []),
            "consented_on": c.consented_on.isoformat(), "has_form": c.form_data is not None,
            "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}


def _bools(data, names):
    for n in names:
        if n in data and not isinstance(data[n], bool):
            raise ValidationError(_("Expected true or false."), fields={n: _("expected a boolean")})


@bp.get("/stories")
@doc(summary="Good stories you may see (newest first)", params={
    "state": ({"type": "string", "enum": list(STATES)}, "workflow state"),
    "topic": ({"type": "string", "enum": list(TOPICS)}, "topic")})
def list_stories():
    state, topic = request.args.get("state"), request.args.get("topic")
    if state and state not in STATES:
        raise ValidationError(_("Unknown state."), fields={"state": _("one of %(v)s", v=", ".join(STATES))})
    if topic and topic not in TOPICS:
        raise ValidationError(_("Unknown topic."), fields={"topic": _("one of %(v)s", v=", ".join(TOPICS))})
    return jsonify({"stories": [story_json(s) for s in service.list_stories(state=state, topic=topic)]})


@bp.post("/stories")
@doc(summary="Propose a good story (with the people in it)", body={
    "type": "object", "required": ["title", "summary"], "properties": {
        **{k: _STR for k in _STORY_FIELDS if k != "topics"}, "department": _STR,
        "topics": {"type": "array", "items": {"type": "string", "enum": list(TOPICS)}},
        "people": {"type": "array", "items": {"type": "object"}}}})
def create_story():
    data = json_body()
    reject_unknown(data, _STORY_FIELDS + ("department", "people"))
    people = data.get("people") or []
    if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
        raise ValidationError(_("people must be a list of objects."), fields={"people": _("expected a list of objects")})
    for p in people:
        reject_unknown(p, _PERSON_FIELDS)
        _bools(p, ("under_16", "shows_name", "shows_school"))
    department = resolve_department(data.get("department") if isinstance(data.get("department"), str) else None)
    story = service.create_story(department=department, user=current_user,
                                 **{k: v for k, v in data.items() if k in _STORY_FIELDS}, people=people)
    return jsonify(story_json(story, full=True)), 201


@bp.get("/stories/<int:story_id>")
@doc(summary="One story with its people, consent, photos, coverage and the steps you may take")
def get_story(story_id):
    return jsonify(story_json(get_or_404(Story, story_id), full=True))


@bp.post("/stories/<int:story_id>/people")
@doc(summary="Add a person the story names or pictures", body={"type": "object", "required": ["name", "role"]})
def add_person(story_id):
    story = get_or_404(Story, story_id)
    data = json_body()
    reject_unknown(data, _PERSON_FIELDS)
    _bools(data, ("under_16", "shows_name", "shows_school"))
    person = service.add_person(story=story, user=current_user, **data)
    return jsonify({"id": person.id}), 201


@bp.post("/stories/<int:story_id>/people/<int:person_id>/consents")
@doc(summary="Record a consent (who, for whom, scope: name/photo/school, date)", body={
    "type": "object", "required": ["given_by", "scope", "consented_on"], "properties": {
        "given_by": _STR, "given_as": {"type": "string", "enum": ["self", "parent", "guardian"]},
        "scope": {"type": "array", "items": {"type": "string", "enum": ["name", "photo", "school"]}},
        "consented_on": {"type": "string", "format": "date"}}})
def add_consent(story_id, person_id):
    story = get_or_404(Story, story_id)
    person = service.get_person(story, person_id)
    data = json_body()
    reject_unknown(data, ("given_by", "given_as", "scope", "consented_on"))
    scope = data.get("scope")
    if not isinstance(scope, list) or not all(isinstance(s, str) for s in scope):
        raise ValidationError(_("scope must be a list."), fields={"scope": _("expected a list of name, photo, school")})
    given_as = data.get("given_as", "self")
    if not isinstance(given_as, str):
        raise ValidationError(_("given_as must be text."), fields={"given_as": _("self, parent or guardian")})
    consent = service.record_consent(person=person, user=current_user, given_by=data.get("given_by"),
                                     given_as=given_as, scope=scope, consented_on=data.get("consented_on"))
    return jsonify(consent_json(consent)), 201


@bp.post("/stories/<int:story_id>/consents/<int:consent_id>/withdraw")
@doc(summary="Withdraw a consent: the story leaves the public page and the pitch list; its owner is alerted")
def withdraw_consent(story_id, consent_id):
    story = get_or_404(Story, story_id)
    consent = db.session.get(StoryConsent, consent_id)
    if consent is None or consent.person.story_id != story.id:
        raise NotFound()
    data = request.get_json(silent=True) or {}
    reason = data.get("reason", "") if isinstance(data, dict) and isinstance(data.get("reason", ""), str) else ""
    service.withdraw_consent(consent=consent, user=current_user, reason=reason)
    return jsonify(story_json(story, full=True))


@bp.post("/stories/<int:story_id>/transitions")
@doc(summary="Move a story along its workflow: verify, approve, publish, reject (with note), unpublish",
     body={"type": "object", "required": ["action"], "properties": {
         "action": {"type": "string", "enum": ["verify", "approve", "publish", "reject", "unpublish"]},
         "note": _STR}})
def transition(story_id):
    story = get_or_404(Story, story_id)
    data = json_body()
    reject_unknown(data, ("action", "note"))
    action, note = data.get("action"), data.get("note", "")
    if not isinstance(action, str) or not isinstance(note, str):
        raise ValidationError(_("action and note are text."), fields={"action": _("expected text")})
    service.transition(story=story, user=current_user, action=action, note=note)
    return jsonify(story_json(story, full=True))


@bp.post("/stories/<int:story_id>/photos")
@doc(summary="Upload a photo (multipart: photo, caption, person_ids); re-encoded, EXIF and location removed",
     body_type="multipart/form-data", body={"type": "object", "properties": {
         "photo": {"type": "string", "format": "binary"}, "caption": _STR}})
def add_photo(story_id):
    story = get_or_404(Story, story_id)
    try:
        person_ids = [int(x) for x in request.form.getlist("person_ids")]
    except ValueError:
        raise ValidationError(_("Unknown person."), fields={"person_ids": _("expected person ids")})
    photo = service.add_photo(story=story, user=current_user, data=images.read_upload(request.files.get("photo")),
                              caption=request.form.get("caption", ""), person_ids=person_ids)
    return jsonify({"id": photo.id, "width": photo.width, "height": photo.height}), 201


@bp.post("/stories/<int:story_id>/pitches")
@doc(summary="Pitch the story: one email per journalist through the outbox",
     body={"type": "object", "required": ["contact_ids"], "properties": {
         "contact_ids": {"type": "array", "items": {"type": "integer"}}}})
def pitch(story_id):
    story = get_or_404(Story, story_id)
    data = json_body()
    reject_unknown(data, ("contact_ids",))
    ids = data.get("contact_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError(_("contact_ids must be a list of ids."), fields={"contact_ids": _("expected a list of ids")})
    sent = pitching.send_pitch(story=story, user=current_user, contact_ids=ids)
    return jsonify({"sent": [p.contact_id for p in sent]}), 201


@bp.post("/stories/<int:story_id>/coverage")
@doc(summary="Record where the story was published", body={
    "type": "object", "required": ["outlet", "url", "published_on"], "properties": {
        "outlet": _STR, "url": _STR, "published_on": {"type": "string", "format": "date"}}})
def add_coverage(story_id):
    story = get_or_404(Story, story_id)
    data = json_body()
    reject_unknown(data, ("outlet", "url", "published_on"))
    service.add_coverage(story=story, user=current_user, **data)
    return jsonify(story_json(story, full=True)), 201


@bp.post("/stories/<int:story_id>/feature")
@doc(summary="Feature the story nationally, or stop (Ministry centre)", body={
    "type": "object", "properties": {"featured": {"type": "boolean"}}})
def feature(story_id):
    story = get_or_404(Story, story_id)
    data = json_body()
    reject_unknown(data, ("featured",))
    _bools(data, ("featured",))
    service.set_featured(story=story, user=current_user, featured=data.get("featured", True))
    return jsonify(story_json(story))
