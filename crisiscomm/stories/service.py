"""Good stories: proposal → verified → approved → published, with consent checked at every public step."""
import re
from datetime import date

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import images, permissions
from ..audit import service as audit
from ..clock import local_today, now
from ..departments.service import list_departments
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..notifications import service as outbox
from ..notifications.models import EMAIL, IN_APP
from ..plans.years import bounds
from ..scoping import scope
from ..text import fold
from .models import (APPROVED, GIVERS, PERSON_ROLES, PROPOSED, PUBLISHED, REJECTED, SCOPES, STUDENT, SUSPENDED,
                     TOPICS, VERIFIED, BriefingStory, ContactTopicOptOut, Story, StoryConsent, StoryCoverage,
                     StoryPerson, StoryPhoto, StoryPitch)

STATE_LABELS = {PROPOSED: _l("proposed"), VERIFIED: _l("verified"), APPROVED: _l("approved"),
                PUBLISHED: _l("published"), REJECTED: _l("rejected"), SUSPENDED: _l("suspended (consent withdrawn)")}
ROLE_LABELS = {"teacher": _l("teacher"), "student": _l("student"), "staff": _l("staff"), "parent": _l("parent"),
               "school_leader": _l("school leader")}
TOPIC_LABELS = {"exam": _l("exams"), "digital_transformation": _l("digital transformation"),
                "difficult_circumstances": _l("difficult circumstances"), "innovation": _l("innovation"),
                "volunteering": _l("volunteering"), "teaching_excellence": _l("teaching excellence"),
                "inclusive_education": _l("inclusive education"), "school_safety": _l("school safety")}
SCOPE_LABELS = {"name": _l("name"), "photo": _l("photo"), "school": _l("school")}
GIVER_LABELS = {"self": _l("the person"), "parent": _l("a parent"), "guardian": _l("a guardian")}
ACTION_LABELS = {"verify": _l("Facts verified"), "approve": _l("Approve"), "publish": _l("Publish the story"),
                 "reject": _l("Reject"), "unpublish": _l("Take off the public page")}

SUMMARY_MAX_WORDS = 60
MAX_PHOTOS = 12
FORM_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


# ---------------------------------------------------------------- reading
def list_stories(*, state=None, topic=None, q=None, department_id=None, limit=200):
    stmt = scope(select(Story), Story).order_by(Story.created_at.desc(), Story.id.desc())
    if state:
        stmt = stmt.where(Story.state == state)
    if department_id:
        stmt = stmt.where(Story.department_id == department_id)
    rows = db.session.scalars(stmt.limit(limit)).all()
    if topic:
        rows = [s for s in rows if topic in (s.topics or [])]
    if q:
        terms = fold(q).split()
        rows = [s for s in rows if all(t in fold(f"{s.title} {s.summary} {s.unit}") for t in terms)]
    return rows


# ---------------------------------------------------------------- consent rules
def active_consents(person):
    return [c for c in person.consents if c.withdrawn_at is None]


def consented_scopes(person):
    """What the person's valid consents cover. A student under 16 counts only a parent's or guardian's consent."""
    scopes = set()
    for c in active_consents(person):
        if person.role == STUDENT and person.under_16 and c.given_as == "self":
            continue
        scopes.update(c.scope or [])
    return scopes


def needed_scopes(person, story=None):
    story = story or person.story
    needed = set()
    # A name written in the text counts as shown, whatever the checkbox says.
    if person.shows_name or fold(person.name) in fold(f"{story.title} {story.summary} {story.body}"):
        needed.add("name")
    if person.shows_school and person.school:
        needed.add("school")
    if any(person.id in (p.person_ids or []) for p in story.photos):
        needed.add("photo")
    return needed


def consent_gaps(story):
    """[(person, missing scopes)] for everyone the story names or pictures without consent for it."""
    gaps = []
    for person in story.people:
        missing = needed_scopes(person, story) - consented_scopes(person)
        if missing:
            gaps.append((person, sorted(missing, key=SCOPES.index)))
    return gaps


def public_name(person):
    """A person's name as a public page may show it: the full name only with consent for it."""
    if person.shows_name and "name" in consented_scopes(person):
        return person.name
    return str(ROLE_LABELS.get(person.role, person.role))


def public_photos(story):
    """Photos a public page may show: everyone pictured consented to their photo."""
    people = {p.id: p for p in story.people}
    out = []
    for photo in story.photos:
        pictured = [people.get(pid) for pid in photo.person_ids or []]
        if all(p is not None and "photo" in consented_scopes(p) for p in pictured):
            out.append(photo)
    return out


