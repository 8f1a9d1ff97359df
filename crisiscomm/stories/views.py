from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # tuple choices are deprecated since WTForms 3.2

from .. import boundary, images, permissions
from ..audit.models import AuditEntry
from ..briefings.models import Briefing
from ..contacts.forms import outlet_type_choices
from ..departments.service import find_by_code, list_departments
from ..errors import Conflict, DomainError
from ..extensions import db
from ..plans.years import current_school_year, recent_years, school_year_or_404
from ..scoping import get_or_404, is_ministry, resolve_department
from . import pitch as pitching
from . import service
from .forms import StoryForm
from .models import STATES, TOPICS, BriefingStory, Story, StoryConsent

bp = Blueprint("stories", __name__, url_prefix="/stories")
public_bp = Blueprint("stories_public", __name__, url_prefix="/good-stories")


def _labels():
    return {"labels": {
        "states": service.STATE_LABELS, "roles": service.ROLE_LABELS, "topics": service.TOPIC_LABELS,
        "scopes": service.SCOPE_LABELS, "givers": service.GIVER_LABELS, "actions": service.ACTION_LABELS,
        "audit": {"story.proposed": _l("proposed"), "story.verify": _l("verified"), "story.approve": _l("approved"),
                  "story.publish": _l("published"), "story.reject": _l("rejected"),
                  "story.unpublish": _l("taken off the public page"), "story.consent_withdrawn": _l("consent withdrawn"),
                  "story.featured": _l("featured nationally"), "story.unfeatured": _l("no longer featured"),
                  "story.pitched": _l("pitched to journalists")}}}


bp.context_processor(_labels)
public_bp.context_processor(_labels)


@bp.app_template_filter("scope_label")
def scope_label(value):
    return str(service.SCOPE_LABELS.get(value, value))


def _can_edit():
    return permissions.can(current_user, "story.edit")


def _topic_choices():
    return [SelectChoice(t, str(service.TOPIC_LABELS[t])) for t in TOPICS]


def _fail(story, exc):
    """A refused step: answer the story page with its status, saying what was wrong (the page shows what is
    stored: what the step wrote is rolled back first)."""
    db.session.rollback()
    flash(_("Nothing was saved: %(why)s", why="; ".join(str(v) for v in exc.fields.values()) or exc.message),
          "error")
    return show(story.id), exc.status


@bp.get("/")
@login_required
def index():
    state = request.args.get("state") if request.args.get("state") in STATES else None
    topic = request.args.get("topic") if request.args.get("topic") in TOPICS else None
    stories = service.list_stories(state=state, topic=topic, q=request.args.get("q"))
    return render_template("stories/index.html", stories=stories, state=state, topic=topic, q=request.args.get("q", ""),
                           states=STATES, topics=TOPICS, can_edit=_can_edit())


def _form_story_data(form):
    return {"title": form.title.data, "summary": form.summary.data, "body": form.body.data, "unit": form.unit.data,
            "commune": form.commune.data, "province": form.province.data, "story_date": form.story_date.data,
            "topics": form.topics.data, "proposed_by_name": form.proposed_by_name.data}


def _place_rest(form, saved):
    """Errors no form field shows go under the title."""
    for message in saved.unplaced.values():
        form.title.errors = list(form.title.errors) + [message]


@bp.route("/new", methods=["GET", "POST"])
@permissions.required("story.edit")
def new():
    form = StoryForm()
    form.topics.choices = _topic_choices()
    department = None
    if request.method == "POST":
        with boundary.saving(flash_unplaced=False) as chosen:
            department = resolve_department(request.form.get("department"))
        if not chosen:
            form.title.errors = list(form.title.errors) + [_("Choose a Department.")]
    if form.validate_on_submit() and department is not None:
        with boundary.saving(form, flash_unplaced=False) as saved:
            story = service.create_story(department=department, user=current_user, **_form_story_data(form))
        if saved:
            flash(_("The story was proposed. Add the people in it and their consent."), "success")
            return redirect(url_for("stories.show", story_id=story.id))
        _place_rest(form, saved)
    return render_template("stories/form.html", form=form, story=None,
                           departments=list_departments() if is_ministry() else []), (
        422 if request.method == "POST" else 200)


@bp.route("/<int:story_id>/edit", methods=["GET", "POST"])
@permissions.required("story.edit")
def edit(story_id):
    story = get_or_404(Story, story_id)
    form = StoryForm(obj=story)
    form.topics.choices = _topic_choices()
    if form.validate_on_submit():
        try:
            with boundary.saving(form, flash_unplaced=False) as saved:
                service.update_story(story=story, user=current_user, **_form_story_data(form))
        except Conflict as exc:  # approved or published meanwhile
            return _fail(story, exc)
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("stories.show", story_id=story.id))
        _place_rest(form, saved)
    return render_template("stories/form.html", form=form, story=story, departments=[]), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:story_id>")
