from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..api import api_blueprint, doc, json_body, reject_unknown
from ..errors import ValidationError
from ..scoping import get_or_404, is_ministry, resolve_department
from . import service
from .models import DepartmentPlan
from .years import current_school_year, parse_school_year

bp = api_blueprint("plans_api", __name__)

_YEAR_PARAM = {"year": ({"type": "string", "pattern": r"^\d{4}-\d{4}$"}, "school year, e.g. 2025-2026 (default: current)")}


def ministry_plan_json(plan):
    if plan is None:
        return None
    return {"school_year": plan.school_year, "title": plan.title, "body": plan.body, "themes": list(plan.themes or []),
            "key_dates": list(plan.key_dates or []),
            "published_at": plan.published_at.isoformat() if plan.published_at else None}


def department_plan_json(plan, with_versions=False):
    out = {"id": plan.id, "department": plan.department.code, "department_name": plan.department.name,
           "school_year": plan.school_year, "title": plan.title, "body": plan.body, "themes": list(plan.themes or []),
           "status": plan.status, "version": plan.version,
           "submitted_at": plan.submitted_at.isoformat() if plan.submitted_at else None,
           "submitted_by": plan.submitted_by.name if plan.submitted_by else None,
           "first_submitted_at": plan.first_submitted_at.isoformat() if plan.first_submitted_at else None,
           "has_unsubmitted_changes": plan.has_unsubmitted_changes}
    if with_versions:
        out["versions"] = [{"version": v.version, "title": v.title, "body": v.body, "themes": list(v.themes or []),
                            "submitted_at": v.submitted_at.isoformat(),
                            "submitted_by": v.submitted_by.name if v.submitted_by else None} for v in plan.versions]
    return out


def _year_arg():
    return parse_school_year(request.args.get("year") or current_school_year())


@bp.get("/plans")
@doc(summary="Communication plans of a school year: the Ministry's plan, the Department plans you may see and "
             "(Ministry roles) which active Departments have submitted", params=_YEAR_PARAM)
def list_plans():
    year = _year_arg()
    body = {"school_year": year, "ministry_plan": ministry_plan_json(service.get_ministry_plan(year)),
            "department_plans": [department_plan_json(p) for p in service.list_plans(year)]}
    if is_ministry():
        body["submission_status"] = [{"department": d.code, "name": d.name,
                                      "status": p.status if p else "missing",
                                      "submitted_at": p.submitted_at.isoformat() if p and p.submitted_at else None}
                                     for d, p in service.submission_status(year)]
    return jsonify(body)


@bp.put("/plans/ministry/<year>")
@doc(summary="Publish or update the Ministry's communication plan for a school year (Ministry roles)",
     body={"type": "object", "required": ["title", "themes"], "additionalProperties": False, "properties": {
         "title": {"type": "string"}, "body": {"type": "string", "description": "Markdown"},
         "themes": {"type": "array", "items": {"type": "string"}},
         "key_dates": {"type": "array", "items": {"type": "object", "properties": {
             "date": {"type": "string", "format": "date"}, "label": {"type": "string"}}}}}})
def put_ministry_plan(year):
    data = json_body()
    reject_unknown(data, ("title", "body", "themes", "key_dates"))
    plan = service.publish_ministry_plan(school_year=year, title=data.get("title"), body=data.get("body") or "",
                                         themes=data.get("themes") or [], key_dates=data.get("key_dates") or [],
                                         user=current_user)
    return jsonify(ministry_plan_json(plan))


@bp.put("/plans/department/<year>")
@doc(summary="Save your Department's plan for a school year; \"submit\": true also submits it as a new version",
     body={"type": "object", "required": ["title"], "additionalProperties": False, "properties": {
         "title": {"type": "string"}, "body": {"type": "string", "description": "Markdown"},
         "themes": {"type": "array", "items": {"type": "string"}, "description": "themes of the Ministry's plan"},
         "submit": {"type": "boolean"}}})
def put_department_plan(year):
    data = json_body()
    reject_unknown(data, ("title", "body", "themes", "submit"))
    if not isinstance(data.get("submit", False), bool):
        raise ValidationError(_("submit must be true or false."), fields={"submit": _("expected a boolean")})
    plan = service.save_department_plan(department=resolve_department(), school_year=year, title=data.get("title"),
                                        body=data.get("body") or "", themes=data.get("themes") or [],
                                        user=current_user, submit=data.get("submit", False))
    return jsonify(department_plan_json(plan, with_versions=True))


@bp.get("/plans/<int:plan_id>")
@doc(summary="One Department plan with its submitted versions (your Department's, or any for Ministry roles)")
def get_plan(plan_id):
    return jsonify(department_plan_json(get_or_404(DepartmentPlan, plan_id), with_versions=True))


@bp.get("/plans/compare")
@doc(summary="Submitted plans of two to six Departments side by side (Ministry roles)",
     params={**_YEAR_PARAM, "departments": ({"type": "string"}, "comma-separated Department codes", True)})
def compare():
    year = _year_arg()
    codes = [c.strip() for c in (request.args.get("departments") or "").split(",") if c.strip()]
    columns = service.compare(school_year=year, codes=codes)
    return jsonify({"school_year": year, "columns": [
        {"department": d.code, "name": d.name, "status": p.status if p else "missing",
         "submitted": None if v is None else {"version": v.version, "title": v.title, "body": v.body,
                                              "themes": list(v.themes or []),
                                              "submitted_at": v.submitted_at.isoformat()}}
        for d, p, v in columns]})
