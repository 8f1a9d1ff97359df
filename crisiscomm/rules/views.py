from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import to_local
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..security import roles_required
from . import service
from .models import APPLIES_TO, DeadlineRule

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


def _form_data(rule=None):
    if request.method == "POST":
        f = request.form
        return {"name": f.get("name"), "legal_source": f.get("legal_source"), "source_status": f.get("source_status"),
                "applies_to": f.get("applies_to"), "duration_minutes": f.get("duration_minutes"),
                "channels": f.getlist("channels"), "priorities": f.getlist("priorities"),
                "severities": f.getlist("severities"), "incident_linked": f.get("incident_linked", ""),
                "valid_from": f.get("valid_from"), "valid_to": f.get("valid_to"), "active": f.get("active") == "1"}
    if rule is None:
        return {"applies_to": "inquiry_response", "duration_minutes": 1440, "active": True, "channels": [],
                "priorities": [], "severities": [], "incident_linked": ""}

    def local(dt):
        return to_local(dt).strftime("%Y-%m-%dT%H:%M") if dt else ""

    return {"name": rule.name, "legal_source": rule.legal_source, "source_status": rule.source_status,
            "applies_to": rule.applies_to, "duration_minutes": rule.duration_minutes, "channels": rule.channels,
            "priorities": rule.priorities, "severities": rule.severities,
            "incident_linked": {None: "", True: "yes", False: "no"}[rule.incident_linked],
            "valid_from": local(rule.valid_from), "valid_to": local(rule.valid_to), "active": rule.active}


@bp.get("")
@roles_required("ministry_admin")
def index():
    return render_template("rules/index.html", rules=service.list_rules(), in_use=service.rule_in_use)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:rule_id>", methods=["GET", "POST"])
@roles_required("ministry_admin")
def edit(rule_id=None):
    rule = None
    if rule_id is not None:
        rule = db.session.get(DeadlineRule, rule_id)
        if rule is None:
            raise NotFound()
    data, errors, status = _form_data(rule), {}, 200
    if request.method == "POST":
        try:
            if rule is None:
                saved = service.create_rule(user=current_user, data=data)
            else:
                saved = service.update_rule(user=current_user, rule=rule, data=data)
        except ValidationError as exc:
            errors, status = exc.fields, 422
        else:
            db.session.commit()
            if rule is not None and saved.id != rule.id:
                flash(_("The rule was already used for deadlines: it now ends today and a new version applies "
                        "from now."), "warning")
            else:
                flash(_("Rule saved."), "success")
            return redirect(url_for("rules.index"))
    return render_template("rules/edit.html", rule=rule, data=data, errors=errors, applies_to=APPLIES_TO,
                           in_use=rule is not None and service.rule_in_use(rule)), status
