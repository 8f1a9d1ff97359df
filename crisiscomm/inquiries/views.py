import os
from contextlib import contextmanager

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import boundary, inputs, permissions, scoping, spreadsheets
from ..clock import now, to_local
from ..departments.service import list_departments
from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..extensions import db
from ..forms import select_choices
from ..paging import fetch_page, neighbour_urls, page_number
from ..statements.service import search_statements
from . import files, grounds, mailbox, queries, reports, service, settings as inquiry_settings, workflow
from .deadlines import due_status
from .forms import CHANNEL_LABELS, PRIORITY_LABELS, ImportForm, IntakeForm, SettingsForm
from .models import STATES, InquiryAttachment, RefusalGround

bp = Blueprint("inquiries", __name__, url_prefix="/inquiries")
PAGE = 100
# The intake form's fields for the service's.
_INTAKE_ALIASES = {"journalist_name": "journalist", "contact_id": "journalist", "deadline_preset": "deadline"}


class _Attempt:
    error = None

    def __bool__(self):
        return self.error is None


@contextmanager
def _refusable(*refusals):
    """``with _refusable(Conflict) as done: service.x(...)``; then ``if not done: show the page again``.

    An action refused with one of ``refusals`` is undone at once (the boundary would roll back the 4xx answer
    anyway), so the inquiry's page shown next reads the inquiry as it is; ``done.error`` says why."""
    done = _Attempt()
    try:
        yield done
    except refusals as exc:
        db.session.rollback()
        done.error = exc


def _flash_unplaced(saved):
    for name, problem in saved.unplaced.items():
        flash(f"{name}: {problem}", "error")


def _filters():
    a = request.args
    return {"state": a.get("state", ""), "department": a.get("department", ""), "outlet": a.get("outlet", ""),
            "from": a.get("from", ""), "to": a.get("to", ""), "q": a.get("q", ""), "overdue": a.get("overdue", "")}


def _department_choices():
    return [(d.code, d.name) for d in list_departments()]


@bp.get("")
@login_required
def index():
    f = _filters()
    department = scoping.resolve_department(f["department"]) if f["department"] else None
    rows, page, has_next = [], page_number(), False
    with boundary.saving(flash_unplaced=False) as saved:
        stmt = queries.list_query(department=department, state=f["state"] or None, outlet=f["outlet"] or None,
                                  q=f["q"] or None, overdue=f["overdue"] == "1", date_from=f["from"], date_to=f["to"])
        rows, has_next = fetch_page(db.session, queries.newest_first(stmt), page, PAGE)
    prev_url, next_url = neighbour_urls(page, has_next)
    own = mailbox.mailbox_of(current_user.department) if current_user.department else None
    return render_template("inquiries/index.html", rows=rows, f=f, errors=saved.unplaced, states=STATES, page=page,
                           mailbox_down=own if own is not None and own.enabled and own.failing_since else None,
                           prev_url=prev_url, next_url=next_url,
                           due_status=due_status, departments=list_departments()
                           if current_user.is_ministry else [], export_args=request.args.to_dict()), \
        200 if saved else 422


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    permissions.require(current_user, "inquiry.work")
    form = IntakeForm()
    form.department.choices = select_choices(_department_choices()) if current_user.is_ministry else []
    code = request.values.get("department") or (current_user.department.code if current_user.department else None)
    department = scoping.resolve_department(code) if code else None
    if request.method == "GET":
        form.received_at.data = to_local(now()).replace(tzinfo=None, second=0, microsecond=0)
        if department:
            form.department.data = department.code
    incidents = queries.department_incidents(department) if department else []
    form.incident_id.choices = select_choices([("", _("None"))] + [
        (str(i.id), f"{i.title} ({i.occurred_at:%d/%m/%Y})") for i in incidents])
    status = 200
    if form.validate_on_submit():
        if department is None:
            form.department.errors.append(_("Choose a Department."))
            status = 422
        else:
            with boundary.saving(form, aliases=_INTAKE_ALIASES, flash_unplaced=False) as saved:
                inquiry = service.create_inquiry(
                    user=current_user, department=department, subject=form.subject.data, channel=form.channel.data,
                    received_at=form.received_at.data, contact_id=form.contact_id.data or None,
                    journalist_name=form.journalist.data, outlet=form.outlet.data,
                    outlet_type=form.outlet_type.data, questions=form.questions.data or "",
                    deadline=form.deadline.data, priority=form.priority.data,
                    incident_id=form.incident_id.data or None, journalist_phone=form.journalist_phone.data,
                    deadline_preset=form.deadline_preset.data)
            if saved:
                flash(_("Inquiry logged: due %(due)s.", due=to_local(inquiry.due_at).strftime("%d/%m/%Y %H:%M")),
                      "success")
                return redirect(url_for("inquiries.index"))
            _flash_unplaced(saved)
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("inquiries/new.html", form=form, department=department,
                           import_form=ImportForm(formdata=None)), status