def is_publicly_visible(story):
    return story.state == PUBLISHED and not consent_gaps(story)


# ---------------------------------------------------------------- validation
def _text(value, field, required=False, max_len=300, errors=None):
    if value is not None and not isinstance(value, str):
        errors[field] = str(_l("expected text"))
        return ""
    value = (value or "").strip()
    if required and not value:
        errors[field] = str(_l("required"))
    elif len(value) > max_len:
        errors[field] = str(_l("at most %(n)s characters", n=max_len))
    return value


def _date(value, field, errors, required=False):
    if isinstance(value, date):
        return value
    if value is not None and not isinstance(value, str):
        errors[field] = str(_l("a date dd/mm/yyyy"))
        return None
    value = (value or "").strip()
    if not value:
        if required:
            errors[field] = str(_l("required"))
        return None
    for pattern in (r"^(\d{4})-(\d{2})-(\d{2})$", r"^(\d{1,2})/(\d{1,2})/(\d{4})$"):
        m = re.match(pattern, str(value))
        if m:
            parts = [int(x) for x in m.groups()]
            y, mo, d = parts if pattern.startswith(r"^(\d{4})") else (parts[2], parts[1], parts[0])
            try:
                return date(y, mo, d)
            except ValueError:
                break
    errors[field] = str(_l("a date dd/mm/yyyy"))
    return None


