from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from .. import scoping
from ..departments.service import list_departments
from . import service

bp = Blueprint("statements", __name__)


@bp.get("/statements")
@login_required
def library():
    q = request.args.get("q", "").strip()
    code = request.args.get("department") or None
    department = scoping.resolve_department(code) if code else None
    rows = service.search_statements(q=q or None, department=department)
    departments = list_departments() if current_user.is_ministry else []
    return render_template("statements/library.html", statements=rows, q=q, code=code or "",
                           departments=departments)
