"""The mention inbox (a Department's, or the Ministry's across Departments), a mention's page with its one-step
actions, manual capture, watch terms, and the Ministry's feed list."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import boundary, images, permissions
from ..departments.service import list_departments
from ..extensions import db
from ..paging import fetch_page, neighbour_urls, page_number
from ..scoping import get_or_404, is_ministry, resolve_department
from ..scenarios.models import CATEGORIES, SEVERITIES
from . import service, settings
from .forms import CaptureForm
from .matching import extension_terms
from .models import STATES, TONES, CrisisTerm, DepartmentTerm, Feed, Mention
from .serialise import screenshot_response

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


@bp.context_processor
def _labels():
    return {"mention_labels": {"states": service.STATE_LABELS, "tones": service.TONE_LABELS,
                               "sources": service.SOURCE_LABELS, "kinds": settings.KIND_LABELS,
                               "severities": settings.SEVERITY_LABELS}}


def _flash_refusal(saved):
    exc = saved.error
    flash(_("Nothing was saved: %(why)s", why="; ".join(str(v) for v in exc.fields.values()) or exc.message), "error")


def _back(mention):
    return redirect(url_for("monitoring.show", mention_id=mention.id), code=303)


@bp.get("/")
@permissions.required("mention.read")
def index():
    state = request.args.get("state") if request.args.get("state") in STATES else None
    tone = request.args.get("tone") if request.args.get("tone") in TONES else None
    department = resolve_department(request.args["department"]) if request.args.get("department") else None
    stmt = service.mentions_query(user=current_user, state=state, tone=tone,
                                  department_id=department.id if department else None, q=request.args.get("q"))
    number = page_number()
    rows, has_next = fetch_page(db.session, stmt, number, 50)
    prev_url, next_url = neighbour_urls(number, has_next)
    return render_template("monitoring/index.html", rows=rows, prev_url=prev_url, next_url=next_url, state=state, tone=tone, department=department,
                           q=request.args.get("q", ""), counts=service.counts(user=current_user), states=STATES,
                           tones=TONES, departments=list_departments() if is_ministry() else [])


@bp.route("/capture", methods=["GET", "POST"])
@permissions.required("mention.triage")
def capture():
    form = CaptureForm()
    if form.validate_on_submit():
        with boundary.saving(form) as saved:
            department = resolve_department(request.form.get("department"))
            mention = service.capture(user=current_user, department=department, link=form.link.data,
                                      title=form.title.data, text=form.text.data or "", outlet=form.outlet.data or "",
                                      published_at=form.published_at.data, reach=form.reach.data,
                                      screenshot=images.read_upload(request.files.get("screenshot")))
        if saved:
            flash(_("Mention recorded.") if mention._new else _("Already known: recorded as another sighting."),
                  "success")
            return redirect(url_for("monitoring.show", mention_id=mention.id), code=303)
    return render_template("monitoring/capture.html", form=form,
                           departments=list_departments() if is_ministry() else []), (
        422 if request.method == "POST" else 200)


@bp.get("/mentions/<int:mention_id>")
@permissions.required("mention.read")
def show(mention_id):
    mention = get_or_404(Mention, mention_id)
    return render_template("monitoring/show.html", mention=mention, defaults=service.incident_defaults(mention),
                           incidents=service.recent_incidents(mention), corrections=service.corrections(mention),
                           categories=CATEGORIES,
                           severities=SEVERITIES, states=STATES, tones=TONES,
                           can_triage=permissions.can(current_user, "mention.triage"))


@bp.get("/mentions/<int:mention_id>/screenshot.jpg")
@permissions.required("mention.read")
def screenshot(mention_id):
    return screenshot_response(get_or_404(Mention, mention_id))  # scoped: another Department's mention is a 404


def _step(mention, func, success, target=None, **kw):
    """One action on a mention: say it was done and go on (to ``target(result)`` or back to the mention), or roll
    it back and say why on the mention's page."""
    with boundary.saving(flash_unplaced=False) as saved:
        result = func(mention=mention, user=current_user, **kw)
    if not saved:
        _flash_refusal(saved)
        return _back(mention)
    flash(success, "success")
    return redirect(target(result), code=303) if target else _back(mention)


@bp.post("/mentions/<int:mention_id>/triage")
@permissions.required("mention.triage")
def triage(mention_id):
    f = request.form
    return _step(get_or_404(Mention, mention_id), service.triage, _("Saved."), state=f.get("state") or None,
                 tone=f.get("tone") if "tone" in f else None, note=f.get("note") if "note" in f else None)


@bp.post("/mentions/<int:mention_id>/incident")
@permissions.required("mention.triage")
def create_incident(mention_id):
    f = request.form
    data = {k: f[k] for k in ("title", "category", "severity") if f.get(k)}
    data["exam_related"] = f.get("exam_related") == "1"
    return _step(get_or_404(Mention, mention_id), service.create_incident,
                 _("Incident created from the mention; the alert has gone out."),
                 target=lambda incident: url_for("incidents.show", incident_id=incident.id), data=data)


