from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import boundary, permissions
from ..departments.models import ACTIVE, Department
from ..extensions import db
from ..scoping import get_or_404, is_ministry, resolve_department
from ..security import safe_redirect_target
from . import distribution, fileformat, merge, render, service
from .forms import AdaptationForm, DistributeForm
from .models import CATEGORIES, ScenarioDistribution

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")

def _category_label(code):
    labels = {"exam": _("Exams"), "school_safety": _("School safety"), "health": _("Health"),
              "misinformation": _("Misinformation"), "finance": _("Fees and finance"),
              "curriculum": _("Curriculum and textbooks"), "data_protection": _("Data protection")}
    return labels.get(code, code)


def _pending_for_current_user():
    department = _own_department()
    return distribution.pending_for_department(department.id) if department is not None else []


@bp.app_context_processor
def _helpers():
    return {"scenario_category_label": _category_label, "scenario_pending": _pending_for_current_user,
            "placeholder_label": render.placeholder_label}


def _own_department():
    if current_user.is_authenticated and not current_user.is_ministry and current_user.department_id:
        return db.session.get(Department, current_user.department_id)
    return None


@bp.get("/")
@login_required
def index():
    category = request.args.get("category") or None
    if category not in CATEGORIES:
        category = None
    exam = {"1": True, "0": False}.get(request.args.get("exam", ""))
    q = request.args.get("q", "").strip()
    scenarios = service.list_scenarios(category=category, exam_related=exam, q=q or None)
    department = _own_department()
    pending, adaptations = [], {}
    if department is not None:
        pending = distribution.pending_for_department(department.id)
        for s in scenarios:
            a = service.find_adaptation(scenario=s, department=department)
            if a is not None:
                adaptations[s.id] = a
    return render_template("scenarios/index.html", scenarios=scenarios, categories=CATEGORIES, category=category,
                           exam=request.args.get("exam", ""), q=q, pending=pending, adaptations=adaptations,
                           department=department)


@bp.get("/<slug>")
@login_required
def show(slug):
    scenario = service.get_scenario(slug)
    version = service.get_version(scenario, request.args.get("version"))
    department = _own_department()
    received = adaptation = None
    if department is not None:
        received = distribution.distribution_for(department_id=department.id, version=version)
        adaptation = service.find_adaptation(scenario=scenario, department=department)
    playbook = render.render_playbook(department=None, scenario=scenario, version=version)
    counts = {}
    if is_ministry():
        for v in scenario.versions:
            rows = distribution.distributions_for_version(v)
            counts[v.version] = (sum(1 for r in rows if r.acknowledged), len(rows))
    return render_template("scenarios/show.html", scenario=scenario, version=version, playbook=playbook,
                           department=department, distribution=received, adaptation=adaptation, counts=counts)


@bp.get("/<slug>/playbook")
@login_required
def playbook(slug):
    scenario = service.get_scenario(slug)
    incident = None
    if request.args.get("incident"):
        incident = render.playbook_incident(request.args["incident"])
    code = request.args.get("department") or (incident.department.code if incident is not None else None)
    if is_ministry() and not code:
        departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                         .order_by(Department.sort_name)).all()
        return render_template("scenarios/choose_department.html", scenario=scenario, departments=departments)
    department = resolve_department(code)
    if incident is not None and incident.department_id != department.id:
        abort(404)
    result = render.render_playbook(department=department, scenario=scenario, incident=incident,
                                     version=request.args.get("version") or None)
    return render_template("scenarios/playbook.html", scenario=scenario, playbook=result, department=department,
                           incident=incident)


@bp.get("/<slug>/diff")
@login_required
def diff(slug):
    scenario = service.get_scenario(slug)
    new = service.get_version(scenario, request.args.get("to"), "to")
    old_number = request.args.get("from") or max(new.version - 1, 1)
    old = service.get_version(scenario, old_number, "from")
    return render_template("scenarios/diff.html", scenario=scenario, old=old, new=new,
                           lines=merge.diff_lines(old.body, new.body),
                           sections=merge.changed_sections(old.body, new.body))


# --- Ministry: distribution ---------------------------------------------------------------------

def _active_departments():
    return db.session.scalars(select(Department).where(Department.status == ACTIVE)
                              .order_by(Department.sort_name)).all()


@bp.route("/<slug>/distribute", methods=["GET", "POST"])
@login_required
def distribute(slug):
    permissions.require(current_user, "scenario.distribute")
    scenario = service.get_scenario(slug)
    form = DistributeForm()
    form.version.choices = [SelectChoice(v.version, _("Version %(n)s", n=v.version))
                            for v in reversed(scenario.versions)]
    form.departments.choices = [SelectChoice(d.code, d.name) for d in _active_departments()]
    if request.method == "GET":
        form.version.data = scenario.latest_version
    status = 200
    if form.validate_on_submit():
        targets = "all" if form.target.data == "all" else form.departments.data
        with boundary.saving(form, flash_unplaced=False) as saved:
            records = distribution.distribute(scenario=scenario, version=form.version.data, departments=targets,
                                              by=current_user)
        if saved:
            flash(_("Version %(n)s sent to %(count)s Departments.", n=form.version.data, count=len(records)),
                  "success")
            return redirect(url_for("scenarios.distributions", slug=slug, number=form.version.data))
        form.departments.errors = list(form.departments.errors) + list(saved.unplaced.values())
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("scenarios/distribute.html", scenario=scenario, form=form), status