@bp.post("/import")
@login_required
def import_eml():
    form = ImportForm()
    code = form.department.data or (current_user.department.code if current_user.department else None)
    department = scoping.resolve_department(code)
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        raise ValidationError(_("Choose an .eml file."), fields={"file": _("required")})
    data = upload.read(current_app.config["MAX_EML_BYTES"] + 1)
    try:
        inquiry = service.import_eml(user=current_user, department=department, data=data)
    except Conflict as exc:
        if exc.extra.get("inquiry_id"):  # the same email again: show the inquiry it already is
            flash(exc.message, "error")
            return redirect(url_for("inquiries.show", inquiry_id=exc.extra["inquiry_id"]))
        raise
    flash(_("Email imported as a draft inquiry: check the journalist and the deadline."), "success")
    return redirect(url_for("inquiries.show", inquiry_id=inquiry.id))


def _render_show(inquiry, status=200, draft_text=None, error=None):
    library_q = request.args.get("lq", "").strip() or inquiry.subject
    library = search_statements(q=library_q, department=inquiry.department, limit=8)
    if not library and not request.args.get("lq"):
        library = search_statements(department=inquiry.department, limit=5)
        library_q = ""
    return render_template(
        "inquiries/show.html", inquiry=inquiry, status_of=due_status(inquiry),
        allowed=workflow.allowed_transitions(inquiry), officers=queries.department_officers(inquiry.department),
        grounds=grounds.refusal_grounds(), can_approve=workflow.can_approve(current_user, inquiry),
        can_work=permissions.can(current_user, "inquiry.work"), library=library, library_q=library_q,
        draft_text=inquiry.answer_draft if draft_text is None else draft_text, error=error,
        approver_label=inquiry_settings.approver_label(inquiry.department),
        received_local=to_local(inquiry.received_at).strftime("%Y-%m-%dT%H:%M"),
        channel_labels=dict(CHANNEL_LABELS), priority_labels=dict(PRIORITY_LABELS)), status


@bp.get("/<int:inquiry_id>")
@login_required
def show(inquiry_id):
    return _render_show(queries.get_inquiry(inquiry_id))


@bp.post("/<int:inquiry_id>/received")
@login_required
def received(inquiry_id):
    inquiry = queries.get_inquiry(inquiry_id)
    with boundary.saving(flash_unplaced=False) as saved:
        service.correct_received_at(inquiry=inquiry, user=current_user, received_at=request.form.get("received_at"))
    if not saved:
        exc = saved.error
        return _render_show(queries.get_inquiry(inquiry_id), status=exc.status,
                            error=exc.message + " (" + "; ".join(exc.fields.values()) + ")")
    flash(_("Received time corrected: due %(due)s.", due=to_local(inquiry.due_at).strftime("%d/%m/%Y %H:%M")),
          "success")
    return redirect(url_for("inquiries.show", inquiry_id=inquiry.id))