@bp.post("/mentions/<int:mention_id>/link")
@permissions.required("mention.triage")
def link_incident(mention_id):
    return _step(get_or_404(Mention, mention_id), service.link_incident, _("Linked to the incident."),
                 incident_id=request.form.get("incident_id"))


@bp.post("/mentions/<int:mention_id>/inquiry")
@permissions.required("mention.triage")
def log_inquiry(mention_id):
    return _step(get_or_404(Mention, mention_id), service.log_inquiry, _("Press inquiry logged."),
                 target=lambda inquiry: url_for("inquiries.show", inquiry_id=inquiry.id),
                 journalist_name=request.form.get("journalist_name"), subject=request.form.get("subject") or None)


@bp.post("/mentions/<int:mention_id>/correction")
@permissions.required("mention.triage")
def record_correction(mention_id):
    f = request.form
    return _step(get_or_404(Mention, mention_id), service.record_correction,
                 _("Correction recorded in the statement library."), text=f.get("text"), channel=f.get("channel"),
                 published_at=f.get("published_at") or None)


@bp.route("/terms", methods=["GET", "POST"])
@permissions.required("mention.terms")
def terms():
    code = request.values.get("department")
    if not code and is_ministry():  # the Ministry edits any Department's: the first one until it picks another
        code = list_departments()[0].code
    department = resolve_department(code)
    if request.method == "POST":
        with boundary.saving(flash_unplaced=False) as saved:
            if request.form.get("generate"):
                added = len(settings.generate_department_terms(department))
            else:
                settings.add_department_term(user=current_user, department=department,
                                             text=request.form.get("text"), kind=request.form.get("kind", "term"))
                added = 1
        if saved:
            flash(_("%(n)s terms added.", n=added), "success")
        else:
            _flash_refusal(saved)
        return redirect(url_for("monitoring.terms", department=department.code if is_ministry() else None),
                        code=303)
    return render_template("monitoring/terms.html", department=department,
                           rows=settings.department_terms(department),
                           linked=extension_terms([department.id]).get(department.id, []),
                           departments=list_departments() if is_ministry() else [])


@bp.post("/terms/<int:term_id>/delete")
@permissions.required("mention.terms")
def delete_term(term_id):
    term = get_or_404(DepartmentTerm, term_id)
    code = term.department.code
    settings.delete_department_term(user=current_user, term=term)
    flash(_("Term removed."), "success")
    return redirect(url_for("monitoring.terms", department=code if is_ministry() else None), code=303)


@bp.route("/feeds", methods=["GET", "POST"])
@permissions.required("monitoring.admin")
def feeds():
    if request.method == "POST":
        f = request.form
        with boundary.saving(flash_unplaced=False) as saved:
            if f.get("what") == "crisis_term":
                settings.add_crisis_term(user=current_user, text=f.get("text"), kind=f.get("kind", "term"),
                                         severity=f.get("severity", "medium"))
            else:
                settings.add_feed(user=current_user, url=f.get("url"), outlet=f.get("outlet"),
                                  contact_outlet=f.get("contact_outlet"),
                                  interval_minutes=f.get("interval_minutes") or 30)
        if saved:
            flash(_("Saved."), "success")
        else:
            _flash_refusal(saved)
        return redirect(url_for("monitoring.feeds"), code=303)
    return render_template("monitoring/feeds.html", feeds=settings.feeds(), crisis=settings.crisis_terms(),
                           severities=list(settings.SEVERITY_LABELS),
                           outlets=settings.contact_outlets(user=current_user))


@bp.route("/feeds/<int:feed_id>", methods=["GET", "POST"])
@permissions.required("monitoring.admin")
def edit_feed(feed_id):
    feed = db.get_or_404(Feed, feed_id)
    errors = {}
    if request.method == "POST":
        f = request.form
        with boundary.saving(flash_unplaced=False) as saved:
            settings.update_feed(user=current_user, feed=feed, url=f.get("url"), outlet=f.get("outlet"),
                                 contact_outlet=f.get("contact_outlet"), interval_minutes=f.get("interval_minutes"),
                                 active=f.get("active") or "0")
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("monitoring.edit_feed", feed_id=feed.id), code=303)
        errors = saved.error.fields  # shown under the fields, with what was typed
    return render_template("monitoring/feed.html", feed=feed, outlets=settings.contact_outlets(user=current_user),
                           contacts=settings.outlet_contacts(user=current_user, feed=feed),
                           errors=errors), 422 if errors else 200


@bp.post("/feeds/<int:feed_id>/active")
@permissions.required("monitoring.admin")
def feed_active(feed_id):
    feed = db.get_or_404(Feed, feed_id)
    settings.set_feed_active(user=current_user, feed=feed, active=request.form.get("active") == "1")
    flash(_("Saved."), "success")
    return redirect(url_for("monitoring.feeds"), code=303)


@bp.post("/crisis-terms/<int:crisis_term_id>/delete")
@permissions.required("monitoring.admin")
def delete_crisis_term(crisis_term_id):
    settings.delete_crisis_term(user=current_user, term=db.get_or_404(CrisisTerm, crisis_term_id))
    flash(_("Term removed."), "success")
    return redirect(url_for("monitoring.feeds"), code=303)
