from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from .. import boundary
from ..errors import PermissionDenied
from . import service

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
    dep = service.resolve(code, current_user, allow_merged=True)
    return render_template("departments/show.html", department=dep, absorbed=dep.absorbed(),
                           counts=service.department_summary(dep))


class PublicContactForm(FlaskForm):
    website = StringField(_l("Web portal"))
    phone = StringField(_l("Switchboard phone"))
    exam_hotline = StringField(_l("Exam hotline"))
    email = StringField(_l("Email"))
    address = StringField(_l("Address"))
    fanpage = StringField(_l("Facebook page"))
    zalo = StringField(_l("Zalo official account"))


@bp.route("/<code>/contact", methods=["GET", "POST"])
@login_required
def public_contact(code):
    """The portal, hotlines and addresses the Department's playbooks and statements quote."""
    department = service.resolve(code, current_user)
    if not service.can_edit_public_contact(current_user, department):
        raise PermissionDenied()
    form = PublicContactForm(data=service.public_contact(department) if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            service.update_public_contact(department=department, user=current_user,
                                          **{name: getattr(form, name).data for name in
                                             service.PUBLIC_COLUMNS + service.PUBLIC_SETTINGS})
        if not saved:
            status = 422
        else:
            flash(_("Saved: playbooks now quote these details."), "success")
            return redirect(request.args.get("next") if (request.args.get("next") or "").startswith("/")
                            and not request.args["next"].startswith("//") else url_for(".show", code=department.code))
    elif request.method == "POST":
        status = 422
    return render_template("departments/contact.html", department=department, form=form), status