@bp.get("/<int:inquiry_id>/attachments/<int:attachment_id>")
@login_required
def attachment(inquiry_id, attachment_id):
    """A file that came with the email: only through its inquiry (so only within the Department), always as a
    download with a harmless content type."""
    inquiry = queries.get_inquiry(inquiry_id)
    att = db.session.get(InquiryAttachment, attachment_id)
    if att is None or att.inquiry_id != inquiry.id or not os.path.exists(files.path_of(att)):
        raise NotFound()
    response = send_file(files.path_of(att), mimetype=files.safe_content_type(att.content_type),
                         as_attachment=True, download_name=att.filename, max_age=0)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:inquiry_id>/draft")
@login_required
def save_draft(inquiry_id):
    inquiry = queries.get_inquiry(inquiry_id)
    text = request.form.get("answer", "")
    with _refusable(Conflict, ValidationError) as done:
        workflow.save_draft(inquiry=inquiry, user=current_user, answer_text=text, version=request.form.get("version"))
    if not done:
        return _render_show(queries.get_inquiry(inquiry_id), status=done.error.status, draft_text=text,
                            error=done.error.message)
    flash(_("Draft saved."), "success")
    return redirect(url_for("inquiries.show", inquiry_id=inquiry.id))


@bp.post("/<int:inquiry_id>/transition")
@login_required
def transition(inquiry_id):
    inquiry = queries.get_inquiry(inquiry_id)
    form = request.form
    answer = form.get("answer")
    with _refusable(DomainError) as done:
        workflow.transition(inquiry=inquiry, user=current_user, to=form.get("to", ""),
                            assignee=form.get("assignee") or None, note=form.get("note"), answer_text=answer,
                            reason=form.get("reason"), refusal_ground_id=form.get("refusal_ground") or None,
                            version=form.get("version"))
    if not done:
        exc = done.error
        inquiry = queries.get_inquiry(inquiry_id)
        detail = exc.message
        if exc.fields:
            detail += " (" + "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) + ")"
        return _render_show(inquiry, status=exc.status, draft_text=answer, error=detail)
    flash(_("Inquiry is now: %(state)s", state=_state_label(inquiry.state)), "success")
    return redirect(url_for("inquiries.show", inquiry_id=inquiry.id))


def _state_label(state):
    from . import STATE_LABELS

    return str(STATE_LABELS.get(state, state))


def _stats_scope():
    code = request.args.get("department") or None
    if not current_user.is_ministry and not code:
        code = current_user.department.code if current_user.department else None
    return scoping.resolve_department(code) if code else None


@bp.get("/stats")
@login_required
def stats():
    department = _stats_scope()
    f = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    data = None
    with boundary.saving(flash_unplaced=False) as saved:
        data = reports.dashboard_stats(department=department, date_from=f["from"], date_to=f["to"])
    return render_template("inquiries/stats.html", data=data, department=department, f=f, errors=saved.unplaced,
                           departments=list_departments() if current_user.is_ministry else []), \
        200 if saved else 422


