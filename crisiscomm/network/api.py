"""The network under /api/v1/network: schools, focal points, groups (list, search, create, update, archive).
Another Department's record is a 404, like everywhere."""
from flask import jsonify, request
from flask_babel import gettext as _

from .. import permissions
from ..api import api_blueprint, bool_arg, doc, json_body, reject_unknown
from ..errors import ValidationError
from ..inputs import id_or_none
from ..scoping import get_or_404, is_ministry, resolve_department
from . import service
from .models import FOCAL_KINDS, LEVELS, OWNERSHIPS, FocalPoint, NetworkGroup, School

bp = api_blueprint("network_api", __name__)

_STR = {"type": "string"}
_SCHOOL_FIELDS = ("name", "level", "ownership", "commune", "address", "code", "aliases", "notes")
_FOCAL_FIELDS = ("full_name", "kind", "title", "phone", "email")
_SCHOOL_BODY = {"type": "object", "properties": {
    **{k: _STR for k in _SCHOOL_FIELDS if k not in ("level", "ownership", "aliases")},
    "level": {"type": "string", "enum": list(LEVELS)}, "ownership": {"type": "string", "enum": list(OWNERSHIPS)},
    "aliases": {"type": "array", "items": _STR}, "department": _STR}}
_FOCAL_BODY = {"type": "object", "properties": {**{k: _STR for k in _FOCAL_FIELDS},
                                                 "kind": {"type": "string", "enum": list(FOCAL_KINDS)}}}
_GROUP_BODY = {"type": "object", "properties": {"name": _STR, "description": _STR, "department": _STR,
                                                 "add_schools": {"type": "array", "items": {"type": "integer"}},
                                                 "remove_schools": {"type": "array", "items": {"type": "integer"}},
                                                 "add_level": {"type": "string", "enum": list(LEVELS)},
                                                 "add_commune": _STR, "archived": {"type": "boolean"}}}


def _dt(value):
    return value.isoformat() if value else None


def focal_json(f):
    return {"id": f.id, "school_id": f.school_id, "kind": f.kind, "full_name": f.full_name, "title": f.title,
            "phone": f.phone, "phone_e164": f.phone_number, "email": f.email, "has_account": f.user_id is not None,
            "last_verified_at": _dt(f.last_verified_at), "stale": service.is_stale(f),
            "archived_at": _dt(f.archived_at)}


def school_json(s, full=False):
    out = {"id": s.id, "department": s.department.code, "name": s.name, "level": s.level, "ownership": s.ownership,
           "commune": s.commune, "address": s.address, "code": s.code, "aliases": list(s.aliases or []),
           "last_verified_at": _dt(s.last_verified_at), "stale": service.is_stale(s),
           "archived_at": _dt(s.archived_at), "groups": [g.id for g in s.groups]}
    if full:
        out.update(notes=s.notes, focal_points=[focal_json(f) for f in s.focal_points])
    return out


def group_json(g):
    return {"id": g.id, "department": g.department.code, "name": g.name, "description": g.description,
            "archived_at": _dt(g.archived_at), "schools": [s.id for s in g.schools]}


def _department():
    code = request.args.get("department") or None
    return None if is_ministry() and not code else resolve_department(code)


@bp.get("/network/schools")
@permissions.required("network.read")
@doc(summary="Schools and units of the network (folded search over names, communes and focal points)", params={
    "q": (_STR, "search text, case and diacritics ignored"), "department": (_STR, "Department code"),
    "level": ({"type": "string", "enum": list(LEVELS)}, "level"), "commune": (_STR, "commune or ward"),
    "group": ({"type": "integer"}, "group id"), "stale": ({"type": "boolean"}, "unverified for 12 months"),
    "archived": ({"type": "boolean"}, "the archived ones instead")}, tags=["network"])
def list_schools():
    level = request.args.get("level") or None
    if level and level not in LEVELS:
        raise ValidationError(_("Unknown level."), fields={"level": _("one of %(v)s", v=", ".join(LEVELS))})
    department = _department()
    schools = service.list_schools(department_id=department.id if department else None,
                                   q=(request.args.get("q") or "")[:200] or None, level=level,
                                   commune=(request.args.get("commune") or "")[:200] or None,
                                   group_id=id_or_none(request.args.get("group")), stale=bool_arg("stale"),
                                   archived=bool_arg("archived"))
    return jsonify({"schools": [school_json(s) for s in schools]})


@bp.post("/network/schools")
@permissions.required("network.edit")
@doc(summary="Add a school or unit to the network", body=_SCHOOL_BODY, tags=["network"])
def create_school():
    data = json_body()
    reject_unknown(data, _SCHOOL_FIELDS + ("department",))
    school = service.create_school(department=resolve_department(data.get("department")),
                                   data={k: v for k, v in data.items() if k != "department"})
    return jsonify(school_json(school, full=True)), 201


@bp.get("/network/schools/<int:school_id>")
@permissions.required("network.read")
@doc(summary="One school with its focal points", tags=["network"])
def get_school(school_id):
    return jsonify(school_json(get_or_404(School, school_id), full=True))


def _with_flags(body):
    return {**body, "properties": {**body["properties"], "archived": {"type": "boolean"},
                                   "verified": {"type": "boolean"}}}


def _patch(record, fields, update):
    """Apply a PATCH body: ``update(values)`` for the record's own fields, then archived and verified."""
    data = json_body()
    reject_unknown(data, fields + ("archived", "verified"))
    _flags(data)
    update({k: v for k, v in data.items() if k in fields})
    _apply_flags(record, data)
    return record


