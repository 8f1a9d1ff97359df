"""Incident pages: the log, the incident page (escalation, timeline, statement clock, checklist),
the fast report, the escalation policy and the one-click acknowledge link."""
import io
import re

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from wtforms.fields import SelectChoice

from .. import boundary, permissions, registry, scoping
from ..clock import now, to_local
from ..departments.models import ACTIVE, Department
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..forms import select_choices
from ..paging import fetch_page, neighbour_urls, page_number
from ..scenarios.models import Scenario
from ..text import fold, sort_people
from ..users.models import User
from . import (ack_links, escalation, labels, playbook, policies, queries, report, school_reports, service,
               statement_clock)
from .forms import (EditForm, IncidentForm, OfficeForm, PolicyForm, ScenarioForm, StatementForm, StatusForm,
                    category_choices, severity_choices)
from .models import STATUSES, Incident

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


def _scenario_choices(hints=False):
    """The playbooks to pick from; with ``hints`` each option carries its category and the folded words of its
    title and summary, so app.js can preselect the one matching what is typed as the incident's title."""
    rows = db.session.scalars(select(Scenario).order_by(Scenario.title)).all()
    if not hints:
        return select_choices([("", _("— none —"))] + [(s.slug, s.title) for s in rows])

    def words(text):
        # syllables and pairs of syllables ("de_thi"): Vietnamese words are often two syllables long
        tokens = re.findall(r"[a-z0-9]+", fold(text))
        return " ".join(sorted(set(tokens) | {f"{a}_{b}" for a, b in zip(tokens, tokens[1:])}))

    return [SelectChoice("", _("— none —"))] + [
        SelectChoice(s.slug, s.title, render_kw={"data-category": s.category, "data-title-words": words(s.title),
                                                 "data-words": words(s.version().summary if s.version() else "")})
        for s in rows]


def _departments_for_user():
    if current_user.is_ministry:
        return db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                  .order_by(Department.sort_name)).all()
    return [current_user.department] if current_user.department else []


def _people(department_id):
    return sort_people(db.session.scalars(select(User).where(User.department_id == department_id,
                                                             User.active.is_(True))).all())


@bp.get("/")
@login_required
def index():
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    exam = request.args.get("exam_related")
    exam_related = True if exam == "1" else False if exam == "0" else None
    drill = request.args.get("drill") if request.args.get("drill") in ("include", "only") else "exclude"
    department_id = None
    if request.args.get("department") and current_user.is_ministry:
        try:
            department_id = scoping.resolve_department(request.args["department"]).id
        except NotFound:
            department_id = -1
    stmt = queries.list_incidents(stmt=scoping.scoped_select(Incident), status=status, exam_related=exam_related,
                                  department_id=department_id, q=request.args.get("q"), drill=drill)
    page = page_number()
    rows, has_next = fetch_page(db.session, stmt, page, 50)
    prev_url, next_url = neighbour_urls(page, has_next)
    return render_template("incidents/index.html", incidents=rows, status=status, exam=exam, drill=drill,
                           statuses=STATUSES, page=page, prev_url=prev_url, next_url=next_url,
                           departments=_departments_for_user() if current_user.is_ministry else [],
                           labels=labels)


