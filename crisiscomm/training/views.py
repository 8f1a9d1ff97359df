from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # tuple choices are deprecated since WTForms 3.2

from .. import boundary, inputs, permissions
from ..departments.models import ACTIVE, Department
from ..departments.service import list_departments
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..plans.years import parse_school_year, recent_years
from ..scoping import get_or_404, resolve_department
from ..users.models import User
from . import service
from .forms import CourseForm, MaterialForm
from .models import ATTENDANCE, TOPICS

bp = Blueprint("training", __name__, url_prefix="/training")


@bp.context_processor
def _labels():
    return {"labels": {"topics": service.TOPIC_LABELS, "attendance": service.ATTENDANCE_LABELS}}


def _course_form(course=None):
    form = CourseForm(obj=course)
    form.topics.choices = [SelectChoice(t, str(service.TOPIC_LABELS[t])) for t in TOPICS]
    form.invited.choices = [SelectChoice(str(d.id), d.name) for d in list_departments()]
    if course is not None and request.method == "GET":
        form.trainers.data = "\n".join(course.trainers or [])
        form.invited.data = [str(d.id) for d in course.invited]
    return form


def _course_data(form):
    data = {"title": form.title.data, "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
            "place": form.place.data, "online": bool(form.online.data), "topics": form.topics.data or [],
            "trainers": form.trainers.data or "", "description": form.description.data or ""}
    if current_user.is_ministry:
        data["invited"] = list(form.invited.data or [])
    return data


@bp.get("/")
@permissions.required("training.read")
def index():
    when = request.args.get("when") if request.args.get("when") in ("upcoming", "past") else None
    topic = request.args.get("topic") if request.args.get("topic") in TOPICS else None
    organiser_arg = request.args.get("organiser") or ""
    organiser = "ministry" if organiser_arg == "ministry" else inputs.id_or_none(organiser_arg)
    year = request.args.get("year") or ""
    try:
        year = parse_school_year(year) if year else None
    except ValidationError:  # a year the filter does not know: no filter, as for any other unknown value
        year = None
    options = {"user": current_user, "topic": topic, "organiser": organiser, "school_year": year}
    upcoming = service.list_courses(when="upcoming", **options) if when in (None, "upcoming") else []
    past = service.list_courses(when="past", **options) if when in (None, "past") else []
    return render_template("training/index.html", upcoming=upcoming, past=past, when=when, topic=topic,
                           organiser=organiser_arg, year=year or "", years=recent_years(),
                           topics=TOPICS, organisers=service.organisers(current_user),
                           can_edit=service.can_edit(current_user))


def _course_page(course, save, message):
    """The course form (new or edit): ``save(data)`` writes and returns the course; refusals go under the fields."""
    form = _course_form(course)
    saved = None
    if form.validate_on_submit():
        with boundary.saving(form) as saved:
            course = save(_course_data(form))
    if saved:
        flash(message, "success")
        return redirect(url_for("training.show", course_id=course.id))
    return render_template("training/form.html", form=form, course=course if course and course.id else None), (
        422 if request.method == "POST" else 200)


@bp.route("/new", methods=["GET", "POST"])
@permissions.required("training.edit")
def new():
    return _course_page(None, lambda data: service.create_course(user=current_user, **data),
                        _("The course was saved. Add its materials and participants."))


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@permissions.required("training.edit")
def edit(course_id):
    course = service.get_course(course_id, current_user)
    if not service.can_edit(current_user, course):
        raise NotFound()
    return _course_page(course, lambda data: service.update_course(course=course, user=current_user, **data),
                        _("The course was saved."))


def _show(course, material_form=None, status=200):
    can_edit = service.can_edit(current_user, course)
    users, focal_points = service.participant_choices(course, current_user) if permissions.can(
        current_user, "training.edit") else ([], [])
    participants = service.visible_participants(course, current_user)
    markable = {p.id for p in participants if service.can_mark(current_user, course, p.department_id)}
    return render_template("training/show.html", course=course, participants=participants, can_edit=can_edit,
                           markable=markable,
                           material_form=material_form or MaterialForm(formdata=None), choice_users=users,
                           choice_focal_points=focal_points, attendance_values=ATTENDANCE), status


@bp.get("/<int:course_id>")
@permissions.required("training.read")
def show(course_id):
    return _show(service.get_course(course_id, current_user))


