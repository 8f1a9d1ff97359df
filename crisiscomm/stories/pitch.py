"""Pitching a story to journalists: one email per journalist through the outbox, with a signed opt-out link."""
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from .. import permissions
from ..audit import service as audit
from ..contacts.models import OUTLET_TYPES, Contact
from ..departments.service import find_by_code
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..notifications import service as outbox
from ..notifications.models import EMAIL
from ..scoping import scope
from ..spokespersons.service import official_spokesperson
from ..text import fold
from . import service
from .models import APPROVED, PUBLISHED, ContactTopicOptOut, StoryPitch

OPT_OUT_MAX_AGE = 400 * 24 * 3600  # a pitch's opt-out link works for more than a year
MAX_RECIPIENTS = 200


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="story-topic-opt-out")


def opt_out_link(contact, topics):
    token = _serializer().dumps({"c": contact.id, "t": list(topics)})
    return current_app.config.get("BASE_URL", "").rstrip("/") + url_for("stories_public.not_interested", token=token)


def opt_out(token):
    """Apply a signed opt-out; (contact, topics) or None for a bad or expired link. Idempotent."""
    try:
        data = _serializer().loads(token, max_age=OPT_OUT_MAX_AGE)
        contact = db.session.get(Contact, int(data["c"]))
        topics = [t for t in data["t"] if t in service.TOPIC_LABELS]
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if contact is None:
        return None
    have = service.opted_out_topics([contact.id]).get(contact.id, set())
    for topic in topics:
        if topic not in have:
            db.session.add(ContactTopicOptOut(contact_id=contact.id, topic=topic))
    db.session.flush()
    return contact, topics


def can_pitch(story, user):
    """A Department pitches its own approved or published story; the Ministry pitches stories it featured."""
    if story.state not in (APPROVED, PUBLISHED) or service.consent_gaps(story):
        return False
    if permissions.can(user, "story.feature"):
        return story.featured_at is not None
    return permissions.can(user, "story.edit")


def candidates(*, story, user, outlet_type=None, beat=None, department=None):
    """Contacts the user may pitch this story to: with an email, not archived, not opted out of its topics."""
    stmt = scope(select(Contact), Contact, user).where(Contact.archived.is_(False), Contact.email.is_not(None),
                                                        Contact.email != "")
    if not permissions.can(user, "story.feature"):
        stmt = stmt.where(Contact.department_id == story.department_id)
    elif department:
        dep = find_by_code(department)
        stmt = stmt.where(Contact.department_id == (dep.id if dep else -1))
    if outlet_type in OUTLET_TYPES:
        stmt = stmt.where(Contact.outlet_type == outlet_type)
    rows = db.session.scalars(stmt.order_by(Contact.full_name).limit(2000)).all()
    if beat:
        term = fold(beat)
        rows = [c for c in rows if term in fold(c.beat or "")]
    opted = service.opted_out_topics([c.id for c in rows])
    topics = set(story.topics or [])
    return [c for c in rows if not (opted.get(c.id, set()) & topics)]


def pitches(story):
    return db.session.scalars(select(StoryPitch).where(StoryPitch.story_id == story.id)
                              .order_by(StoryPitch.id.desc())).all()


def _spokesperson_line(story):
    a = official_spokesperson(story.department_id)
    if a is None:
        return ""
    phone = a.public_phone or a.user.phone or ""
    email = a.public_email or a.user.email or ""
    return ", ".join(filter(None, [a.user.name, a.user.title, phone, email]))


def send_pitch(*, story, user, contact_ids):
    if not can_pitch(story, user):
        raise Conflict(_("This story cannot be pitched now."), fields={"state": str(_l("only an approved story with complete consent; the Ministry pitches the stories it features"))})
    ids = list(dict.fromkeys(contact_ids or []))
    if not ids:
        raise ValidationError(_("Choose at least one journalist."), fields={"contact_ids": str(_l("choose at least one journalist"))})
    if len(ids) > MAX_RECIPIENTS:
        raise ValidationError(_("Too many journalists at once."), fields={"contact_ids": str(_l("at most %(n)s at once", n=MAX_RECIPIENTS))})
    allowed = {c.id: c for c in candidates(story=story, user=user)}
    bad = [i for i in ids if i not in allowed]
    if bad:
        raise ValidationError(_("Some journalists cannot receive this pitch."),
                              fields={"contact_ids": str(_l("these cannot receive it: %(ids)s", ids=", ".join(map(str, bad))))})
    already = service.pitched_contact_ids(story)
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    # Public links open only once the story is published (the public page and its photos).
    published = story.state == PUBLISHED
    photo_links = [base + url_for("stories_public.public_photo", photo_id=p.id)
                   for p in service.public_photos(story)] if published else []
    story_link = base + url_for("stories_public.public_story", story_id=story.id) if published else ""
    spokesperson = _spokesperson_line(story)
    sent = []
    with force_locale("vi"):
        for cid in ids:
            if cid in already:
                continue
            contact = allowed[cid]
            lines = [_("Dear %(name)s,", name=contact.full_name), "",
                     _("%(department)s would like to share a story you may want to write about:",
                       department=story.department.name), "", story.title, "", story.summary, ""]
            if story_link:
                lines += [_("Read it: %(link)s", link=story_link)]
            if photo_links:
                lines += [_("Photos (free to use with credit):")] + photo_links
            if spokesperson:
                lines += ["", _("Spokesperson: %(who)s", who=spokesperson)]
            lines += ["", _("Not interested in this topic? One click and we will not write to you about it again: "
                            "%(link)s", link=opt_out_link(contact, story.topics or []))]
            row = outbox.enqueue(kind="story.pitch", channel=EMAIL, subject=_("Story: %(title)s", title=story.title),
                                 body_text="\n".join(lines), address=contact.email, recipient_label=contact.full_name,
                                 department_id=story.department_id, source=("story", story.id),
                                 dedupe_key=f"story-pitch:{story.id}:{contact.id}")
            db.session.flush()
            pitch = StoryPitch(story_id=story.id, contact_id=contact.id, sent_by_id=user.id, notification_id=row.id)
            db.session.add(pitch)
            sent.append(pitch)
    audit.record("story.pitched", "Story", story.id, story.department_id, summary=f"{len(sent)}")
    db.session.flush()
    return sent