@bp.route("/new", methods=["GET", "POST"])
@permissions.required("incident.write")
def new():
    form = IncidentForm()
    departments = _departments_for_user()
    form.department.choices = select_choices((d.code, d.name) for d in departments)
    form.category.choices = select_choices(category_choices())
    form.severity.choices = select_choices(severity_choices())
    form.scenario.choices = _scenario_choices(hints=True)
    # A Ministry user picks the Department (?department=code preselects it and lists its people for a drill).
    chosen = form.department.data or request.args.get("department") or (
        departments[0].code if len(departments) == 1 else None)
    if request.method == "GET" and chosen:
        form.department.data = chosen
    dep_for_people = next((d for d in departments if d.code == chosen), None)
    form.drill_recipients.choices = select_choices((str(u.id), f"{u.name} · {u.email}") for u in
                                                    (_people(dep_for_people.id) if dep_for_people else []))
    if request.method == "GET":
        form.occurred_at.data = to_local(now()).replace(tzinfo=None, second=0, microsecond=0)
        form.severity.data = "medium"
        if request.args.get("exam") == "1":
            form.exam_related.data = True
            form.category.data = "exam"
            form.severity.data = "high"  # an exam incident is at least high until someone judges otherwise

    def create():
        data = {"title": form.title.data, "category": form.category.data, "severity": form.severity.data,
                "exam_related": bool(form.exam_related.data), "exam": form.exam.data,
                "occurred_at": form.occurred_at.data, "known_at": form.known_at.data, "place": form.place.data,
                "description": form.description.data, "scenario": form.scenario.data or None,
                "drill": bool(form.drill.data), "drill_recipients": form.drill_recipients.data or []}
        return service.create_incident(actor=current_user, department=_chosen_department(form), data=data)

    return _form_page(form, create, _("Incident logged. The people to alert were notified at once."),
                      "incidents/new.html")


def _chosen_department(form):
    try:
        return scoping.resolve_department(form.department.data or None)
    except NotFound:
        raise ValidationError(_("unknown department"), fields={"department": _("unknown department")})


def _form_page(form, save, message, template, **context):
    """A page with one form: ``save()`` calls the service and returns the incident; saved, the incident's page
    with ``message``; refused (a ValidationError), the form again with its errors (422, nothing committed)."""
    status, fields = 200, {}
    if form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            incident = save()
        if saved:
            flash(message, "success")
            return redirect(url_for(".show", incident_id=incident.id))
        status, fields = 422, saved.unplaced
    elif request.method == "POST":
        status = 422
    return render_template(template, form=form, fields=fields, **context), status


def _show(incident, status=200, status_form=None, statement_form=None, scenario_form=None, fields=None):
    status_form = status_form or StatusForm(formdata=None)
    status_form.status.choices = select_choices((s, labels.status_label(s)) for s in STATUSES)
    if not status_form.status.data:
        status_form.status.data = incident.status
    statement_form = statement_form or StatementForm(formdata=None)
    approvers = statement_clock.approver_choices(incident.department_id)
    statement_form.approved_by.choices = select_choices((str(u.id), f"{u.name} ({u.title or u.role})")
                                                         for u in approvers)
    if statement_form.published_at.data is None:
        statement_form.published_at.data = to_local(now()).replace(tzinfo=None, second=0, microsecond=0)
    scenario_form = scenario_form or ScenarioForm(formdata=None)
    scenario_form.scenario.choices = _scenario_choices()
    return render_template(
        "incidents/show.html", incident=incident, labels=labels, delivery_groups=queries.delivery_groups,
        status_form=status_form, statement_form=statement_form, scenario_form=scenario_form, fields=fields or {},
        channels=queries.escalation_channels(incident), mine=escalation.my_escalations(incident, current_user),
        waiting=escalation.level1_waiting_for(incident), playbook_url=playbook.playbook_url(incident),
        can_write=permissions.can(current_user, "incident.write"), now=now(),
        sections=[t for _order, t in sorted(registry.items("incident_section"), key=lambda s: s[0])]), status


def _on_page(incident_id, form_name, form_class, act, message, anchor="", validate=True):
    """A form posted from the incident page: ``act(incident, form)`` calls the service; saved, the page again with
    ``message``; invalid or refused (a ValidationError), the page with the form's errors (422, nothing committed)."""
    incident = scoping.get_or_404(Incident, incident_id)
    form = form_class()
    if validate and not form.validate_on_submit():
        return _show(incident, 422, **{form_name: form})
    with boundary.saving(form, flash_unplaced=False) as saved:
        act(incident, form)
    if not saved:
        return _show(incident, 422, fields=saved.unplaced, **{form_name: form})
    flash(message, "success")
    return redirect(url_for(".show", incident_id=incident.id) + anchor)


