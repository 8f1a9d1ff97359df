"""Incident pages: the log, the incident page (escalation, timeline, statement clock, checklist),
the fast report, the escalation policy and the one-click acknowledge link."""
import io
import re

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import scoping
from ..clock import now, to_local
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..paging import fetch_page, neighbour_urls, page_number
from ..scenarios.models import Scenario
from ..security import roles_required
from ..users.models import MINISTRY_ADMIN, User
from ..forms import place_errors, select_choices
from . import report, service
from .forms import (EditForm, IncidentForm, OfficeForm, PolicyForm, ScenarioForm, StatementForm, StatusForm,
                    category_choices, severity_choices)
from .models import STATUSES, Incident
from ..text import sort_people

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


def _scenario_choices(hints=False):
    """The playbooks to pick from; with ``hints`` each option carries its category and the folded words of its
    title and summary, so app.js can preselect the one matching what is typed as the incident's title."""
    from wtforms.fields import SelectChoice

    from ..text import fold

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
    from ..departments.models import ACTIVE, Department

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
    stmt = service.list_incidents(stmt=scoping.scoped_select(Incident), status=status, exam_related=exam_related,
                                  department_id=department_id, q=request.args.get("q"), drill=drill)
    page = page_number()
    rows, has_next = fetch_page(db.session, stmt, page, 50)
    prev_url, next_url = neighbour_urls(page, has_next)
    return render_template("incidents/index.html", incidents=rows, status=status, exam=exam, drill=drill,
                           statuses=STATUSES, page=page, prev_url=prev_url, next_url=next_url,
                           departments=_departments_for_user() if current_user.is_ministry else [],
                           service=service)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*service.WRITER_ROLES)
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
    status = 200
    fields = {}
    if form.validate_on_submit():
        try:
            department = scoping.resolve_department(form.department.data or None)
        except NotFound:
            form.department.errors.append(_("unknown department"))
        except ValidationError:
            form.department.errors.append(_("required"))
        else:
            data = {"title": form.title.data, "category": form.category.data, "severity": form.severity.data,
                    "exam_related": bool(form.exam_related.data), "exam": form.exam.data,
                    "occurred_at": form.occurred_at.data, "known_at": form.known_at.data, "place": form.place.data,
                    "description": form.description.data, "scenario": form.scenario.data or None,
                    "drill": bool(form.drill.data), "drill_recipients": form.drill_recipients.data or []}
            try:
                incident = service.create_incident(actor=current_user, department=department, data=data)
            except ValidationError as exc:
                db.session.rollback()
                fields = place_errors(form, exc)
            else:
                db.session.commit()
                flash(_("Incident logged. The people to alert were notified at once."), "success")
                return redirect(url_for(".show", incident_id=incident.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("incidents/new.html", form=form, fields=fields), status


def _show(incident, status=200, status_form=None, statement_form=None, scenario_form=None, fields=None):
    status_form = status_form or StatusForm(formdata=None)
    status_form.status.choices = select_choices((s, service.status_label(s)) for s in STATUSES)
    if not status_form.status.data:
        status_form.status.data = incident.status
    statement_form = statement_form or StatementForm(formdata=None)
    statement_form.approved_by.choices = select_choices((str(u.id), f"{u.name} ({u.title or u.role})")
                                                         for u in service.approver_choices(incident.department_id))
    if statement_form.published_at.data is None:
        statement_form.published_at.data = to_local(now()).replace(tzinfo=None, second=0, microsecond=0)
    scenario_form = scenario_form or ScenarioForm(formdata=None)
    scenario_form.scenario.choices = _scenario_choices()
    return render_template(
        "incidents/show.html", incident=incident, service=service, status_form=status_form,
        statement_form=statement_form, scenario_form=scenario_form, fields=fields or {},
        channels=service.escalation_channels(incident), mine=service.my_escalations(incident, current_user),
        waiting=service.level1_waiting_for(incident), playbook_url=service.playbook_url(incident),
        can_write=current_user.role in service.WRITER_ROLES, now=now()), status


@bp.get("/<int:incident_id>")
@login_required
def show(incident_id):
    return _show(scoping.get_or_404(Incident, incident_id))


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@roles_required(*service.WRITER_ROLES)
def edit(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    form = EditForm(obj=incident if request.method == "GET" else None)
    form.category.choices = select_choices(category_choices())
    form.severity.choices = select_choices(severity_choices())
    if request.method == "GET":
        form.occurred_at.data = to_local(incident.occurred_at).replace(tzinfo=None)
        form.known_at.data = to_local(incident.known_at).replace(tzinfo=None)
    status, fields = 200, {}
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in service.EDITABLE}
        data["exam_related"] = bool(data["exam_related"])
        data["exam"] = data["exam"] or None
        data["place"] = data["place"] or None
        data["description"] = data["description"] or ""
        try:
            service.update_incident(incident=incident, actor=current_user, data=data)
        except ValidationError as exc:
            db.session.rollback()
            fields = place_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved. The previous values are kept in the timeline."), "success")
            return redirect(url_for(".show", incident_id=incident.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("incidents/edit.html", form=form, incident=incident, fields=fields), status


@bp.post("/<int:incident_id>/status")
@roles_required(*service.WRITER_ROLES)
def change_status(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _show(incident, 422, status_form=form)
    try:
        service.change_status(incident=incident, actor=current_user, status=form.status.data,
                              closing_summary=form.closing_summary.data,
                              closing_public_summary=form.closing_public_summary.data, reason=form.reason.data)
    except ValidationError as exc:
        db.session.rollback()
        incident = scoping.get_or_404(Incident, incident_id)
        fields = place_errors(form, exc)
        return _show(incident, 422, status_form=form, fields=fields)
    db.session.commit()
    flash(_("Status changed."), "success")
    return redirect(url_for(".show", incident_id=incident.id))


@bp.post("/<int:incident_id>/acknowledge")
@login_required
def acknowledge(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    service.acknowledge(incident=incident, user=current_user, via="app")
    db.session.commit()
    flash(_("Acknowledged. Thank you."), "success")
    # From the start page the person stays there (the next alert, if any, is right below).
    if request.form.get("back") == "home":
        return redirect(url_for("web.home"))
    return redirect(url_for(".show", incident_id=incident.id))


@bp.post("/<int:incident_id>/statement")
@roles_required(*service.WRITER_ROLES)
def statement(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    form = StatementForm()
    if not form.validate_on_submit():
        return _show(incident, 422, statement_form=form)
    try:
        service.record_first_statement(incident=incident, actor=current_user, text=form.text.data,
                                       channel=form.channel.data, published_at=form.published_at.data,
                                       approved_by=form.approved_by.data)
    except ValidationError as exc:
        db.session.rollback()
        incident = scoping.get_or_404(Incident, incident_id)
        fields = place_errors(form, exc)
        return _show(incident, 422, statement_form=form, fields=fields)
    db.session.commit()
    flash(_("First public statement recorded; the clock is stopped."), "success")
    return redirect(url_for(".show", incident_id=incident.id))


@bp.post("/<int:incident_id>/scenario")
@roles_required(*service.WRITER_ROLES)
def scenario(incident_id):
    incident = scoping.get_or_404(Incident, incident_id)
    form = ScenarioForm()
    try:
        version = service.resolve_scenario(form.scenario.data or None)
        if version is None:
            raise ValidationError(_("Choose a scenario."), fields={"scenario": _("required")})
        service.activate_scenario(incident=incident, actor=current_user, scenario_version=version)
    except ValidationError as exc:
        db.session.rollback()
        incident = scoping.get_or_404(Incident, incident_id)
        form.scenario.choices = _scenario_choices()
        fields = place_errors(form, exc)
        return _show(incident, 422, scenario_form=form, fields=fields)
    db.session.commit()
    flash(_("Playbook activated: the checklist is below."), "success")
    return redirect(url_for(".show", incident_id=incident.id) + "#checklist")


@bp.post("/<int:incident_id>/checklist/<int:item_id>/done")
@roles_required(*service.WRITER_ROLES)
def checklist_done(incident_id, item_id):
    incident = scoping.get_or_404(Incident, incident_id)
    service.complete_checklist_item(incident=incident, item_id=item_id, actor=current_user)
    db.session.commit()
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
    escalation = service.escalation_from_token(token)
    return render_template("incidents/ack.html", escalation=escalation, incident=escalation.incident, token=token,
                           done=False)


@bp.post("/ack/<token>")
def ack_link_confirm(token):
    escalation = service.acknowledge_by_link(token=token)
    db.session.commit()
    return render_template("incidents/ack.html", escalation=escalation, incident=escalation.incident, token=token,
                           done=True)


# --- policies ----------------------------------------------------------------------------------------

@bp.route("/policy", methods=["GET", "POST"])
@login_required
def policy():
    code = request.values.get("department")
    if current_user.is_ministry and not code:
        deps = _departments_for_user()
        return render_template("incidents/policy_pick.html", departments=deps)
    department = scoping.resolve_department(code or None)
    current = service.policy_for(department)
    form = PolicyForm()
    editable = service.can_edit_policy(current_user, department)
    status, fields = 200, {}
    if request.method == "GET":
        form.timeout_minutes.data = current["timeout_minutes"]
        form.critical_timeout_minutes.data = current["critical_timeout_minutes"]
        form.require_instant_channel.data = current["require_instant_channel"]
        for level in (1, 2, 3):
            getattr(form, f"members_{level}").data = "\n".join(
                f"{m.name} <{m.email}>" if m.email else m.name for m in current["members"][level])
    elif not editable:
        from ..errors import PermissionDenied

        raise PermissionDenied()
    elif form.validate_on_submit():
        try:
            service.save_policy(actor=current_user, department=department,
                                timeout_minutes=form.timeout_minutes.data,
                                critical_timeout_minutes=form.critical_timeout_minutes.data,
                                members_text={lvl: getattr(form, f"members_{lvl}").data for lvl in (1, 2, 3)},
                                require_instant_channel=form.require_instant_channel.data)
        except ValidationError as exc:
            db.session.rollback()
            fields = place_errors(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Escalation policy saved."), "success")
            return redirect(url_for(".policy", department=department.code if current_user.is_ministry else None))
    else:
        status = 422
    preview = service.preview_levels(department)
    no_instant = {u.id for u in service.level1_without_instant_channel([department.id])[department.id]}
    return render_template("incidents/policy.html", form=form, department=department, editable=editable,
                           current=current, preview=preview, fields=fields, service=service,
                           no_instant=no_instant), status


@bp.route("/ministry-office", methods=["GET", "POST"])
@roles_required(MINISTRY_ADMIN, "ministry_comms")
def ministry_office():
    form = OfficeForm()
    status, fields = 200, {}
    if request.method == "GET":
        form.members.data = "\n".join(f"{m.name} <{m.email}>" if m.email else m.name
                                      for m in service.ministry_office())
    elif current_user.role != MINISTRY_ADMIN:
        from ..errors import PermissionDenied

        raise PermissionDenied()
    elif form.validate_on_submit():
        try:
            service.save_ministry_office(actor=current_user, members_text=form.members.data)
        except ValidationError as exc:
            db.session.rollback()
            fields = place_errors(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Ministry office list saved."), "success")
            return redirect(url_for(".ministry_office"))
    else:
        status = 422
    return render_template("incidents/office.html", form=form, members=service.ministry_office(), fields=fields,
                           editable=current_user.role == MINISTRY_ADMIN), status


__all__ = ["bp"]
