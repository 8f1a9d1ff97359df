from flask import Blueprint, Response, abort, after_this_request, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import boundary, permissions, scoping, spreadsheets
from ..clock import to_local
from ..contacts.models import OUTLET_TYPES, Contact
from ..departments.models import ACTIVE, Department
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..forms import select_choices
from ..notifications import service as outbox
from ..paging import fetch_page, neighbour_urls, page_number
from ..text import sort_people
from ..users.models import User
from . import feeds, ical, invitations, planning, quarters, service
from .exams import delete_exam_period, exam_periods_on, save_exam_period
from .forms import BriefingForm, ExamPeriodForm
from .models import STATUSES, Briefing, ExamPeriod

bp = Blueprint("briefings", __name__)
feeds_bp = Blueprint("briefing_feeds", __name__)


def outlet_type_labels():
    return {"central_resident": _("Central press resident in the province"), "provincial": _("Provincial press"),
            "broadcast": _("Radio and television"), "online": _("Online newspapers and news sites"),
            "ministry": _("Ministry-level press")}


def _can_edit():
    return permissions.can(current_user, "briefing.edit")


def _contacts_by_type(department):
    rows = db.session.scalars(select(Contact).where(Contact.department_id == department.id,
                                                    Contact.archived.is_(False))
                              .order_by(Contact.outlet, Contact.full_name)).all()
    groups = {t: [] for t in OUTLET_TYPES}
    for c in rows:
        groups.setdefault(c.outlet_type, []).append(c)
    return [(t, outlet_type_labels().get(t, t), cs) for t, cs in groups.items() if cs]


def _speaker_choices(department):
    users = sort_people(db.session.scalars(select(User).where(User.department_id == department.id,
                                                              User.active.is_(True))).all())
    return [(u.id, f"{u.name}{' – ' + u.title if u.title else ''}") for u in users]


def _form_data(form, contact_ids):
    return {
        "title": form.title.data, "starts_at": form.starts_at.data, "ends_at": form.ends_at.data,
        "place": form.place.data, "online_link": form.online_link.data, "topics": form.topics.data,
        "status": form.status.data, "status_reason": form.status_reason.data,
        "internal_units": form.internal_units.data or "", "speaker_ids": form.speaker_ids.data or [],
        "minutes": form.minutes.data, "attachments": form.attachments.data or "", "contact_ids": contact_ids,
    }


def _save_briefing(form, save, sequence_before=None):
    """Create or update (``save()``) from the form: (the redirect to the saved briefing, None), or (None, the
    invitee error shown above the checkboxes) with every other error under its field."""
    with boundary.saving(form, flash_unplaced=False) as saved:
        briefing = save()
    if not saved:
        return None, saved.error.fields.get("contact_ids")
    flash(_("The briefing was saved."), "success")
    if briefing.invitations_sent_at and briefing.sequence != sequence_before:
        flash(_("What the invitation shows has changed: press \"Send updates\" so everyone invited "
                "gets the new version."), "warning")
    for w in service.warnings(briefing):
        flash(w, "warning")
    return redirect(url_for("briefings.show", briefing_id=briefing.id)), None


def _department_or_picker():
    """(the Department the page is for, None), or (None, the page to choose one) for a Ministry user who named none."""
    code = request.values.get("department") or None
    if scoping.is_ministry() and not code:
        departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                         .order_by(Department.sort_name)).all()
        return None, render_template("briefings/pick_department.html", departments=departments)
    return scoping.resolve_department(code), None


def _quarter_arg(default=None):
    q = (request.args.get("quarter") or "").strip().upper() or default
    if q:
        quarters.parse_quarter(q)
    return q


