from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..clock import to_local
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..security import roles_required
from . import service
from .models import APPLIES_TO, DeadlineRule

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")
# Everyone who works with deadlines may read the rules and their sources; service.can_manage decides who edits.
READERS = ("ministry_admin", "ministry_comms", "director", "deputy_director", "spokesperson", "comms_officer")


def _form_data(rule=None):
    if request.method == "POST":
        f = request.form
        return {"name": f.get("name"), "legal_source": f.get("legal_source"), "source_status": f.get("source_status"),
                "applies_to": f.get("applies_to"), "duration_minutes": f.get("duration_minutes"),
                "channels": f.getlist("channels"), "priorities": f.getlist("priorities"),
                "severities": f.getlist("severities"), "incident_linked": f.get("incident_linked", ""),
                "valid_from": f.get("valid_from"), "valid_to": f.get("valid_to"), "active": f.get("active") == "1",
                "department_id": f.get("department_id"), "authority": f.get("authority"),
                "source_document": f.get("source_document"), "source_article": f.get("source_article"),
                "source_date": f.get("source_date"), "confidence": f.get("confidence")}
    if rule is None:
        mine = not current_user.is_ministry
        return {"applies_to": "incident_first_statement" if mine else "inquiry_response", "duration_minutes": 1440,
                "active": True, "channels": [], "priorities": [], "severities": [], "incident_linked": "",
                "department_id": current_user.department_id if mine else "",
                "authority": "province_regulation" if mine else "law", "confidence": "verified"}

    def local(dt):
        return to_local(dt).strftime("%Y-%m-%dT%H:%M") if dt else ""

    return {"name": rule.name, "legal_source": rule.legal_source, "source_status": rule.source_status,
            "applies_to": rule.applies_to, "duration_minutes": rule.duration_minutes, "channels": rule.channels,
            "priorities": rule.priorities, "severities": rule.severities,
            "incident_linked": {None: "", True: "yes", False: "no"}[rule.incident_linked],
            "valid_from": local(rule.valid_from), "valid_to": local(rule.valid_to), "active": rule.active,
            "department_id": rule.department_id or "", "authority": rule.authority,
            "source_document": rule.source_document, "source_article": rule.source_article,
            "source_date": rule.source_date.isoformat() if rule.source_date else "", "confidence": rule.confidence}


def _labels():
    from ..incidents.labels import severity_label
    from ..inquiries.forms import CHANNEL_LABELS, PRIORITY_LABELS

    return {"channels": CHANNEL_LABELS, "priorities": PRIORITY_LABELS,
            "severities": [(s, severity_label(s)) for s in ("low", "medium", "high", "critical")]}


def _departments():
    from ..departments.models import Department

    if not current_user.is_ministry:
        return [current_user.department] if current_user.department is not None else []
    return db.session.scalars(select(Department).where(Department.status == "active")
                              .order_by(Department.sort_name)).all()


@bp.get("")
@roles_required(*READERS)
def index():
    return render_template("rules/index.html", rules=service.list_rules(current_user), in_use=service.rule_in_use,
                           can_manage=service.can_manage, labels=_labels(), can_add=service.can_manage(
                               current_user, None if current_user.is_ministry else current_user.department_id))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:rule_id>", methods=["GET", "POST"])
@roles_required("ministry_admin", *service.DEPARTMENT_EDITORS)
def edit(rule_id=None):
    rule = None
    if rule_id is not None:
        rule = db.session.get(DeadlineRule, rule_id)
        if rule is None or (rule.department_id is not None and not current_user.is_ministry
                            and rule.department_id != current_user.department_id):
            raise NotFound()
        if not service.can_manage(current_user, rule.department_id):
            raise PermissionDenied()
    elif not service.can_manage(current_user, None if current_user.is_ministry else current_user.department_id):
        raise PermissionDenied()
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
                           in_use=rule is not None and service.rule_in_use(rule), departments=_departments(),
                           authorities=service.AUTHORITY_LABELS, confidences=service.CONFIDENCE_LABELS,
                           labels=_labels()), status
