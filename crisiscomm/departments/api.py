from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..api import api_blueprint, doc
from ..errors import ValidationError
from . import service

bp = api_blueprint("departments_api", __name__)


def department_json(dep):
    return {
        "code": dep.code,
        "name": dep.name,
        "province": dep.province,
        "status": dep.status,
        "cluster_2022": dep.cluster_2022,
        "merged_into": dep.merged_into.code if dep.merged_into else None,
        "former_names": dep.all_former_names(),
        "former_codes": list(dep.former_codes or []),
    }


@bp.get("/departments")
@doc(summary="List Departments (active ones by default)",
     params={"status": ({"type": "string", "enum": ["active", "merged", "all"]}, "filter by status"),
             "q": ({"type": "string"}, "search name, code or former names")})
def list_departments():
    status = request.args.get("status", "active")
    if status not in ("active", "merged", "all"):
        raise ValidationError(_("Unknown status."), fields={"status": _("one of active, merged, all")})
    deps = service.list_departments(status=status, q=request.args.get("q"))
    return jsonify({"items": [department_json(d) for d in deps]})


@bp.get("/departments/<code>")
@doc(summary="One Department (yours, or any for Ministry users)")
def get_department(code):
    dep = service.resolve(code, current_user, allow_merged=True)
    return jsonify(department_json(dep))
