"""Courses, their materials and participants; who is trained; a person's training history (drills included)."""
import os
from datetime import date

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import and_, exists, false, or_, select

from .. import inputs, permissions
from ..clock import local_today, now, to_local
from ..departments.models import Department
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..incidents.models import Incident, IncidentEvent
from ..network.models import FocalPoint
from ..plans.years import bounds, school_year_of
from ..users.models import User
from .models import (ATTENDANCE, ATTENDED, FILE, LINK, REGISTERED, TOPICS, Course, CourseMaterial,
                     CourseParticipant, course_department)

# In the order of TOPICS and ATTENDANCE.
TOPIC_LABELS = dict(zip(TOPICS, (_l("spokesperson skills"), _l("crisis communication"), _l("social media"),
                                 _l("exam communication"), _l("press relations"), _l("law on access to information"),
                                 _l("writing press releases"))))
ATTENDANCE_LABELS = dict(zip(ATTENDANCE, (_l("registered"), _l("attended"), _l("absent"))))
KIND_LABELS = {FILE: _l("file"), LINK: _l("web link")}  # a material's kind, as the audit log shows it

MAX_MATERIALS = 20
MAX_TRAINERS = 20
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024  # below the request limit, so the field is named, not a bare 413
# Extension -> (content type served, the first bytes the file must start with).
FILE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".ppt": ("application/vnd.ms-powerpoint", (b"\xd0\xcf\x11\xe0",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def max_file_bytes():
    return int(current_app.config.get("TRAINING_MATERIAL_MAX_BYTES", DEFAULT_MAX_FILE_BYTES))


# ---------------------------------------------------------------- who sees and edits
def _visible(stmt, user):
    if not (user and user.is_authenticated):
        return stmt.where(false())
    if user.is_ministry:
        return stmt
    invited = exists().where(course_department.c.course_id == Course.id,
                             course_department.c.department_id == user.department_id)
    return stmt.where(or_(Course.department_id == user.department_id,
                          and_(Course.department_id.is_(None), invited)))


def get_course(course_id, user):
    """A course ``user`` may see: the Ministry every one; a Department its own and the Ministry's it was invited
    to. Anything else is NotFound."""
    ident = inputs.id_or_none(course_id)
    course = db.session.scalar(_visible(select(Course).where(Course.id == ident), user)) if ident else None
    if course is None:
        raise NotFound()
    return course


def can_edit(user, course=None):
    """The Ministry edits every course (its own, and a Department's it helps organise), a Department its own."""
    if not permissions.can(user, "training.edit"):
        return False
    if course is None or user.is_ministry:
        return True
    return course.department_id == user.department_id


def can_mark(user, course, department_id):
    """Who may add, mark or remove a participant of Department ``department_id`` (None: a Ministry person): the
    organiser, or an invited Department for its own people on a Ministry course."""
    if can_edit(user, course):
        return True
    return bool(permissions.can(user, "training.edit") and course.department_id is None and not user.is_ministry
                and department_id == user.department_id
                and any(d.id == user.department_id for d in course.invited))


def _require_edit(user, course=None):
    if not can_edit(user, course):
        raise PermissionDenied()


# ---------------------------------------------------------------- reading courses
def list_courses(*, user, when=None, topic=None, organiser=None, school_year=None, limit=300):
    """``when``: "upcoming" (not ended yet) or "past"; ``organiser``: "ministry" or a Department id."""
    stmt = _visible(select(Course), user)
    today = local_today()
    if when == "upcoming":
        stmt = stmt.where(Course.ends_on >= today).order_by(Course.starts_on, Course.id)
    else:
        if when == "past":
            stmt = stmt.where(Course.ends_on < today)
        stmt = stmt.order_by(Course.starts_on.desc(), Course.id.desc())
    if organiser == "ministry":
        stmt = stmt.where(Course.department_id.is_(None))
    elif organiser is not None:
        stmt = stmt.where(Course.department_id == organiser)
    if school_year:
        start, end = bounds(school_year)
        stmt = stmt.where(Course.starts_on >= to_local(start).date(), Course.starts_on < to_local(end).date())
    courses = db.session.scalars(stmt.limit(limit)).unique().all()
    if topic:
        courses = [c for c in courses if topic in (c.topics or [])]
    return courses


def organisers(user):
    """The organisers a filter offers: the Ministry and, for the Ministry, every Department with a course."""
    if not user.is_ministry:
        return [d for d in [user.department] if d is not None]
    ids = select(Course.department_id).where(Course.department_id.is_not(None)).distinct()
    return db.session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.sort_name)).all()