def _distributed_version(slug, number):
    """(scenario, version) for the Ministry centre's distribution pages."""
    permissions.require(current_user, "scenario.distribute")
    scenario = service.get_scenario(slug)
    return scenario, service.get_version(scenario, number)


@bp.get("/<slug>/versions/<int:number>/distributions")
@login_required
def distributions(slug, number):
    scenario, version = _distributed_version(slug, number)
    rows = distribution.distributions_for_version(version)
    return render_template("scenarios/distributions.html", scenario=scenario, version=version, rows=rows,
                           acknowledged=sum(1 for r in rows if r.acknowledged))


@bp.post("/<slug>/versions/<int:number>/remind")
@login_required
def remind(slug, number):
    scenario, version = _distributed_version(slug, number)
    only = request.form.get("department_id", type=int)
    reminded = distribution.remind(version=version, by=current_user, department_ids={only} if only else None)
    if reminded:
        flash(_("Reminder emailed to %(count)s Departments.", count=len(reminded)), "success")
    else:
        flash(_("No reminder sent: every Department has acknowledged, or was already reminded today."), "info")
    return redirect(url_for("scenarios.distributions", slug=slug, number=number))


@bp.post("/distributions/<int:distribution_id>/acknowledge")
@login_required
def acknowledge(distribution_id):
    record = get_or_404(ScenarioDistribution, distribution_id)
    distribution.acknowledge(distribution=record, user=current_user)
    flash(_("Receipt acknowledged."), "success")
    return redirect(safe_redirect_target(request.form.get("next")) or url_for("scenarios.show",
                                                        slug=record.scenario_version.scenario.slug))


# --- Department: adaptation ---------------------------------------------------------------------

def _editor_department():
    permissions.require(current_user, "scenario.adapt")
    department = _own_department()
    if department is None:
        abort(404)
    return department


@bp.route("/<slug>/adaptation", methods=["GET", "POST"])
@login_required
def adaptation(slug):
    scenario = service.get_scenario(slug)
    department = _editor_department()
    existing = service.find_adaptation(scenario=scenario, department=department)
    form = AdaptationForm()
    warnings, status = [], 200
    if request.method == "GET":
        form.body.data = existing.body if existing else scenario.version().body
        form.updated_at.data = existing.updated_at.isoformat() if existing else ""
    if form.validate_on_submit():
        with boundary.saving(flash_unplaced=False) as saved:
            _adaptation, warnings = service.save_adaptation(
                scenario=scenario, department=department, body=form.body.data, user=current_user,
                expected_updated_at=form.updated_at.data or None)
        if saved:
            flash(_("Adaptation saved."), "success")
            for w in warnings:
                flash(_("Line %(line)s: %(problem)s", line=w.line, problem=w.message), "warning")
            return redirect(url_for("scenarios.adaptation", slug=slug))
        form.body.errors.append(saved.error.fields.get("body", saved.error.message))
        status = 422
    elif request.method == "POST":
        status = 422
    if existing is not None and request.method == "GET":
        _s, _m, problems = fileformat.parse_body(existing.body)
        warnings = [p for p in problems if p.level != fileformat.ERROR]
    return render_template("scenarios/adaptation.html", scenario=scenario, adaptation=existing, form=form,
                           department=department, warnings=warnings,
                           word_limit=fileformat.KEY_MESSAGE_MAX_WORDS), status


@bp.route("/<slug>/adaptation/rebase", methods=["GET", "POST"])
@login_required
def rebase(slug):
    scenario = service.get_scenario(slug)
    department = _editor_department()
    existing = service.find_adaptation(scenario=scenario, department=department)
    if existing is None:
        abort(404)
    if not existing.behind:
        flash(_("Your adaptation is already based on the latest version."), "info")
        return redirect(url_for("scenarios.adaptation", slug=slug))
    target, chunks, conflicts = service.rebase_preview(existing)
    errors, status = {}, 200
    if request.method == "POST":
        choices = {k[len("conflict_"):]: v for k, v in request.form.items() if k.startswith("conflict_")}
        with boundary.saving(flash_unplaced=False) as saved:
            service.rebase_adaptation(adaptation=existing, user=current_user, target=target, choices=choices)
        if saved:
            flash(_("Your adaptation is now based on version %(n)s.", n=target.version), "success")
            return redirect(url_for("scenarios.adaptation", slug=slug))
        errors, status = saved.error.fields, 422
    return render_template("scenarios/rebase.html", scenario=scenario, adaptation=existing, target=target,
                           chunks=chunks, conflicts=conflicts, errors=errors,
                           ministry_diff=merge.diff_lines(existing.base_version.body, target.body),
                           sections=merge.changed_sections(existing.base_version.body, target.body)), status