@bp.get("/briefings")
@login_required
def index():
    quarter = _quarter_arg()
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        raise ValidationError(_("Unknown status."), fields={"status": _("unknown status")})
    department = None
    code = request.args.get("department") or None
    if code and scoping.is_ministry():
        department = scoping.resolve_department(code)
    stmt = service.briefings_in(scoping.scoped_select(Briefing), quarter=quarter, status=status,
                                department=department)
    if not quarter:  # all quarters: the latest first, ten years back on later pages
        stmt = stmt.order_by(None).order_by(Briefing.starts_at.desc(), Briefing.id.desc())
    page = page_number()
    briefings, has_next = fetch_page(db.session, stmt, page, 100)
    prev_url, next_url = neighbour_urls(page, has_next)
    departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                     .order_by(Department.sort_name)).all() if scoping.is_ministry() else []
    return render_template("briefings/index.html", briefings=briefings, page=page, prev_url=prev_url,
                           next_url=next_url, quarter=quarter or "", status=status or "",
                           department=department, departments=departments, labels=service.status_labels(),
                           quarter_key=quarters.quarter_key, can_edit=_can_edit(),
                           this_quarter=quarters.current_quarter())


@bp.route("/briefings/new", methods=["GET", "POST"])
@permissions.required("briefing.edit")
def new():
    department, picker = _department_or_picker()
    if picker:
        return picker
    form = BriefingForm()
    form.speaker_ids.choices = select_choices(_speaker_choices(department))
    if request.method == "GET":
        form.speaker_ids.data = [u.id for u in service.default_speakers(department)]
        form.place.data = department.address
    status, contact_ids, contact_error = 200, [], None
    if request.method == "POST":
        contact_ids = request.form.getlist("contact_ids")
        if form.validate_on_submit():
            done, contact_error = _save_briefing(form, lambda: service.create_briefing(
                department=department, user=current_user, data=_form_data(form, contact_ids)))
            if done:
                return done
        status = 422
    return render_template("briefings/form.html", form=form, department=department, briefing=None,
                           groups=_contacts_by_type(department), selected={str(c) for c in contact_ids},
                           contact_error=contact_error), status