# ---------------------------------------------------------------- writing courses
def _trainers(value, errors):
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in value.replace(";", "\n").splitlines()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        errors["trainers"] = _("a list of names")
        return []
    names = []
    for raw in value:
        try:
            name = inputs.text(raw, "trainers", max_length=200, single_line=True)
        except ValidationError as exc:
            errors.update(exc.fields)
            return []
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TRAINERS:
        errors["trainers"] = _("at most %(n)s trainers", n=MAX_TRAINERS)
    return names


def _topics(value, errors):
    if isinstance(value, str):
        value = [t.strip() for t in value.split(",") if t.strip()]
    if value is None:
        value = []
    if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
        errors["topics"] = _("a list of topics")
        return []
    bad = [t for t in value if t not in TOPICS]
    if bad:
        errors["topics"] = _("unknown topic: %(t)s", t=", ".join(bad))
    elif not value:
        errors["topics"] = _("choose at least one topic")
    return [t for t in TOPICS if t in value]


def _invited(value, user, errors):
    if value is None:
        return []
    if isinstance(value, (str, int)) or not isinstance(value, (list, tuple)):
        errors["invited"] = _("a list of Departments")
        return []
    found = []
    for item in value:
        dep = None
        ident = inputs.id_or_none(item) if not isinstance(item, bool) else None
        if ident:
            dep = db.session.get(Department, ident)
        elif isinstance(item, str):
            dep = db.session.scalar(select(Department).where(Department.code == item))
        if dep is None:
            errors["invited"] = _("unknown Department: %(d)s", d=str(item)[:50])
            return []
        if dep not in found:
            found.append(dep)
    return found


def _course_fields(data, user, errors, partial=False):
    fields = inputs.Fields(data, errors)
    out = {}

    def want(name):
        return not partial or name in data

    if want("title"):
        out["title"] = fields.text("title", column=Course.title, required=True, single_line=True)
    if want("place"):
        out["place"] = fields.text("place", column=Course.place, single_line=True) or ""
    if want("description"):
        out["description"] = fields.text("description", max_length=20000) or ""
    if want("online"):
        out["online"] = bool(fields.boolean("online", default=False))
    if want("starts_on"):
        out["starts_on"] = fields.date("starts_on", required=True)
    if want("ends_on"):
        out["ends_on"] = fields.date("ends_on")
    if want("topics"):
        out["topics"] = _topics(data.get("topics"), errors)
    if want("trainers"):
        out["trainers"] = _trainers(data.get("trainers"), errors)
    return out


def _check_dates(course_fields, errors, course=None):
    starts = course_fields.get("starts_on", course.starts_on if course else None)
    ends = course_fields.get("ends_on", course.ends_on if course else None) or starts
    if "ends_on" in course_fields or "starts_on" in course_fields:
        course_fields["ends_on"] = ends
    if starts and ends and ends < starts:
        errors["ends_on"] = _("the course cannot end before it starts")
    if starts and ends and (ends - starts).days > 366:
        errors["ends_on"] = _("a course lasts at most a year")


def _refuse(errors):
    if errors:
        raise ValidationError(_("The course has errors."), fields=errors)


def create_course(*, user, department=None, **data):
    """``department``: the organising Department (a Department user's own); None for a Ministry course, which
    may invite Departments (``invited``: ids or codes)."""
    _require_edit(user)
    if not user.is_ministry:
        department = user.department
    errors = {}
    fields = _course_fields(data, user, errors)
    invited = _invited(data.get("invited"), user, errors) if department is None else []
    if department is not None and data.get("invited"):
        errors["invited"] = _("only a Ministry course invites Departments")
    _check_dates(fields, errors)
    _refuse(errors)
    course = Course(department_id=department.id if department else None, created_by_id=user.id, **fields)
    course.invited = invited
    db.session.add(course)
    db.session.flush()
    return course