def _topics(value, errors):
    if isinstance(value, str):
        value = [t.strip() for t in value.split(",") if t.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
        errors["topics"] = str(_l("a list of topics"))
        return []
    value = list(dict.fromkeys(value or []))
    bad = [t for t in value if t not in TOPICS]
    if bad:
        errors["topics"] = str(_l("unknown topic: %(t)s", t=", ".join(map(str, bad))))
    return value


def _story_fields(data, errors, partial=False):
    out = {}
    spec = (("title", True, 300), ("summary", True, 2000), ("body", False, 50000), ("unit", False, 300),
            ("commune", False, 200), ("province", False, 200), ("proposed_by_name", False, 300),
            ("verification", False, 5000))
    for name, required, max_len in spec:
        if partial and name not in data:
            continue
        out[name] = _text(data.get(name), name, required, max_len, errors)
    if "summary" in out and len(out["summary"].split()) > SUMMARY_MAX_WORDS:
        errors["summary"] = str(_l("at most %(n)s words for a pitch", n=SUMMARY_MAX_WORDS))
    if not partial or "story_date" in data:
        out["story_date"] = _date(data.get("story_date"), "story_date", errors)
    if not partial or "topics" in data:
        out["topics"] = _topics(data.get("topics"), errors)
    return out


def _in_state(story):
    return str(_l("not possible while the story is %(state)s", state=STATE_LABELS.get(story.state, story.state)))


def _allowed_text(allowed):
    return str(_l("possible now: %(steps)s", steps=", ".join(str(ACTION_LABELS.get(a, a)) for a in allowed) or "—"))


def _require(user, permission="story.edit"):
    if user is None or not permissions.can(user, permission):
        raise PermissionDenied()


def _refuse(errors, message):
    """Raise the ValidationError of ``errors`` (field -> what is wrong), if there are any."""
    if errors:
        raise ValidationError(message, fields=errors)


# ---------------------------------------------------------------- writing stories
def create_story(*, department, user, **data):
    _require(user)
    errors = {}
    fields = _story_fields(data, errors)
    people_data = data.get("people") or []
    _refuse(errors, "The story has errors.")
    story = Story(department_id=department.id, owner_id=user.id, state=PROPOSED, **fields)
    if not story.province:
        story.province = department.province
    db.session.add(story)
    db.session.flush()
    for i, person in enumerate(people_data):
        add_person(story=story, user=user, field_prefix=f"people[{i}].", **person)
    audit.record("story.proposed", "Story", story.id, department.id, summary=story.title)
    return story


def update_story(*, story, user, **data):
    _require(user)
    if story.state in (PUBLISHED, APPROVED):
        raise Conflict(_("A story that is approved or published is changed only after suspending it."),
                       fields={"state": _in_state(story)})
    errors = {}
    fields = _story_fields(data, errors, partial=True)
    _refuse(errors, "The story has errors.")
    for k, v in fields.items():
        setattr(story, k, v)
    db.session.flush()
    return story


def add_person(*, story, user, name=None, role=None, school="", class_or_subject="", under_16=False,
               shows_name=True, shows_school=True, field_prefix=""):
    _require(user)
    errors = {}
    name = _text(name, field_prefix + "name", True, 200, errors)
    if role not in PERSON_ROLES:
        errors[field_prefix + "role"] = str(_l("one of: %(v)s", v=", ".join(PERSON_ROLES)))
    school = _text(school, field_prefix + "school", False, 300, errors)
    class_or_subject = _text(class_or_subject, field_prefix + "class_or_subject", False, 200, errors)
    _refuse(errors, "The person has errors.")
    person = StoryPerson(story=story, name=name, role=role, school=school, class_or_subject=class_or_subject,
                         under_16=bool(under_16) and role == STUDENT, shows_name=bool(shows_name),
                         shows_school=bool(shows_school))
    db.session.add(person)
    db.session.flush()
    return person


def get_person(story, person_id):
    for p in story.people:
        if p.id == person_id:
            return p
    raise NotFound(fields={"person": str(_l("not in this story"))})


def record_consent(*, person, user, given_by=None, given_as="self", scope=(), consented_on=None, form=None):
    """``form``: (filename, content_type, bytes) of the signed form, or None."""
    _require(user)
    errors = {}
    given_by = _text(given_by, "given_by", True, 200, errors)
    if given_as not in GIVERS:
        errors["given_as"] = str(_l("one of: %(v)s", v=", ".join(GIVERS)))
    elif person.role == STUDENT and person.under_16 and given_as == "self":
        errors["given_as"] = str(_l("a parent or guardian consents for a student under 16"))
    scope = [s for s in SCOPES if s in set(scope or [])]
    if not scope:
        errors["scope"] = str(_l("choose at least one of name, photo, school"))
    day = _date(consented_on, "consented_on", errors, required=True)
    if day and day > local_today():
        errors["consented_on"] = str(_l("cannot be in the future"))
    form_name = form_type = form_data = None
    if form is not None and form[2]:
        form_name, form_type, form_data = form
        limit = current_app.config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
        magic = FORM_TYPES.get(form_type)
        if len(form_data) > limit:
            errors["form"] = str(_l("the file is larger than %(mb)s MB", mb=limit // (1024 * 1024)))
        elif magic is None or not form_data.startswith(magic):
            errors["form"] = str(_l("a PDF, JPEG or PNG scan of the signed form"))
    _refuse(errors, "The consent has errors.")
    consent = StoryConsent(person=person, given_by=given_by, given_as=given_as, scope=scope, consented_on=day,
                           form_filename=(form_name or "")[:200] or None, form_content_type=form_type,
                           form_data=form_data, recorded_by_id=user.id)
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_consent(*, consent, user, reason=""):
    """Withdrawal pulls the story from the public page and the pitch list and alerts its owner."""
    _require(user)
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent was already withdrawn."), fields={"consent": str(_l("already withdrawn"))})
    reason = (reason or "").strip()[:2000]
    consent.withdrawn_at, consent.withdrawn_reason = now(), reason
    db.session.flush()
    story = consent.person.story
    db.session.expire(consent.person, ["consents"])
    if story.state in (APPROVED, PUBLISHED) and consent_gaps(story):
        story.state = SUSPENDED
        story.suspended_reason = str(_l("Consent of %(name)s was withdrawn.", name=consent.person.name))
        _alert_owner(story, consent)
    audit.record("story.consent_withdrawn", "Story", story.id, story.department_id,
                 summary=f"{consent.person.name}: {reason}")
    db.session.flush()
    return consent


def _alert_owner(story, consent):
    if story.owner is None:
        return
    subject = str(_l("Consent withdrawn: \"%(title)s\" is off the public page", title=story.title))
    link = current_app.config.get("BASE_URL", "").rstrip("/") + url_for("stories.show", story_id=story.id)
    body = str(_l("%(name)s withdrew consent. The story was taken off the public page and the pitch list. "
                  "Open it: %(link)s", name=consent.person.name, link=link))
    for channel in (IN_APP, EMAIL):
        outbox.enqueue(kind="story.consent_withdrawn", channel=channel, subject=subject, body_text=body,
                       recipient=story.owner, department_id=story.department_id, source=("story", story.id),
                       payload={"url": link})


# ---------------------------------------------------------------- workflow
def transition(*, story, user, action, note=""):
    """verify / approve / publish / reject / unpublish. Illegal moves: 409 naming the allowed ones."""
    note = (note or "").strip()
    allowed = allowed_actions(story, user)
    if action not in allowed:
        raise Conflict(_("This step is not possible now."), fields={"action": _allowed_text(allowed)},
                       allowed=allowed)
    t = now()
    if action == "verify":
        if not (note or story.verification):
            raise ValidationError(_("Say how the facts were checked."), fields={"note": str(_l("say how the facts were checked"))})
        if note:
            story.verification = note[:5000]
        story.state, story.verified_by_id, story.verified_at = VERIFIED, user.id, t
    elif action == "approve":
        gaps = consent_gaps(story)
        if gaps:
            raise ValidationError(
                _("Someone in the story lacks consent for what it shows."),
                fields={"consent": str(_l("no consent for: %(what)s", what="; ".join(
                    f"{p.name} ({', '.join(str(SCOPE_LABELS[s]) for s in missing)})" for p, missing in gaps)))})
        story.state, story.approved_by_id, story.approved_at = APPROVED, user.id, t
        story.suspended_reason = None
    elif action == "publish":
        if consent_gaps(story):
            raise ValidationError(_("Someone in the story lacks consent for what it shows."),
                                  fields={"consent": str(_l("someone in the story lacks consent for what it shows"))})
        story.state = PUBLISHED
        story.published_at = story.published_at or t
    elif action == "reject":
        if not note:
            raise ValidationError(_("A reason is required."), fields={"note": str(_l("give the reason for rejecting"))})
        story.state, story.rejection_reason = REJECTED, note[:2000]
    elif action == "unpublish":
        story.state, story.suspended_reason = SUSPENDED, note[:2000] or None
    audit.record(f"story.{action}", "Story", story.id, story.department_id, summary=note[:300] or story.title)
    db.session.flush()
    return story


def allowed_actions(story, user):
    edit, approve = permissions.can(user, "story.edit"), permissions.can(user, "story.approve")
    out = []
    if story.state == PROPOSED and edit:
        out += ["verify", "reject"]
    if story.state == VERIFIED and approve:
        out += ["approve"]
    if story.state == VERIFIED and edit:
        out += ["reject"]
    if story.state == SUSPENDED and approve:
        out += ["approve"]
    if story.state == APPROVED and edit:
        out += ["publish"]
    if story.state == PUBLISHED and approve:
        out += ["unpublish"]
    return out


# ---------------------------------------------------------------- photos
def add_photo(*, story, user, data, caption="", person_ids=()):
    """Re-encode as JPEG (no EXIF, no GPS), bounded in bytes, pixels and size (crisiscomm.images)."""
    _require(user)
    if len(story.photos) >= MAX_PHOTOS:
        raise ValidationError(_("Too many photos."), fields={"photo": str(_l("at most %(n)s photos", n=MAX_PHOTOS))})
    ids = {p.id for p in story.people}
    person_ids = sorted({int(i) for i in person_ids or []})
    if any(i not in ids for i in person_ids):
        raise ValidationError(_("Unknown person."), fields={"person_ids": str(_l("not in this story"))})
    jpeg, width, height = images.reencode(data, field="photo")
    photo = StoryPhoto(story=story, caption=(caption or "").strip()[:300], data=jpeg, width=width,
                       height=height, person_ids=person_ids)
    db.session.add(photo)
    db.session.flush()
    if story.state in (APPROVED, PUBLISHED) and consent_gaps(story):
        story.state, story.suspended_reason = SUSPENDED, str(_l("A photo shows someone without consent for it."))
    return photo


# ---------------------------------------------------------------- public
def public_stories(*, department=None, limit=50):
    """Published stories with complete consent: a Department's own, or the Ministry's (featured ones)."""
    stmt = select(Story).where(Story.state == PUBLISHED).order_by(Story.published_at.desc(), Story.id.desc())
    if department is not None:
        stmt = stmt.where(Story.department_id == department.id)
    else:
        stmt = stmt.where(Story.featured_at.is_not(None))
    return [s for s in db.session.scalars(stmt.limit(limit * 2)).all() if is_publicly_visible(s)][:limit]


def public_story(story_id):
    story = db.session.get(Story, story_id) if 0 < story_id <= 2**31 - 1 else None
    if story is None or not is_publicly_visible(story):
        raise NotFound()
    return story


def public_photo(photo_id):
    photo = db.session.get(StoryPhoto, photo_id) if 0 < photo_id <= 2**31 - 1 else None
    if photo is None or not is_publicly_visible(photo.story) or photo not in public_photos(photo.story):
        raise NotFound()
    return photo


# ---------------------------------------------------------------- coverage, feature
def add_coverage(*, story, user, outlet=None, url=None, published_on=None):
    _require(user)
    errors = {}
    outlet = _text(outlet, "outlet", True, 200, errors)
    url = _text(url, "url", True, 1000, errors)
    if url and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        errors["url"] = str(_l("a web address starting with http:// or https://"))
    day = _date(published_on, "published_on", errors, required=True)
    if story.state not in (APPROVED, PUBLISHED, SUSPENDED):
        errors["story"] = str(_l("only approved stories are covered"))
    _refuse(errors, "The coverage has errors.")
    row = StoryCoverage(story=story, outlet=outlet, url=url, published_on=day, recorded_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    db.session.expire(story, ["coverage"])  # read again in its order, the latest first
    return row


def set_featured(*, story, user, featured=True):
    _require(user, "story.feature")
    if featured and story.state not in (APPROVED, PUBLISHED):
        raise Conflict(_("Only an approved or published story can be featured."), fields={"state": _in_state(story)})
    story.featured_at, story.featured_by_id = (now(), user.id) if featured else (None, None)
    audit.record("story.featured" if featured else "story.unfeatured", "Story", story.id, story.department_id,
                 summary=story.title)
    db.session.flush()
    return story


def year_figures(school_year):
    """Per active Department: stories proposed, approved, covered in the school year."""
    start, end = bounds(school_year)
    proposed = dict(db.session.execute(
        select(Story.department_id, func.count()).where(Story.created_at >= start, Story.created_at < end)
        .group_by(Story.department_id)).all())
    approved = dict(db.session.execute(
        select(Story.department_id, func.count()).where(Story.approved_at >= start, Story.approved_at < end)
        .group_by(Story.department_id)).all())
    covered = dict(db.session.execute(
        select(Story.department_id, func.count(func.distinct(Story.id))).join(StoryCoverage)
        .where(StoryCoverage.published_on >= start.date(), StoryCoverage.published_on < end.date())
        .group_by(Story.department_id)).all())
    return [(d, proposed.get(d.id, 0), approved.get(d.id, 0), covered.get(d.id, 0)) for d in list_departments()]


def approved_evidence(ids, yc):
    rows = dict(db.session.execute(
        select(Story.department_id, func.count()).where(Story.department_id.in_(ids), Story.approved_at >= yc["start"],
                                                        Story.approved_at < yc["end"])
        .group_by(Story.department_id)).all())
    return {i: rows.get(i, 0) for i in ids}


def coverage_evidence(ids, yc):
    rows = dict(db.session.execute(
        select(Story.department_id, func.count()).join(StoryCoverage)
        .where(Story.department_id.in_(ids), StoryCoverage.published_on >= yc["start"].date(),
               StoryCoverage.published_on < yc["end"].date())
        .group_by(Story.department_id)).all())
    return {i: rows.get(i, 0) for i in ids}


# ---------------------------------------------------------------- briefings
def briefing_stories(briefing_id):
    return db.session.scalars(select(Story).join(BriefingStory, BriefingStory.story_id == Story.id)
                              .where(BriefingStory.briefing_id == briefing_id).order_by(BriefingStory.id)).all()


def add_to_briefing(*, story, briefing, user):
    _require(user)
    if briefing.department_id != story.department_id:
        raise NotFound(fields={"briefing": str(_l("not found"))})
    if story.state not in (APPROVED, PUBLISHED):
        raise Conflict(_("Only an approved or published story goes on a briefing's agenda."), fields={"state": _in_state(story)})
    exists = db.session.scalar(select(BriefingStory).where(BriefingStory.briefing_id == briefing.id,
                                                           BriefingStory.story_id == story.id))
    if exists is None:
        db.session.add(BriefingStory(briefing_id=briefing.id, story_id=story.id))
        db.session.flush()


def opted_out_topics(contact_ids):
    out = {}
    if contact_ids:
        for cid, topic in db.session.execute(select(ContactTopicOptOut.contact_id, ContactTopicOptOut.topic)
                                             .where(ContactTopicOptOut.contact_id.in_(contact_ids))):
            out.setdefault(cid, set()).add(topic)
    return out


def pitched_contact_ids(story):
    return set(db.session.scalars(select(StoryPitch.contact_id).where(StoryPitch.story_id == story.id)))