@bp.patch("/network/schools/<int:school_id>")
@permissions.required("network.edit")
@doc(summary="Change a school; archived: true/false archives or restores it, verified: true marks it verified",
     body=_with_flags(_SCHOOL_BODY), tags=["network"])
def update_school(school_id):
    school = get_or_404(School, school_id)
    _patch(school, _SCHOOL_FIELDS, lambda values: service.update_school(school=school, data=values))
    return jsonify(school_json(school, full=True))


def _flags(data):
    for name in ("archived", "verified"):
        if name in data and not isinstance(data[name], bool):
            raise ValidationError(_("Expected true or false."), fields={name: _("expected a boolean")})


def _apply_flags(record, data):
    if "archived" in data:
        (service.archive if data["archived"] else service.restore)(record)
    if data.get("verified"):
        service.verify(record)


@bp.get("/network/focal-points")
@permissions.required("network.read")
@doc(summary="Focal points (folded search over names, phones and emails)", params={
    "q": (_STR, "search text"), "school": ({"type": "integer"}, "school id"),
    "department": (_STR, "Department code")}, tags=["network"])
def list_focal_points():
    department = _department()
    school_id = id_or_none(request.args.get("school"))
    q = (request.args.get("q") or "")[:200]
    rows = service.list_focal_points(department_id=department.id if department else None, school_id=school_id,
                                     q=q or None)
    return jsonify({"focal_points": [focal_json(f) for f in rows]})


@bp.post("/network/schools/<int:school_id>/focal-points")
@permissions.required("network.edit")
@doc(summary="Add a focal point to a school", body=_FOCAL_BODY, tags=["network"])
def create_focal_point(school_id):
    school = get_or_404(School, school_id)
    data = json_body()
    reject_unknown(data, _FOCAL_FIELDS)
    return jsonify(focal_json(service.create_focal_point(school=school, data=data))), 201


@bp.patch("/network/focal-points/<int:focal_id>")
@permissions.required("network.edit")
@doc(summary="Change a focal point; archived: true/false, verified: true", body=_with_flags(_FOCAL_BODY),
     tags=["network"])
def update_focal_point(focal_id):
    focal = get_or_404(FocalPoint, focal_id)
    _patch(focal, _FOCAL_FIELDS, lambda values: service.update_focal_point(focal_point=focal, data=values))
    return jsonify(focal_json(focal))


@bp.get("/network/groups")
@permissions.required("network.read")
@doc(summary="Groups of schools", params={"department": (_STR, "Department code"),
                                          "q": (_STR, "search text, case and diacritics ignored"),
                                          "archived": ({"type": "boolean"}, "the archived ones instead")},
     tags=["network"])
def list_groups():
    department = _department()
    return jsonify({"groups": [group_json(g) for g in service.list_groups(
        department_id=department.id if department else None, q=(request.args.get("q") or "")[:200] or None,
        archived=bool_arg("archived"))]})


@bp.post("/network/groups")
@permissions.required("network.edit")
@doc(summary="Create a group", body=_GROUP_BODY, tags=["network"])
def create_group():
    data = json_body()
    reject_unknown(data, ("name", "description", "department"))
    group = service.create_group(department=resolve_department(data.get("department")),
                                 data={k: v for k, v in data.items() if k != "department"})
    return jsonify(group_json(group)), 201


@bp.patch("/network/groups/<int:group_id>")
@permissions.required("network.edit")
@doc(summary="Change a group: its name, schools added or removed, every school of a level or commune added; "
             "archived: true/false", body=_GROUP_BODY, tags=["network"])
def update_group(group_id):
    group = get_or_404(NetworkGroup, group_id)
    data = json_body()
    reject_unknown(data, ("name", "description", "add_schools", "remove_schools", "add_level", "add_commune",
                          "archived"))
    _flags(data)
    for name in ("add_schools", "remove_schools"):
        if name in data and not (isinstance(data[name], list) and len(data[name]) <= 1000):
            raise ValidationError(_("Expected a list of school ids."), fields={name: _("a list of ids")})
    service.update_group(group=group, data={k: v for k, v in data.items() if k in ("name", "description")})
    if data.get("add_schools"):
        service.add_schools(group=group, schools=[get_or_404(School, i) for i in data["add_schools"]])
    for i in data.get("remove_schools") or []:
        service.remove_school(group=group, school=get_or_404(School, i))
    if data.get("add_level") or data.get("add_commune"):
        service.add_matching(group=group, level=data.get("add_level"), commune=data.get("add_commune"))
    _apply_flags(group, data)
    return jsonify(group_json(group))


def _archive(record, as_json):
    return jsonify(as_json(service.archive(record)))


@bp.post("/network/schools/<int:school_id>/archive")
@permissions.required("network.edit")
@doc(summary="Archive a school (never deleted)", tags=["network"])
def archive_school(school_id):
    return _archive(get_or_404(School, school_id), lambda r: school_json(r, full=True))


@bp.post("/network/focal-points/<int:focal_id>/archive")
@permissions.required("network.edit")
@doc(summary="Archive a focal point (its account, if any, is closed; never deleted)", tags=["network"])
def archive_focal_point(focal_id):
    return _archive(get_or_404(FocalPoint, focal_id), focal_json)


@bp.post("/network/groups/<int:group_id>/archive")
@permissions.required("network.edit")
@doc(summary="Archive a group (never deleted)", tags=["network"])
def archive_group(group_id):
    return _archive(get_or_404(NetworkGroup, group_id), group_json)
