from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import boundary, permissions
from ..forms import select_choices
from ..scoping import get_or_404, is_ministry, resolve_department
from . import service
from .forms import DepartmentPlanForm, MinistryPlanForm
from .models import DepartmentPlan
from .years import current_school_year, recent_years, school_year_or_404

bp = Blueprint("plans", __name__, url_prefix="/plans")


def _place_rest(form, saved):
    """Errors no form field shows go under the title."""
    for message in saved.unplaced.values():
        form.title.errors = list(form.title.errors) + [message]


@bp.get("/")
@login_required
def index():
    return redirect(url_for("plans.year", year=request.args.get("year") or current_school_year()))


@bp.get("/<year>")
@login_required
def year(year):
    year = school_year_or_404(year)
    ministry = service.get_ministry_plan(year)
    ctx = {"year": year, "ministry": ministry, "years": recent_years()}
    if is_ministry():
        ctx["status"] = service.submission_status(year)
        ctx["coverage"] = service.theme_coverage(year)
    elif current_user.department_id:
        ctx["own"] = service.own_plan(current_user.department, year)
    return render_template("plans/year.html", **ctx)


@bp.route("/<year>/ministry", methods=["GET", "POST"])
@permissions.required("plan.publish")
def edit_ministry(year):
    year = school_year_or_404(year)
    plan = service.get_ministry_plan(year)
    form = MinistryPlanForm()
    if request.method == "GET" and plan is not None:
        form.title.data, form.body.data = plan.title, plan.body
        form.themes.data = "\n".join(plan.themes or [])
        form.key_dates.data = "\n".join(f"{d['date'][8:10]}/{d['date'][5:7]}/{d['date'][:4]} | {d['label']}"
                                        for d in plan.key_dates or [])
    status = 200
    if form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            service.publish_ministry_plan(school_year=year, title=form.title.data, body=form.body.data,
                                          themes=form.themes.data, key_dates=form.key_dates.data, user=current_user)
        if saved:
            flash(_("The Ministry's plan for %(year)s is published.", year=year), "success")
            return redirect(url_for("plans.year", year=year))
        _place_rest(form, saved)
    if request.method == "POST":
        status = 422
    return render_template("plans/ministry_form.html", form=form, year=year, plan=plan), status


@bp.route("/<year>/mine", methods=["GET", "POST"])
@permissions.required("plan.write")
def edit_own(year):
    year = school_year_or_404(year)
    department = resolve_department()
    ministry = service.get_ministry_plan(year)
    if ministry is None:
        flash(_("The Ministry has not published its plan for %(year)s yet.", year=year), "warning")
        return redirect(url_for("plans.year", year=year))
    plan = service.own_plan(department, year)
    form = DepartmentPlanForm()
    form.themes.choices = select_choices((t, t) for t in ministry.themes or [])
    if request.method == "GET":
        if plan is not None:
            form.title.data, form.body.data, form.themes.data = plan.title, plan.body, list(plan.themes or [])
        else:
            form.title.data = _("Communication plan %(year)s of the %(department)s", year=year,
                                department=department.name)
    status = 200
    if form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        with boundary.saving(form, flash_unplaced=False) as saved:
            plan = service.save_department_plan(department=department, school_year=year, title=form.title.data,
                                                body=form.body.data, themes=form.themes.data or [],
                                                user=current_user, submit=submit)
        if saved:
            flash(_("Plan submitted to the Ministry (version %(n)s).", n=plan.version) if submit
                  else _("Draft saved."), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
        _place_rest(form, saved)
    if request.method == "POST":
        status = 422
    return render_template("plans/department_form.html", form=form, year=year, plan=plan, ministry=ministry,
                           department=department), status


@bp.get("/view/<int:plan_id>")
@login_required
def show(plan_id):
    plan = get_or_404(DepartmentPlan, plan_id)
    version = None
    if request.args.get("version"):
        version = next((v for v in plan.versions if str(v.version) == request.args["version"]), None)
        if version is None:
            abort(404)
    return render_template("plans/show.html", plan=plan, version=version)


@bp.get("/<year>/compare")
@permissions.required("ministry.view")
def compare(year):
    year = school_year_or_404(year)
    codes = [c for c in request.args.getlist("d") if c.strip()]
    with boundary.saving(flash_unplaced=False) as compared:
        columns = service.compare(school_year=year, codes=codes)
    if not compared:
        flash(compared.error.fields.get("departments") and _("Choose two to six Departments to compare."),
              "warning")
        return redirect(url_for("plans.year", year=year))
    return render_template("plans/compare.html", year=year, columns=columns,
                           ministry=service.get_ministry_plan(year))