@login_required
def show(story_id):
    story = get_or_404(Story, story_id)
    return render_template("stories/show.html", story=story, gaps=dict((p.id, m) for p, m in service.consent_gaps(story)),
                           consented=service.consented_scopes, needed=service.needed_scopes,
                           actions=service.allowed_actions(story, current_user), can_edit=_can_edit(),
                           history=_history(story), briefings=_briefings(story), on_agenda=_on_agenda(story),
                           pitches=pitching.pitches(story))


def _history(story):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "Story",
                                                       AuditEntry.entity_id == story.id,
                                                       AuditEntry.action.like("story.%"))
                              .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)).all()


def _briefings(story):
    return db.session.scalars(select(Briefing).where(Briefing.department_id == story.department_id)
                              .order_by(Briefing.id.desc()).limit(20)).all()


def _on_agenda(story):
    return set(db.session.scalars(select(BriefingStory.briefing_id).where(BriefingStory.story_id == story.id)))


def _do(target, func, success, **kw):
    """Run one service step for the story ``target``: say it was done, or roll it back and say why."""
    try:
        func(**kw)
    except DomainError as exc:
        return _fail(target, exc)
    flash(success, "success")
    return redirect(url_for("stories.show", story_id=target.id))


@bp.post("/<int:story_id>/transition")
@login_required
def transition(story_id):
    story = get_or_404(Story, story_id)
    return _do(story, service.transition, _("Done."), story=story, user=current_user,
               action=request.form.get("action", ""), note=request.form.get("note", ""))


@bp.post("/<int:story_id>/people")
@permissions.required("story.edit")
def add_person(story_id):
    story = get_or_404(Story, story_id)
    f = request.form
    return _do(story, service.add_person, _("Person added."), story=story, user=current_user, name=f.get("name"),
               role=f.get("role"), school=f.get("school", ""), class_or_subject=f.get("class_or_subject", ""),
               under_16=bool(f.get("under_16")), shows_name=bool(f.get("shows_name")),
               shows_school=bool(f.get("shows_school")))


@bp.post("/<int:story_id>/people/<int:person_id>/consents")
@permissions.required("story.edit")
def add_consent(story_id, person_id):
    story = get_or_404(Story, story_id)
    person = service.get_person(story, person_id)
    f = request.form
    upload = request.files.get("form")
    form = None
    if upload and upload.filename:
        limit = int(current_app.config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
        form = (upload.filename, upload.mimetype, upload.stream.read(limit + 1))
    return _do(story, service.record_consent, _("Consent recorded."), person=person, user=current_user,
               given_by=f.get("given_by"), given_as=f.get("given_as", "self"), scope=f.getlist("scope"),
               consented_on=f.get("consented_on"), form=form)


@bp.post("/<int:story_id>/consents/<int:consent_id>/withdraw")
@permissions.required("story.edit")
def withdraw_consent(story_id, consent_id):
    story = get_or_404(Story, story_id)
    consent = db.session.get(StoryConsent, consent_id)
    if consent is None or consent.person.story_id != story.id:
        abort(404)
    return _do(story, service.withdraw_consent, _("Consent withdrawn."), consent=consent, user=current_user,
               reason=request.form.get("reason", ""))


@bp.get("/<int:story_id>/consents/<int:consent_id>/form")
@login_required
def consent_form(story_id, consent_id):
    story = get_or_404(Story, story_id)
    consent = db.session.get(StoryConsent, consent_id)
    if consent is None or consent.person.story_id != story.id or not consent.form_data:
        abort(404)
    return Response(consent.form_data, mimetype=consent.form_content_type or "application/octet-stream",
                    headers={"Content-Disposition": "attachment; filename=consent-%d" % consent.id})


@bp.post("/<int:story_id>/photos")
@permissions.required("story.edit")
def add_photo(story_id):
    story = get_or_404(Story, story_id)
    data = images.read_upload(request.files.get("photo"))
    try:
        person_ids = [int(x) for x in request.form.getlist("person_ids")]
    except ValueError:
        person_ids = [-1]
    return _do(story, service.add_photo, _("Photo added; its metadata (EXIF, location) was removed."), story=story,
               user=current_user, data=data, caption=request.form.get("caption", ""), person_ids=person_ids)


@bp.get("/<int:story_id>/photos/<int:photo_id>.jpg")
@login_required
def photo(story_id, photo_id):
    story = get_or_404(Story, story_id)
    for p in story.photos:
        if p.id == photo_id:
            return Response(p.data, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})
    abort(404)