@bp.post("/<int:course_id>/materials")
@permissions.required("training.edit")
def add_material(course_id):
    course = service.get_course(course_id, current_user)
    form = MaterialForm()
    if form.validate_on_submit():
        upload = form.file.data
        with boundary.saving(form) as saved:
            if upload is not None and upload.filename:
                service.add_file(course=course, user=current_user, filename=upload.filename,
                                 data=upload.read(service.max_file_bytes() + 1), title=form.title.data)
            else:
                service.add_link(course=course, user=current_user, url=form.url.data, title=form.title.data)
        if saved:
            flash(_("The material was added."), "success")
            return redirect(url_for("training.show", course_id=course.id) + "#materials")
        course = service.get_course(course_id, current_user)
    return _show(course, material_form=form, status=422)


@bp.get("/<int:course_id>/materials/<int:material_id>")
@permissions.required("training.read")
def material(course_id, material_id):
    item = service.get_material(service.get_course(course_id, current_user), material_id)
    if item.kind != "file":  # a link is followed from the page itself, never redirected to from here
        raise NotFound()
    response = Response(item.data, mimetype=item.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=item.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:course_id>/materials/<int:material_id>/delete")
@permissions.required("training.edit")
def delete_material(course_id, material_id):
    course = service.get_course(course_id, current_user)
    service.remove_material(course=course, user=current_user, material=service.get_material(course, material_id))
    flash(_("The material was removed."), "success")
    return redirect(url_for("training.show", course_id=course.id) + "#materials")


@bp.post("/<int:course_id>/participants")
@permissions.required("training.edit")
def add_participants(course_id):
    course = service.get_course(course_id, current_user)
    users, focal_points = request.form.getlist("user_id"), request.form.getlist("focal_point_id")
    if not users and not focal_points:
        flash(_("Choose the people to add."), "error")
        return redirect(url_for("training.show", course_id=course.id) + "#participants")
    with boundary.saving() as saved:
        for ident in users:
            service.add_participant(course=course, user=current_user, person_id=ident)
        for ident in focal_points:
            service.add_participant(course=course, user=current_user, focal_point_id=ident)
    return _participants_saved(saved, course_id, _("The participants were added."))


def _participants_saved(saved, course_id, message):
    """Back to the participants, or the course page again (422) with the refusal flashed and nothing written."""
    if not saved:
        return _show(service.get_course(course_id, current_user), status=422)
    flash(message, "success")
    return redirect(url_for("training.show", course_id=course_id) + "#participants")


@bp.post("/<int:course_id>/attendance")
@permissions.required("training.edit")
def attendance(course_id):
    course = service.get_course(course_id, current_user)
    marks = {}
    for p in course.participants:
        if f"attendance-{p.id}" in request.form:
            marks[p.id] = (request.form.get(f"attendance-{p.id}"), request.form.get(f"note-{p.id}", ""))
    with boundary.saving() as saved:
        service.mark_all(course=course, user=current_user, marks=marks)
    return _participants_saved(saved, course_id, _("Attendance saved."))


@bp.post("/<int:course_id>/participants/<int:participant_id>/delete")
@permissions.required("training.edit")
def delete_participant(course_id, participant_id):
    course = service.get_course(course_id, current_user)
    service.remove_participant(course=course, user=current_user,
                               participant=service.get_participant(course, participant_id, current_user))
    flash(_("The participant was removed."), "success")
    return redirect(url_for("training.show", course_id=course.id) + "#participants")


@bp.get("/people")
@permissions.required("training.read")
def people():
    """A Department's spokespersons and communication staff, the untrained first; for the Ministry without a
    Department chosen, the share trained per Department."""
    code = request.args.get("department")
    if current_user.is_ministry and not code:
        departments = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                         .order_by(Department.sort_name)).all()
        counts = service.trained_counts([d.id for d in departments])
        return render_template("training/people.html", department=None, departments=departments, counts=counts,
                               window=service.window())
    department = resolve_department(code)
    staff = service.trainees([department.id])
    done = service.trained_user_ids([p.id for p in staff])
    untrained = sorted((p for p in staff if p.id not in done), key=lambda p: p.name)
    trained = sorted((p for p in staff if p.id in done), key=lambda p: p.name)
    return render_template("training/people.html", department=department, untrained=untrained, trained=trained,
                           window=service.window())


@bp.get("/people/<int:staff_id>")
@permissions.required("training.read")
def person(staff_id):
    person = db.session.get(User, staff_id)
    if person is None or person.department_id is None and not current_user.is_ministry:
        raise NotFound()
    if person.department_id is not None:
        get_or_404(User, staff_id)
    return render_template("training/person.html", person=person, rows=service.history(person))