def update_course(*, course, user, **data):
    _require_edit(user, course)
    errors = {}
    fields = _course_fields(data, user, errors, partial=True)
    invited = None
    if "invited" in data:
        if course.department_id is not None:
            errors["invited"] = _("only a Ministry course invites Departments")
        else:
            invited = _invited(data.get("invited"), user, errors)
    _check_dates(fields, errors, course)
    _refuse(errors)
    for key, value in fields.items():
        setattr(course, key, value)
    if invited is not None:
        course.invited = invited
    db.session.flush()
    return course


# ---------------------------------------------------------------- materials
def _material_title(title, fallback, errors):
    try:
        return inputs.text(title, "title", column=CourseMaterial.title, single_line=True) or fallback
    except ValidationError as exc:
        errors.update(exc.fields)
        return fallback


def _too_many(course, errors):
    if len(course.materials) >= MAX_MATERIALS:
        errors["file"] = _("at most %(n)s materials per course", n=MAX_MATERIALS)


def add_file(*, course, user, filename, data, title=None):
    """A material file: a PDF, Word, PowerPoint, Excel document or a picture, within the size limit; refused
    (naming ``file``) when its content does not match its name."""
    _require_edit(user, course)
    errors = {}
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:200]
    data = data or b""
    ext = os.path.splitext(name)[1].lower()
    limit = max_file_bytes()
    if not name or not data:
        errors["file"] = _("choose a file")
    elif len(data) > limit:
        errors["file"] = _("the file is larger than %(mb)s MB", mb=round(limit / 2**20, 1))
    elif ext not in FILE_TYPES or not data.startswith(FILE_TYPES[ext][1]):
        errors["file"] = _("a PDF, Word, PowerPoint, Excel, JPEG or PNG file")
    _too_many(course, errors)
    title = _material_title(title, os.path.splitext(name)[0] or name, errors)
    _refuse(errors)
    material = CourseMaterial(course=course, kind=FILE, title=title[:300], filename=name,
                              content_type=FILE_TYPES[ext][0], size=len(data), data=data)
    db.session.add(material)
    db.session.flush()
    return material


def add_link(*, course, user, url, title=None):
    _require_edit(user, course)
    errors = {}
    try:
        url = inputs.text(url, "url", column=CourseMaterial.url, required=True, single_line=True)
    except ValidationError as exc:
        errors.update(exc.fields)
        url = ""
    if url and not (url.startswith("https://") or url.startswith("http://")) or " " in (url or ""):
        errors["url"] = _("a web address starting with https://")
    if len(course.materials) >= MAX_MATERIALS:
        errors["url"] = _("at most %(n)s materials per course", n=MAX_MATERIALS)
    title = _material_title(title, url, errors)
    _refuse(errors)
    material = CourseMaterial(course=course, kind=LINK, title=title[:300], url=url)
    db.session.add(material)
    db.session.flush()
    return material


def get_material(course, material_id):
    ident = inputs.id_or_none(material_id)
    for m in course.materials:
        if m.id == ident:
            return m
    raise NotFound()


def remove_material(*, course, user, material):
    _require_edit(user, course)
    course.materials.remove(material)
    db.session.flush()


# ---------------------------------------------------------------- participants
def participant_choices(course, user):
    """(users, focal points) ``user`` may add to ``course``: active users of the Departments they may mark (the
    Ministry's own people for a Ministry course), and those Departments' focal points; the ones already on it left
    out."""
    if course.department_id is not None:
        dep_ids = [course.department_id]
    elif user.is_ministry:
        dep_ids = [d.id for d in course.invited]
    else:
        dep_ids = [user.department_id]
    dep_ids = [d for d in dep_ids if can_mark(user, course, d)]
    on_user = {p.user_id for p in course.participants if p.user_id}
    on_focal = {p.focal_point_id for p in course.participants if p.focal_point_id}
    conditions = [User.department_id.in_(dep_ids)] if dep_ids else []
    if course.department_id is None and can_edit(user, course):
        conditions.append(User.department_id.is_(None))
    users = []
    if conditions:
        users = db.session.scalars(select(User).where(User.active.is_(True), or_(*conditions))
                                   .order_by(User.name)).all()
    focal = db.session.scalars(select(FocalPoint).where(FocalPoint.department_id.in_(dep_ids),
                                                        FocalPoint.archived_at.is_(None))
                               .order_by(FocalPoint.full_name)).all() if dep_ids else []
    return [u for u in users if u.id not in on_user], [f for f in focal if f.id not in on_focal]


