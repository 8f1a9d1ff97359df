from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sqlalchemy import select

from .. import boundary, permissions
from ..clock import from_local
from ..departments.models import ACTIVE, Department
from ..departments.service import list_departments
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..forms import select_choices
from ..scoping import get_or_404, is_ministry, resolve_department
from ..users.models import User
from ..users.service import department_users
from . import service
from .forms import AssignForm, EndForm
from .models import SpokespersonAssignment

bp = Blueprint("spokespersons", __name__, url_prefix="/spokespersons")


@bp.get("/")
def public():
    """Public directory (no sign-in): each active Department's official spokesperson, published contacts only."""
    return render_template("spokespersons/public.html", directory=service.public_directory())


def _can_manage():
    return permissions.can(current_user, "spokesperson.assign")


def _render(department, form, status=200):
    return render_template("spokespersons/manage.html", department=department, form=form,
                           current=service.current_assignments(department.id), history=service.history(department.id),
                           status_of=service.status_of, can_manage=_can_manage(), end_form=EndForm(),
                           departments=list_departments() if is_ministry() else []), status


def _assign_form(department):
    form = AssignForm()
    form.user_id.choices = select_choices((u.id, f"{u.name} — {u.title or u.role}")
                                          for u in department_users(department.id))
    return form


@bp.get("/department")
@login_required
def manage():
    code = request.args.get("department") or None
    if code is None and current_user.department_id is None:
        # A Ministry user first picks whose spokespersons to see.
        departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                         .order_by(Department.sort_name)).all()
        return render_template("briefings/pick_department.html", departments=departments)
    department = resolve_department(code)
    return _render(department, _assign_form(department))


@bp.post("/department/<code>/assign")
@login_required
def assign(code):
    permissions.require(current_user, "spokesperson.assign")
    department = resolve_department(code)
    form = _assign_form(department)
    if not form.validate_on_submit():
        return _render(department, form, 422)
    try:
        with boundary.saving(flash_unplaced=False) as saved:
            service.assign(department=department, user=db.session.get(User, form.user_id.data),
                           kind=form.kind.data, topics=form.topics.data, decision_number=form.decision_number.data,
                           decision_date=form.decision_date.data, decision_url=form.decision_url.data,
                           effective_from=from_local(form.effective_from.data) if form.effective_from.data else None,
                           effective_to=from_local(form.effective_to.data) if form.effective_to.data else None,
                           public_phone=form.public_phone.data, public_email=form.public_email.data,
                           note=form.note.data, replace=form.replace.data)
    except Conflict as exc:  # an overlapping official: shown on the form, answered 409
        db.session.rollback()  # the page lists the assignments as they stand
        return _refused(department, form, exc)
    if not saved:
        return _refused(department, form, saved.error)
    flash(_("Assignment recorded."), "success")
    return redirect(url_for("spokespersons.manage", department=department.code if is_ministry() else None))


def _refused(department, form, exc):
    """The form again with the refusal's messages under its fields (the kind for the others)."""
    for name, problem in (exc.fields or {"kind": exc.message}).items():
        field = getattr(form, name, None) or form.kind
        field.errors = list(field.errors) + [problem]
    if isinstance(exc, Conflict):
        form.kind.errors = list(form.kind.errors) + [exc.message]
    return _render(department, form, exc.status)


@bp.post("/<int:assignment_id>/end")
@login_required
def end(assignment_id):
    permissions.require(current_user, "spokesperson.assign")
    row = get_or_404(SpokespersonAssignment, assignment_id)
    form = EndForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Invalid end time."), fields={"effective_to": _("expected a date and time")})
    at = from_local(form.effective_to.data) if form.effective_to.data else None
    service.end_assignment(assignment=row, at=at)
    code = row.department.code
    flash(_("Assignment ended. It stays in the history."), "success")
    return redirect(url_for("spokespersons.manage", department=code if is_ministry() else None))