@bp.get("/<int:incident_id>")
@login_required
def show(incident_id):
    return _show(scoping.get_or_404(Incident, incident_id))


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@permissions.required("incident.write")
def edit(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    form = EditForm(obj=incident if request.method == "GET" else None)
    form.category.choices = select_choices(category_choices())
    form.severity.choices = select_choices(severity_choices())
    if request.method == "GET":
        form.occurred_at.data = to_local(incident.occurred_at).replace(tzinfo=None)
        form.known_at.data = to_local(incident.known_at).replace(tzinfo=None)

    def update():
        data = {name: getattr(form, name).data for name in service.EDITABLE}
        data["exam_related"] = bool(data["exam_related"])
        data["exam"] = data["exam"] or None
        data["place"] = data["place"] or None
        data["description"] = data["description"] or ""
        return service.update_incident(incident=incident, actor=current_user, data=data)

    return _form_page(form, update, _("Saved. The previous values are kept in the timeline."), "incidents/edit.html",
                      incident=incident)


@bp.post("/<int:incident_id>/status")
@permissions.required("incident.write")
def change_status(incident_id):
    return _on_page(incident_id, "status_form", StatusForm, lambda incident, form: service.change_status(
        incident=incident, actor=current_user, status=form.status.data, closing_summary=form.closing_summary.data,
        closing_public_summary=form.closing_public_summary.data, reason=form.reason.data), _("Status changed."))


@bp.post("/<int:incident_id>/confirm")
@permissions.required("incident.write")
def confirm(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    school_reports.confirm_report(incident=incident, actor=current_user)
    flash(_("Report confirmed: the escalation has started."), "success")
    return redirect(url_for(".show", incident_id=incident.id))


@bp.post("/<int:incident_id>/acknowledge")
@login_required
def acknowledge(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    escalation.acknowledge(incident=incident, user=current_user, via="app")
    flash(_("Acknowledged. Thank you."), "success")
    # From the start page the person stays there (the next alert, if any, is right below).
    if request.form.get("back") == "home":
        return redirect(url_for("web.home"))
    return redirect(url_for(".show", incident_id=incident.id))


@bp.post("/<int:incident_id>/statement")
@permissions.required("incident.write")
def statement(incident_id):
    return _on_page(incident_id, "statement_form", StatementForm, lambda incident, form: (
        statement_clock.record_first_statement(incident=incident, actor=current_user, text=form.text.data,
                                               channel=form.channel.data, published_at=form.published_at.data,
                                               approved_by=form.approved_by.data)),
        _("First public statement recorded; the clock is stopped."))


@bp.post("/<int:incident_id>/scenario")
@permissions.required("incident.write")
def scenario(incident_id):
    def activate(incident, form):
        version = service.resolve_scenario(form.scenario.data or None)
        if version is None:
            raise ValidationError(_("Choose a scenario."), fields={"scenario": _("required")})
        playbook.activate_scenario(incident=incident, actor=current_user, scenario_version=version)

    return _on_page(incident_id, "scenario_form", ScenarioForm, activate,
                    _("Playbook activated: the checklist is below."), "#checklist", validate=False)


@bp.post("/<int:incident_id>/checklist/<int:item_id>/done")
@permissions.required("incident.write")
def checklist_done(incident_id, item_id):
    incident = scoping.get_or_404(Incident, incident_id)
    playbook.complete_checklist_item(incident=incident, item_id=item_id, actor=current_user)
    return redirect(url_for(".show", incident_id=incident.id) + "#checklist")


def _report(incident):
    """The report's content, signed by the director or the deputy chosen with ?signer=<user id>."""
    signers = report.signers(incident)
    wanted = request.args.get("signer", type=int)
    signer = next((u for u in signers if u.id == wanted), signers[0] if signers else None)
    return report.build(incident, signer=signer), signers


@bp.get("/<int:incident_id>/report")
@login_required
def fast_report(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    r, signers = _report(incident)
    return render_template("incidents/report.html", r=r, incident=incident, signers=signers)


_REPORT_FILES = {"docx": (report.docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                 "pdf": (report.pdf_bytes, "application/pdf")}


@bp.get("/<int:incident_id>/report.<any(docx, pdf):fmt>")
@login_required
def fast_report_file(incident_id, fmt):
    """The fast report as DOCX or as a PDF drawn on the server."""
    incident = scoping.get_or_404(Incident, incident_id)
    make, mimetype = _REPORT_FILES[fmt]
    return send_file(io.BytesIO(make(_report(incident)[0])), as_attachment=True, mimetype=mimetype,
                     download_name=f"bao-cao-nhanh-su-co-{incident.id}.{fmt}")


# --- one-click acknowledge (no sign-in) ---------------------------------------------------------------

@bp.get("/ack/<token>")
def ack_link(token):
    row = ack_links.escalation_from_token(token)
    return render_template("incidents/ack.html", escalation=row, incident=row.incident, token=token, done=False)


@bp.post("/ack/<token>")
def ack_link_confirm(token):
    row = escalation.acknowledge_by_link(token=token)
    return render_template("incidents/ack.html", escalation=row, incident=row.incident, token=token, done=True)


# --- policies ----------------------------------------------------------------------------------------

@bp.route("/policy", methods=["GET", "POST"])
@login_required
def policy():
    code = request.values.get("department")
    if current_user.is_ministry and not code:
        deps = _departments_for_user()
        return render_template("incidents/policy_pick.html", departments=deps)
    department = scoping.resolve_department(code or None)
    current = policies.policy_for(department)
    form = PolicyForm()
    editable = policies.can_edit_policy(current_user, department)
    status, fields = 200, {}
    if request.method == "GET":
        form.timeout_minutes.data = current["timeout_minutes"]
        form.critical_timeout_minutes.data = current["critical_timeout_minutes"]
        form.require_instant_channel.data = current["require_instant_channel"]
        for level in (1, 2, 3):
            getattr(form, f"members_{level}").data = "\n".join(
                f"{m.name} <{m.email}>" if m.email else m.name for m in current["members"][level])
    elif not editable:
        raise PermissionDenied()
    elif form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            policies.save_policy(actor=current_user, department=department,
                                 timeout_minutes=form.timeout_minutes.data,
                                 critical_timeout_minutes=form.critical_timeout_minutes.data,
                                 members_text={lvl: getattr(form, f"members_{lvl}").data for lvl in (1, 2, 3)},
                                 require_instant_channel=form.require_instant_channel.data)
        if saved:
            flash(_("Escalation policy saved."), "success")
            return redirect(url_for(".policy", department=department.code if current_user.is_ministry else None))
        status, fields = 422, saved.unplaced
    else:
        status = 422
    preview = policies.preview_levels(department)
    no_instant = {u.id for u in policies.level1_without_instant_channel([department.id])[department.id]}
    return render_template("incidents/policy.html", form=form, department=department, editable=editable,
                           current=current, preview=preview, fields=fields, labels=labels,
                           no_instant=no_instant), status


@bp.route("/ministry-office", methods=["GET", "POST"])
@permissions.required("incident.ministry_office.view")
def ministry_office():
    form = OfficeForm()
    editable = permissions.can(current_user, "incident.ministry_office.edit")
    status, fields = 200, {}
    if request.method == "GET":
        form.members.data = "\n".join(f"{m.name} <{m.email}>" if m.email else m.name
                                      for m in policies.ministry_office())
    elif not editable:
        raise PermissionDenied()
    elif form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            policies.save_ministry_office(actor=current_user, members_text=form.members.data)
        if saved:
            flash(_("Ministry office list saved."), "success")
            return redirect(url_for(".ministry_office"))
        status, fields = 422, saved.unplaced
    else:
        status = 422
    return render_template("incidents/office.html", form=form, members=policies.ministry_office(), fields=fields,
                           editable=editable), status


__all__ = ["bp"]