def add_participant(*, course, user, person_id=None, focal_point_id=None, attendance=REGISTERED):
    """Put a user (``person_id``) or a school's focal point on the course; a person the caller may not mark, or
    who does not exist, is refused naming the field (another Department's people are not revealed)."""
    field = "user_id" if person_id is not None else "focal_point_id"
    ident = inputs.id_or_none(person_id if person_id is not None else focal_point_id)
    if ident is None or (person_id is not None and focal_point_id is not None):
        raise ValidationError(_("Choose a person."), fields={field: _("choose one person or one focal point")})
    if attendance not in ATTENDANCE:
        raise ValidationError(_("Unknown attendance."), fields={"attendance": _("one of %(v)s",
                                                                                 v=", ".join(ATTENDANCE))})
    if person_id is not None:
        person = db.session.get(User, ident)
        dep_id = person.department_id if person else None
        ok = person is not None and person.active and (
            dep_id is not None and (course.department_id in (None, dep_id)) and
            (course.department_id is not None or any(d.id == dep_id for d in course.invited))
            or dep_id is None and course.department_id is None)
    else:
        person = db.session.get(FocalPoint, ident)
        dep_id = person.department_id if person else None
        ok = person is not None and person.archived_at is None and (
            course.department_id == dep_id or
            course.department_id is None and any(d.id == dep_id for d in course.invited))
    if not ok or not can_mark(user, course, dep_id):
        if person is not None and ok:
            raise PermissionDenied()
        raise ValidationError(_("This person cannot take part in this course."),
                              fields={field: _("not one of the people this course is for")})
    duplicate = any((p.user_id == ident if person_id is not None else p.focal_point_id == ident)
                    for p in course.participants)
    if duplicate:
        raise ValidationError(_("Already on the course."), fields={field: _("already on the course")})
    row = CourseParticipant(course=course, department_id=dep_id, attendance=attendance,
                            user_id=ident if person_id is not None else None,
                            focal_point_id=ident if focal_point_id is not None else None)
    db.session.add(row)
    db.session.flush()
    return row


def visible_participants(course, user):
    """The participants ``user`` may see: all of them for the organiser's side; on a Ministry course, a
    Department sees only its own people and the Ministry's (another Department's people are not its records)."""
    if user.is_ministry or course.department_id is not None:
        return list(course.participants)
    return [p for p in course.participants if p.department_id in (None, user.department_id)]


def get_participant(course, participant_id, user):
    ident = inputs.id_or_none(participant_id)
    for p in visible_participants(course, user):
        if p.id == ident:
            return p
    raise NotFound()


def set_attendance(*, course, user, participant, attendance=None, certificate_note=None):
    if not can_mark(user, course, participant.department_id):
        raise PermissionDenied()
    errors = {}
    if attendance is not None and attendance not in ATTENDANCE:
        errors["attendance"] = _("one of %(v)s", v=", ".join(str(ATTENDANCE_LABELS[a]) for a in ATTENDANCE))
    if certificate_note is not None:
        try:
            certificate_note = inputs.text(certificate_note, "certificate_note",
                                           column=CourseParticipant.certificate_note, single_line=True)
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError(_("The attendance has errors."), fields=errors)
    if attendance is not None:
        participant.attendance = attendance
    if certificate_note is not None:
        participant.certificate_note = certificate_note
    db.session.flush()
    return participant


def mark_all(*, course, user, marks):
    """``marks``: {participant_id: (attendance, certificate_note)} from the one-screen attendance form; only the
    participants ``user`` may mark are written, all or none."""
    errors = {}
    for participant in course.participants:
        if participant.id not in marks or not can_mark(user, course, participant.department_id):
            continue
        attendance, note = marks[participant.id]
        try:
            set_attendance(course=course, user=user, participant=participant, attendance=attendance,
                           certificate_note=note)
        except ValidationError as exc:
            errors.update({f"{k}-{participant.id}": v for k, v in exc.fields.items()})
    if errors:
        raise ValidationError(_("The attendance has errors."), fields=errors)


def remove_participant(*, course, user, participant):
    if not can_mark(user, course, participant.department_id):
        raise PermissionDenied()
    course.participants.remove(participant)
    db.session.flush()


