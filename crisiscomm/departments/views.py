from flask import Blueprint, render_template, request
from flask_login import login_required

from ..scoping import resolve_department
from . import service
from .models import Department  # noqa: F401

bp = Blueprint("departments", __name__, url_prefix="/departments")


@bp.get("/")
@login_required
def index():
    status = request.args.get("status", "active")
    if status not in ("active", "merged", "all"):
        status = "active"
    q = request.args.get("q", "").strip()
    deps = service.list_departments(status=status, q=q or None)
    return render_template("departments/index.html", departments=deps, status=status, q=q)


@bp.get("/<code>")
@login_required
def show(code):
    dep = resolve_department(code, allow_merged=True)
    return render_template("departments/show.html", department=dep, absorbed=dep.absorbed(),
                           counts=service.department_summary(dep))