@bp.post("/<int:story_id>/coverage")
@permissions.required("story.edit")
def add_coverage(story_id):
    story = get_or_404(Story, story_id)
    f = request.form
    return _do(story, service.add_coverage, _("Coverage recorded."), story=story, user=current_user,
               outlet=f.get("outlet"), url=f.get("url"), published_on=f.get("published_on"))


@bp.post("/<int:story_id>/feature")
@login_required
def feature(story_id):
    story = get_or_404(Story, story_id)  # before the role check: another Department's story is a 404, not a 403
    featured = request.form.get("featured") == "1"
    return _do(story, service.set_featured, _("Featured nationally.") if featured else _("No longer featured."),
               story=story, user=current_user, featured=featured)


@bp.post("/<int:story_id>/briefing")
@permissions.required("story.edit")
def add_to_briefing(story_id):
    story = get_or_404(Story, story_id)
    try:
        briefing = get_or_404(Briefing, request.form.get("briefing_id"))
    except Exception:
        abort(404)
    return _do(story, service.add_to_briefing, _("Added to the briefing's agenda."), story=story, briefing=briefing,
               user=current_user)


@bp.route("/<int:story_id>/pitch", methods=["GET", "POST"])
@permissions.required("story.edit")
def pitch(story_id):
    story = get_or_404(Story, story_id)
    filters = {"outlet_type": request.values.get("outlet_type") or None, "beat": request.values.get("beat") or None,
               "department": request.values.get("department") or None}
    if request.method == "POST":
        try:
            ids = [int(x) for x in request.form.getlist("contact_ids")]
        except ValueError:
            ids = []
        try:
            sent = pitching.send_pitch(story=story, user=current_user, contact_ids=ids)
        except DomainError as exc:
            return _fail(story, exc)
        flash(_("%(n)s pitch emails queued, one per journalist.", n=len(sent)), "success")
        return redirect(url_for("stories.show", story_id=story.id))
    candidates = pitching.candidates(story=story, user=current_user, **filters)
    choices = outlet_type_choices()
    return render_template("stories/pitch.html", story=story, candidates=candidates, filters=filters,
                           outlet_types=[v for v, _label in choices], outlet_labels=dict(choices),
                           pitched=service.pitched_contact_ids(story),
                           departments=list_departments() if is_ministry() else [],
                           can_pitch=pitching.can_pitch(story, current_user))


@bp.get("/figures")
@permissions.required("ministry.view")
def figures():
    year = school_year_or_404(request.args.get("year") or current_school_year())
    return render_template("stories/figures.html", year=year, years=recent_years(), rows=service.year_figures(year))


# ---------------------------------------------------------------- public, no sign-in
def _public_department(code):
    department = find_by_code(code)
    if department is None:
        abort(404)
    return department


@public_bp.get("/")
def national():
    return render_template("stories/public.html", department=None, stories=service.public_stories(),
                           public_name=service.public_name, public_photos=service.public_photos)


@public_bp.get("/<code>")
def department_page(code):
    department = _public_department(code)
    return render_template("stories/public.html", department=department,
                           stories=service.public_stories(department=department),
                           public_name=service.public_name, public_photos=service.public_photos)


@public_bp.get("/s/<int:story_id>")
def public_story(story_id):
    story = service.public_story(story_id)  # NotFound: the 404 page
    return render_template("stories/public_story.html", story=story, public_name=service.public_name,
                           consented=service.consented_scopes,
                           public_photos=service.public_photos(story))


@public_bp.get("/photos/<int:photo_id>.jpg")
def public_photo(photo_id):
    photo = service.public_photo(photo_id)
    return Response(photo.data, mimetype="image/jpeg", headers={"Cache-Control": "public, max-age=600"})


def _feed(department):
    stories = service.public_stories(department=department)
    xml = render_template("stories/feed.xml", department=department, stories=stories,
                          public_name=service.public_name, updated=max(
                              [s.published_at for s in stories if s.published_at] or [service.now()]))
    return Response(xml, mimetype="application/atom+xml")


@public_bp.get("/feed.atom")
def national_feed():
    return _feed(None)


@public_bp.get("/<code>/feed.atom")
def department_feed(code):
    return _feed(_public_department(code))


@public_bp.route("/not-interested/<token>", methods=["GET", "POST"])
def not_interested(token):
    """The one-click opt-out link of a pitch: the journalist gets no more pitches on this topic."""
    result = pitching.opt_out(token)
    if result is None:
        return render_template("stories/opt_out.html", ok=False), 404
    contact, topics = result
    return render_template("stories/opt_out.html", ok=True, contact=contact,
                           topics=[str(service.TOPIC_LABELS.get(t, t)) for t in topics])