@bp.get("/export.xlsx")
@login_required
def export():
    f = _filters()
    department = scoping.resolve_department(f["department"]) if f["department"] else None
    rows = queries.list_inquiries(department=department, state=f["state"] or None, outlet=f["outlet"] or None,
                                  q=f["q"] or None, overdue=f["overdue"] == "1", date_from=f["from"],
                                  date_to=f["to"], limit=100000)
    data = reports.stats(department=department, date_from=f["from"], date_to=f["to"])
    name = f"inquiries-{department.code if department else 'all'}-{to_local(now()):%Y%m%d}.xlsx"
    return Response(reports.export_xlsx(rows, data),
                    mimetype=spreadsheets.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    permissions.require(current_user, "inquiry.settings")
    code = request.values.get("department") or (current_user.department.code if current_user.department else None)
    department = scoping.resolve_department(code) if code else None
    form = SettingsForm()
    current = inquiry_settings.department_settings(department) if department else None
    if request.method == "GET" and current:
        form.approver.data = current["inquiry_approver"]
        form.default_hours.data = current["inquiry_default_hours"]
        form.due_soon_minutes.data = current["inquiry_due_soon_minutes"]
    status = 200
    if department is not None and form.validate_on_submit():
        with boundary.saving(form, flash_unplaced=False) as saved:
            inquiry_settings.update_settings(department=department, user=current_user, approver=form.approver.data,
                                             default_hours=form.default_hours.data,
                                             due_soon_minutes=form.due_soon_minutes.data)
        if saved:
            flash(_("Settings saved."), "success")
            return redirect(url_for("inquiries.settings", department=department.code))
        _flash_unplaced(saved)
        status = 422
    elif request.method == "POST":
        status = 422
    return _render_settings(form, department, status)


def _render_settings(form, department, status=200, mailbox_errors=None, mailbox_values=None):
    box = mailbox.mailbox_of(department) if department else None
    values = mailbox_values or ({"address": box.address, "host": box.host, "port": box.port,
                                 "security": box.security, "username": box.username, "folder": box.folder,
                                 "enabled": box.enabled, "import_since": box.import_since.isoformat()
                                 if box.import_since else ""} if box else
                                {"security": "tls", "folder": "INBOX", "enabled": True,
                                 "import_since": to_local(now()).date().isoformat()})
    return render_template("inquiries/settings.html", form=form, department=department, mailbox=box,
                           mailbox_status=mailbox.status(box), mailbox_errors=mailbox_errors or {},
                           mailbox_values=values,
                           departments=list_departments() if current_user.is_ministry else []), status


@bp.post("/settings/mailbox")
@login_required
def settings_mailbox():
    permissions.require(current_user, "inquiry.settings")
    department = scoping.resolve_department(request.form.get("department") or (
        current_user.department.code if current_user.department else None))
    f = request.form
    with boundary.saving(flash_unplaced=False) as saved:
        if f.get("action") == "disconnect":
            mailbox.disconnect(department=department, user=current_user)
            message, category = _("The press mailbox was disconnected."), "success"
        else:
            box = mailbox.save_mailbox(
                department=department, user=current_user, address=f.get("address"), host=f.get("host"),
                port=f.get("port"), security=f.get("security"), username=f.get("username"),
                password=f.get("password"), folder=f.get("folder"), enabled=f.get("enabled") == "1",
                import_since=f.get("import_since"))
            message, category = _("Press mailbox saved."), "success"
            if f.get("action") == "check":
                counts = mailbox.poll(box)
                if box.failing_since is None:
                    message = _("Press mailbox checked: %(n)s new inquiries.", n=counts.get("imported", 0))
                else:
                    message, category = _("The press mailbox cannot be read: %(error)s", error=box.last_error), "error"
    if not saved:
        form = SettingsForm(formdata=None)
        values = {k: f.get(k, "") for k in ("address", "host", "port", "security", "username", "folder",
                                            "import_since")}
        values["enabled"] = f.get("enabled") == "1"
        return _render_settings(form, department, 422, mailbox_errors=saved.unplaced, mailbox_values=values)
    flash(message, category)
    return redirect(url_for("inquiries.settings", department=department.code))


@bp.route("/refusal-grounds", methods=["GET", "POST"])
@permissions.required("inquiry.refusal_grounds.edit")
def refusal_grounds():
    errors, status = {}, 200
    if request.method == "POST":
        ground = None
        if request.form.get("id"):
            ground_id = inputs.id_or_none(request.form["id"])
            ground = db.session.get(RefusalGround, ground_id) if ground_id else None
            if ground is None:
                raise ValidationError(_("Unknown ground."), fields={"id": _("unknown")})
        with boundary.saving(flash_unplaced=False) as saved:
            grounds.save_refusal_ground(user=current_user, name=request.form.get("name"),
                                        legal_source=request.form.get("legal_source"),
                                        active=request.form.get("active") == "1", ground=ground)
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("inquiries.refusal_grounds"))
        errors, status = saved.unplaced, 422
    return render_template("inquiries/refusal_grounds.html", grounds=grounds.refusal_grounds(active_only=False),
                           errors=errors), status
