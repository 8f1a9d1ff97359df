from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..api import api_blueprint, bool_arg, doc, json_body, reject_unknown
from ..errors import ValidationError
from ..scoping import get_or_404, resolve_department
from . import distribution, service
from .render import playbook_incident, render_playbook
from .models import CATEGORIES, ScenarioDistribution

bp = api_blueprint("scenarios_api", __name__)

_DIST_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "scenario": {"type": "string"}, "scenario_id": {"type": "integer"},
    "version": {"type": "integer"}, "department": {"type": "string"}, "department_name": {"type": "string"},
    "distributed_at": {"type": "string", "format": "date-time"}, "acknowledged": {"type": "boolean"},
    "acknowledged_at": {"type": "string", "format": "date-time", "nullable": True},
    "acknowledged_by": {"type": "string", "nullable": True},
    "reminded_at": {"type": "string", "format": "date-time", "nullable": True},
    "reminder_count": {"type": "integer"}}}
_DIST_LIST = {"type": "object", "properties": {"items": {"type": "array", "items": _DIST_SCHEMA}}}


@bp.get("/scenarios")
@doc(summary="List the crisis scenario templates (id, title, category, latest version)",
     params={"category": ({"type": "string", "enum": list(CATEGORIES)}, "filter by category"),
             "exam_related": ({"type": "boolean"}, "only exam (or only non-exam) scenarios"),
             "q": ({"type": "string"}, "search title and summary (diacritics-insensitive)")},
     responses={200: {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}}})
def list_scenarios():
    rows = service.list_scenarios(category=request.args.get("category") or None,
                                  exam_related=bool_arg("exam_related"), q=request.args.get("q"))
    return jsonify({"items": [service.scenario_json(s) for s in rows]})


@bp.get("/scenarios/<ident>")
@doc(summary="One scenario: front matter of the latest version and every version (by id or slug)")
def get_scenario(ident):
    return jsonify(service.scenario_json(service.get_scenario(ident), full=True))


@bp.post("/scenarios/<ident>/distributions")
@doc(summary="Distribute a scenario version to all active Departments or the ones named (Ministry centre)",
     body={"type": "object", "required": ["version", "departments"], "properties": {
         "version": {"type": "integer"},
         "departments": {"oneOf": [{"type": "string", "enum": ["all"]},
                                   {"type": "array", "items": {"type": "string"}}]}}},
     responses={201: _DIST_LIST,
                403: "Only ministry_comms and ministry_admin distribute"})
def distribute(ident):
    scenario = service.get_scenario(ident)
    data = json_body()
    reject_unknown(data, ("version", "departments"))
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValidationError(_("Bad version."), fields={"version": _("an integer version number")})
    records = distribution.distribute(scenario=scenario, version=version, departments=data.get("departments"),
                                 by=current_user)
    return jsonify({"items": [distribution.distribution_json(r) for r in records]}), 201


@bp.get("/distributions")
@doc(summary="Distribution status per Department (your Department's, or all for the Ministry)",
     params={"scenario": ({"type": "string"}, "scenario id or slug"),
             "version": ({"type": "integer"}, "only this version (with scenario)")},
     responses={200: _DIST_LIST})
def list_distributions():
    scenario = service.get_scenario(request.args["scenario"]) if request.args.get("scenario") else None
    rows = distribution.list_distributions(scenario=scenario)
    if request.args.get("version"):
        if scenario is None:
            raise ValidationError(_("A version needs a scenario."), fields={"scenario": _("required with version")})
        version = service.get_version(scenario, request.args["version"])
        rows = [r for r in rows if r.scenario_version_id == version.id]
    return jsonify({"items": [distribution.distribution_json(r) for r in rows]})


@bp.post("/distributions/<int:distribution_id>/acknowledge")
@doc(summary="Acknowledge receipt of a distributed scenario (a user of the receiving Department)",
     body={"type": "object"}, responses={200: _DIST_SCHEMA, 403: "Ministry users and viewers cannot acknowledge"})
def acknowledge(distribution_id):
    record = get_or_404(ScenarioDistribution, distribution_id)
    distribution.acknowledge(distribution=record, user=current_user)
    return jsonify(distribution.distribution_json(record))


@bp.get("/scenarios/<ident>/render")
@doc(summary="The playbook rendered for a Department (its adaptation if any, else the Ministry template)",
     params={"department": ({"type": "string"}, "Department code (Ministry users must give one)"),
             "version": ({"type": "integer"}, "render this Ministry version instead of the adaptation"),
             "incident": ({"type": "integer"}, "fill incident placeholders from this incident")},
     responses={200: {"type": "object", "properties": {
         "scenario": {"type": "string"}, "version": {"type": "integer"}, "adapted": {"type": "boolean"},
         "department": {"type": "string"}, "html": {"type": "string"}, "holding_statement": {"type": "string"},
         "phases": {"type": "array", "items": {"type": "object"}}}}})
def render(ident):
    scenario = service.get_scenario(ident)
    department = resolve_department(request.args.get("department"))
    incident = None
    if request.args.get("incident"):
        incident = playbook_incident(request.args["incident"])
        if incident.department_id != department.id:
            raise ValidationError(_("The incident belongs to another Department."),
                                  fields={"incident": _("not an incident of this Department")})
    playbook = render_playbook(department=department, scenario=scenario, incident=incident,
                               version=request.args.get("version") or None)
    return jsonify({"scenario": scenario.slug, "version": playbook.version.version,
                    "adapted": playbook.adaptation is not None, "department": department.code,
                    "html": str(playbook.html), "holding_statement": playbook.holding_statement,
                    "phases": [{"name": p["name"], "due_after": p["due_after"],
                                "due_at": p["due_at"].isoformat() if p["due_at"] else None, "items": p["items"]}
                               for p in playbook.phases]})