# ---------------------------------------------------------------- who is trained
def window(at=None):
    """The last two school years up to ``at``: [first day of the previous school year, today] (local dates)."""
    today = to_local(at or now()).date()
    previous = school_year_of(date(today.year - 1, today.month, min(today.day, 28)))
    return to_local(bounds(previous)[0]).date(), today


def trainees(department_ids):
    """Active spokespersons and communication staff of these Departments."""
    if not department_ids:
        return []
    return db.session.scalars(select(User).where(User.department_id.in_(department_ids), User.active.is_(True),
                                                 User.role.in_(permissions.holders("training.trainee")))).all()


def trained_user_ids(user_ids, at=None):
    """Those of ``user_ids`` who attended a course that started within the last two school years."""
    if not user_ids:
        return set()
    start, today = window(at)
    return set(db.session.scalars(
        select(CourseParticipant.user_id).join(Course)
        .where(CourseParticipant.user_id.in_(list(user_ids)), CourseParticipant.attendance == ATTENDED,
               Course.starts_on >= start, Course.starts_on <= today)).all())


def untrained(department_id, at=None):
    """The Department's spokespersons and communication staff without training in the last two school years."""
    people = trainees([department_id])
    done = trained_user_ids([p.id for p in people], at)
    return sorted((p for p in people if p.id not in done), key=lambda p: p.name)


def trained_counts(department_ids, at=None):
    """{department_id: (trainees, trained)} in two queries for all the Departments."""
    if not department_ids:
        return {}
    start, today = window(at)
    people = db.session.execute(select(User.id, User.department_id).where(
        User.department_id.in_(department_ids), User.active.is_(True),
        User.role.in_(permissions.holders("training.trainee")))).all()
    done = set(db.session.scalars(
        select(CourseParticipant.user_id).join(Course).join(User, User.id == CourseParticipant.user_id)
        .where(User.department_id.in_(department_ids), CourseParticipant.attendance == ATTENDED,
               Course.starts_on >= start, Course.starts_on <= today)).all())
    out = {i: (0, 0) for i in department_ids}
    for uid, dep_id in people:
        total, trained = out[dep_id]
        out[dep_id] = (total + 1, trained + (uid in done))
    return out


# ---------------------------------------------------------------- a person's history
def history(person):
    """The courses ``person`` was on and the drills they were named in or acted on, newest first:
    [{"kind": "course"|"drill", "date", "title", "attendance", "course", "incident", "note"}]."""
    rows = []
    participations = db.session.scalars(select(CourseParticipant).join(Course)
                                        .where(CourseParticipant.user_id == person.id)).all()
    for p in participations:
        rows.append({"kind": "course", "date": p.course.starts_on, "title": p.course.title,
                     "attendance": p.attendance, "course": p.course, "incident": None,
                     "note": p.certificate_note})
    drills = []
    if person.department_id is not None:
        named = db.session.scalars(select(Incident).where(Incident.drill.is_(True),
                                                          Incident.department_id == person.department_id)).all()
        drills = [i for i in named if person.id in (i.drill_recipient_ids or []) or i.reporter_id == person.id]
    acted = db.session.scalars(select(Incident).where(
        Incident.drill.is_(True), exists().where(IncidentEvent.incident_id == Incident.id,
                                                 IncidentEvent.actor_id == person.id))).all()
    seen = set()
    for incident in drills + list(acted):
        if incident.id in seen:
            continue
        seen.add(incident.id)
        rows.append({"kind": "drill", "date": to_local(incident.occurred_at).date(), "title": incident.title,
                     "attendance": ATTENDED, "course": None, "incident": incident, "note": ""})
    rows.sort(key=lambda r: (r["date"], r["title"]), reverse=True)
    return rows


# ---------------------------------------------------------------- a merger of Departments
def merge_courses(old, new, at):
    """A merged Department's invitations pass to its successor (its courses and participants move by their
    ``__merger__``)."""
    both = select(course_department.c.course_id).where(course_department.c.department_id == new.id)
    db.session.execute(course_department.delete().where(course_department.c.department_id == old.id,
                                                        course_department.c.course_id.in_(both)))
    db.session.execute(course_department.update().where(course_department.c.department_id == old.id)
                       .values(department_id=new.id))
