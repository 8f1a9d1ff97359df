from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..api import api_blueprint, doc, json_body, reject_unknown
from ..errors import ValidationError
from ..plans.years import parse_school_year
from ..scoping import resolve_department
from . import service
from .models import ATTENDANCE, TOPICS

bp = api_blueprint("training_api", __name__)

_STR = {"type": "string"}
_COURSE_FIELDS = ("title", "starts_on", "ends_on", "place", "online", "topics", "trainers", "description",
                  "invited")
_COURSE_BODY = {"type": "object", "properties": {
    "title": _STR, "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "place": _STR, "online": {"type": "boolean"}, "description": _STR,
    "topics": {"type": "array", "items": {"type": "string", "enum": list(TOPICS)}},
    "trainers": {"type": "array", "items": _STR},
    "invited": {"type": "array", "items": _STR, "description": "Department codes (a Ministry course only)"}}}


def participant_json(p):
    return {"id": p.id, "name": p.name, "user_id": p.user_id, "focal_point_id": p.focal_point_id,
            "department": p.department.code if p.department else None, "attendance": p.attendance,
            "certificate_note": p.certificate_note}


def course_json(course, full=False):
    out = {"id": course.id, "title": course.title, "starts_on": course.starts_on.isoformat(),
           "ends_on": course.ends_on.isoformat(), "place": course.place, "online": course.online,
           "organiser": course.department.code if course.department else "ministry",
           "topics": list(course.topics or []), "trainers": list(course.trainers or []),
           "invited": [d.code for d in course.invited]}
    if full:
        out.update({
            "description": course.description,
            "materials": [{"id": m.id, "kind": m.kind, "title": m.title, "url": m.url, "filename": m.filename,
                           "content_type": m.content_type, "size": m.size} for m in course.materials],
            "participants": [participant_json(p) for p in service.visible_participants(course, current_user)]})
    return out


@bp.get("/training/courses")
@permissions.required("training.read")
@doc(summary="Training courses you may see: your Department's and the Ministry's that invite it", params={
    "when": ({"type": "string", "enum": ["upcoming", "past"]}, "not ended yet, or ended"),
    "topic": ({"type": "string", "enum": list(TOPICS)}, "topic"),
    "organiser": (_STR, "'ministry' or a Department code"),
    "year": (_STR, "school year, e.g. 2025-2026")})
def list_courses():
    args = request.args
    when, topic, organiser, year = args.get("when"), args.get("topic"), args.get("organiser"), args.get("year")
    if when and when not in ("upcoming", "past"):
        raise ValidationError(_("Unknown filter."), fields={"when": _("upcoming or past")})
    if topic and topic not in TOPICS:
        raise ValidationError(_("Unknown topic."), fields={"topic": _("one of %(v)s", v=", ".join(TOPICS))})
    if organiser and organiser != "ministry":
        organiser = resolve_department(organiser).id
    courses = service.list_courses(user=current_user, when=when, topic=topic, organiser=organiser or None,
                                   school_year=parse_school_year(year) if year else None)
    return jsonify({"courses": [course_json(c) for c in courses]})


@bp.post("/training/courses")
@permissions.required("training.edit")
@doc(summary="Create a course (a Department's own; the Ministry's with the Departments it invites)",
     body={**_COURSE_BODY, "required": ["title", "starts_on", "topics"]})
def create_course():
    data = json_body()
    reject_unknown(data, _COURSE_FIELDS)
    course = service.create_course(user=current_user, **data)
    return jsonify(course_json(course, full=True)), 201


@bp.get("/training/courses/<int:course_id>")
@permissions.required("training.read")
@doc(summary="One course with its materials and participants")
def get_course(course_id):
    return jsonify(course_json(service.get_course(course_id, current_user), full=True))


@bp.patch("/training/courses/<int:course_id>")
@permissions.required("training.edit")
@doc(summary="Change a course (the fields given)", body=_COURSE_BODY)
def update_course(course_id):
    course = service.get_course(course_id, current_user)
    data = json_body()
    reject_unknown(data, _COURSE_FIELDS)
    service.update_course(course=course, user=current_user, **data)
    return jsonify(course_json(course, full=True))


@bp.post("/training/courses/<int:course_id>/materials")
@permissions.required("training.edit")
@doc(summary="Add a material: a file (multipart: file, title) or a link (JSON: url, title)",
     body_type="multipart/form-data", body={"type": "object", "properties": {
         "file": {"type": "string", "format": "binary"}, "title": _STR, "url": _STR}})
def add_material(course_id):
    course = service.get_course(course_id, current_user)
    if request.is_json:
        data = json_body()
        reject_unknown(data, ("url", "title"))
        material = service.add_link(course=course, user=current_user, url=data.get("url"), title=data.get("title"))
    else:
        upload = request.files.get("file")
        material = service.add_file(course=course, user=current_user, filename=upload.filename if upload else "",
                                    data=upload.stream.read(service.max_file_bytes() + 1) if upload else b"",
                                    title=request.form.get("title"))
    return jsonify({"id": material.id, "kind": material.kind, "title": material.title, "size": material.size}), 201


def _adder(field, summary):
    """The endpoint that puts one person on a course: a user (``user_id``) or a focal point (``focal_point_id``)."""

    @permissions.required("training.edit")
    @doc(summary=summary, body={"type": "object", "required": [field], "properties": {
        field: {"type": "integer"}, "attendance": {"type": "string", "enum": list(ATTENDANCE)}}})
    def add(course_id):
        return _add(course_id, field)

    return add


bp.add_url_rule("/training/courses/<int:course_id>/participants", "add_participant",
                _adder("user_id", "Put a user on the course"), methods=["POST"])
bp.add_url_rule("/training/courses/<int:course_id>/focal-points", "add_focal_point",
                _adder("focal_point_id", "Put a school's communication focal point on the course"), methods=["POST"])


def _add(course_id, field):
    course = service.get_course(course_id, current_user)
    data = json_body()
    reject_unknown(data, (field, "attendance"))
    if data.get(field) is None:
        raise ValidationError(_("Choose a person."), fields={field: _("required")})
    person = {"person_id": data[field]} if field == "user_id" else {"focal_point_id": data[field]}
    row = service.add_participant(course=course, user=current_user, attendance=data.get("attendance") or "registered",
                                  **person)
    return jsonify(participant_json(row)), 201


@bp.patch("/training/courses/<int:course_id>/participants/<int:participant_id>")
@permissions.required("training.edit")
@doc(summary="Mark a participant's attendance and certificate note", body={
    "type": "object", "properties": {"attendance": {"type": "string", "enum": list(ATTENDANCE)},
                                     "certificate_note": _STR}})
def mark(course_id, participant_id):
    course = service.get_course(course_id, current_user)
    participant = service.get_participant(course, participant_id, current_user)
    data = json_body()
    reject_unknown(data, ("attendance", "certificate_note"))
    service.set_attendance(course=course, user=current_user, participant=participant,
                           attendance=data.get("attendance"), certificate_note=data.get("certificate_note"))
    return jsonify(participant_json(participant))


@bp.get("/training/untrained")
@permissions.required("training.read")
@doc(summary="Your Department's spokespersons and communication staff without training in the last two school "
             "years", params={"department": (_STR, "Department code (Ministry users)")})
def untrained():
    department = resolve_department(request.args.get("department"))
    return jsonify({"department": department.code, "people": [
        {"id": u.id, "name": u.name, "role": u.role} for u in service.untrained(department.id)]})