@bp.route("/briefings/<int:briefing_id>/edit", methods=["GET", "POST"])
@permissions.required("briefing.edit")
def edit(briefing_id):
    briefing = scoping.get_or_404(Briefing, briefing_id)
    department = briefing.department
    form = BriefingForm(obj=briefing)
    form.speaker_ids.choices = select_choices(_speaker_choices(department))
    if request.method == "GET":
        form.starts_at.data = to_local(briefing.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_local(briefing.ends_at).replace(tzinfo=None)
        form.speaker_ids.data = [u.id for u in briefing.speakers]
        form.internal_units.data = "\n".join(briefing.internal_units or [])
        form.attachments.data = "\n".join(f"{a['title']} | {a['url']}" if a.get("title") != a["url"] else a["url"]
                                          for a in briefing.attachments or [])
    selected = {str(i.contact_id) for i in briefing.invitations}
    status, contact_error = 200, None
    if request.method == "POST":
        selected = set(request.form.getlist("contact_ids"))
        if form.validate_on_submit():
            done, contact_error = _save_briefing(form, lambda: service.update_briefing(
                briefing=briefing, data=_form_data(form, sorted(selected))), sequence_before=briefing.sequence)
            if done:
                return done
        status = 422
    return render_template("briefings/form.html", form=form, department=department, briefing=briefing,
                           groups=_contacts_by_type(department), selected=selected,
                           contact_error=contact_error), status


@bp.get("/briefings/<int:briefing_id>")
@login_required
def show(briefing_id):
    briefing = scoping.get_or_404(Briefing, briefing_id)
    return render_template("briefings/show.html", b=briefing, warnings=service.warnings(briefing),
                           delivery=invitations.latest_delivery_by_contact(briefing),
                           deliveries=invitations.deliveries(briefing), labels=service.status_labels(),
                           type_labels=outlet_type_labels(), can_edit=_can_edit(),
                           quarter=quarters.quarter_key(briefing.starts_at))


@bp.get("/briefings/<int:briefing_id>/hop-bao.ics")
@login_required
def download_ics(briefing_id):
    briefing = scoping.get_or_404(Briefing, briefing_id)
    return Response(ical.build_ics([briefing], method="PUBLISH"), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=hop-bao.ics"})


@bp.post("/briefings/<int:briefing_id>/invitations")
@permissions.required("briefing.edit")
def send_invitations(briefing_id):
    briefing = scoping.get_or_404(Briefing, briefing_id)
    with boundary.saving() as saved:  # refused: its message is flashed on the briefing's page
        rows = invitations.send_invitations(briefing=briefing, resend_all=bool(request.form.get("resend_all")))
    if not saved:
        return redirect(url_for("briefings.show", briefing_id=briefing_id))
    return _queued(briefing_id, len(rows), _("%(n)s invitations queued; delivery status is shown below.", n=len(rows)),
                   _("Every invited contact already has the current invitation."))


def _queued(briefing_id, count, done, nothing):
    """Back on the briefing's page, saying what was queued (``done``), or that there was nothing to queue."""
    if count:
        flash(done, "success")
    else:
        flash(nothing, "info")
    return redirect(url_for("briefings.show", briefing_id=briefing_id))


@bp.post("/briefings/<int:briefing_id>/invitations/retry")
@permissions.required("briefing.edit")
def retry_invitations(briefing_id):
    briefing = scoping.get_or_404(Briefing, briefing_id)
    ids = invitations.retry_failed(briefing=briefing)
    if ids:
        # Re-queued rows are not new, so the outbox does not send them by itself: send them once the boundary has
        # committed (after_this_request runs after the view, hence after its commit).
        after_this_request(lambda response: outbox.dispatch_soon(ids) or response)
    return _queued(briefing_id, len(ids), _("%(n)s failed invitations queued again.", n=len(ids)),
                   _("No failed invitations to retry."))


@bp.post("/briefings/<int:briefing_id>/attendance")
@permissions.required("briefing.edit")
def attendance(briefing_id):
    briefing = scoping.get_or_404(Briefing, briefing_id)
    service.record_attendance(briefing=briefing, attended_ids=request.form.getlist("attended"),
                              mark_held=bool(request.form.get("mark_held")))
    flash(_("Attendance saved."), "success")
    return redirect(url_for("briefings.show", briefing_id=briefing_id) + "#attendance")


@bp.route("/briefings/plan", methods=["GET", "POST"])
@permissions.required("briefing.edit")
def plan():
    department, picker = _department_or_picker()
    if picker:
        return picker
    school_year = request.values.get("school_year") or planning.current_school_year()
    errors, status = {}, 200
    with boundary.saving(flash_unplaced=False) as proposed:
        slots = planning.propose_plan(department=department, school_year=school_year)
    if not proposed:  # a school year that is no school year: this one's plan, and the error
        school_year = planning.current_school_year()
        slots = planning.propose_plan(department=department, school_year=school_year)
        errors, status = proposed.error.fields, 422
    if request.method == "POST" and not errors:
        chosen = []
        for slot in slots:
            key = slot["quarter"]
            if request.form.get(f"use_{key}"):
                chosen.append({"quarter": key, "date": request.form.get(f"date_{key}"),
                               "time": request.form.get(f"time_{key}"), "title": request.form.get(f"title_{key}")})
                slot["date_value"] = request.form.get(f"date_{key}")
        with boundary.saving(flash_unplaced=False) as saved:
            created = planning.confirm_plan(department=department, user=current_user, school_year=school_year,
                                            slots=chosen)
        if saved:
            flash(_("%(n)s briefings planned. Open each one to invite the press.", n=len(created)), "success")
            for b in created:
                for exam in exam_periods_on(to_local(b.starts_at).date()):
                    flash(_("%(date)s is a day of %(exam)s.", date=to_local(b.starts_at).strftime("%d/%m/%Y"),
                            exam=exam.name), "warning")
            return redirect(url_for("briefings.index", department=department.code if scoping.is_ministry() else None))
        errors, status = saved.error.fields, 422
    return render_template("briefings/plan.html", department=department, school_year=school_year, slots=slots,
                           errors=errors, submitted=request.form if request.method == "POST" else None), status


@bp.get("/briefings/compliance")
@permissions.required("briefing.compliance")
def compliance():
    quarter = _quarter_arg(quarters.current_quarter())
    status = request.args.get("status") or None
    if status and status not in ("held", "planned", "missing"):
        raise ValidationError(_("Unknown status."), fields={"status": _("held, planned or missing")})
    items = service.compliance(quarter=quarter, status=status)
    if request.args.get("format") == "xlsx":
        return Response(service.compliance_xlsx(quarter=quarter, items=items),
                        mimetype=spreadsheets.XLSX_MIMETYPE,
                        headers={"Content-Disposition": f"attachment; filename=hop-bao-{quarter}.xlsx"})
    totals = {k: 0 for k in ("held", "planned", "missing")}
    for i in service.compliance(quarter=quarter):
        totals[i["status"]] += 1
    return render_template("briefings/compliance.html", items=items, quarter=quarter, status=status or "",
                           totals=totals, labels=service.status_labels(),
                           prev_q=quarters.shift_quarter(quarter, -1), next_q=quarters.shift_quarter(quarter, 1))


def _exam_period_page(form, period=None):
    """The exam periods page with the form to add one (``period`` None) or change ``period``; POST saves."""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with boundary.saving(form, flash_unplaced=False) as saved:
                save_exam_period(period=period, name=form.name.data, start_date=form.start_date.data,
                                 end_date=form.end_date.data)
            if saved:
                flash(_("Exam period saved."), "success")
                return redirect(url_for("briefings.exams"))
        status = 422
    periods = db.session.scalars(select(ExamPeriod).order_by(ExamPeriod.start_date.desc())).all()
    return render_template("briefings/exams.html", form=form, periods=periods, editing=period), status


@bp.route("/briefings/exams", methods=["GET", "POST"])
@permissions.required("briefing.exam_periods")
def exams():
    return _exam_period_page(ExamPeriodForm())


@bp.route("/briefings/exams/<int:period_id>", methods=["GET", "POST"])
@permissions.required("briefing.exam_periods")
def exam_edit(period_id):
    period = db.session.get(ExamPeriod, period_id) or abort(404)
    return _exam_period_page(ExamPeriodForm(obj=period), period)


@bp.post("/briefings/exams/<int:period_id>/delete")
@permissions.required("briefing.exam_periods")
def exam_delete(period_id):
    period = db.session.get(ExamPeriod, period_id) or abort(404)
    delete_exam_period(period=period)
    flash(_("Exam period deleted."), "success")
    return redirect(url_for("briefings.exams"))


def _feed_department():
    """The feed a user manages: their Department's, or the Ministry-wide one for Ministry roles."""
    if scoping.is_ministry():
        return None
    return current_user.department


@bp.get("/briefings/calendar")
@login_required
def calendar():
    department = _feed_department()
    feed = feeds.feed_for(department=department)
    url = url_for("briefing_feeds.feed", token=feed.calendar_token, _external=True) if feed else None
    return render_template("briefings/calendar.html", feed=feed, url=url, department=department,
                           can_manage=_can_manage_feed())


def _can_manage_feed():
    """The Ministry's roles manage the Ministry-wide feed, a Department's editors their Department's."""
    return _can_edit()


@bp.post("/briefings/calendar/regenerate")
@login_required
def calendar_regenerate():
    if not _can_manage_feed():
        abort(403)
    feeds.regenerate_feed(department=_feed_department(), user=current_user)
    flash(_("A new calendar link was created; the old one no longer works."), "success")
    return redirect(url_for("briefings.calendar"))


@bp.post("/briefings/calendar/revoke")
@login_required
def calendar_revoke():
    if not _can_manage_feed():
        abort(403)
    feeds.revoke_feed(department=_feed_department())
    flash(_("The calendar link was revoked."), "success")
    return redirect(url_for("briefings.calendar"))


@feeds_bp.get("/calendar/<token>.ics")
def feed(token):
    try:
        body = feeds.feed_ics(token)
    except NotFound:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})


def delivery_label(state):
    return {"pending": _("queued"), "sending": _("sending"), "sent": _("delivered to the mail server"),
            "failed_temporary": _("failed, will retry"), "failed_permanent": _("failed"),
            "not_notified": _("not notified (no email)")}.get(state, state)


@bp.app_context_processor
def _template_helpers():
    return {"delivery_label": delivery_label}
