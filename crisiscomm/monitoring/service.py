"""Mentions: record one (deduplicated into sightings), triage it, turn it into an incident or an inquiry."""
import html
import re
import unicodedata
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import bleach
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from .. import images, inputs, permissions
from ..clock import now
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..incidents import service as incidents
from ..incidents.models import Incident
from ..inquiries import service as inquiries
from ..scoping import get_or_404, scope
from ..statements.service import record_statement, statements_of
from ..text import fold, where_all_terms
from .alerts import alert_for
from .matching import build_matcher
from .models import HANDLED, IGNORED, NEW, SEEN, STATES, TONES, Mention, Screenshot, Sighting

STATE_LABELS = {NEW: _l("new"), SEEN: _l("seen"), HANDLED: _l("handled"), IGNORED: _l("ignored")}
TONE_LABELS = {"positive": _l("positive"), "neutral": _l("neutral"), "negative": _l("negative"),
               "false_information": _l("false information")}
SOURCE_LABELS = {"feed": _l("news feed"), "manual": _l("captured by hand"), "api": _l("pushed by a tool")}
EXCERPT_CHARS = 600
SCREENSHOT_MAX_SIDE = 2000  # a phone's screenshot is tall: its text stays readable
SCREENSHOT_MAX_PIXELS = 25_000_000  # a long scrolling capture fits; decoding stays within about 100 MB
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|zarsrc|zalo_.*|mc_cid|mc_eid|igshid|ref|src|_ga|cmpid|share)$", re.I)
_SPACES = re.compile(r"\s+")


def canonical_link(url):
    """``url`` without tracking parameters, fragment and default port; scheme and host lower-case."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give a web address (http or https)."), fields={"link": _("not a web address")})
    host = parts.hostname.lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def plain_text(markup, limit=EXCERPT_CHARS):
    """HTML from a feed as plain text: no tags, no scripts, entities decoded, spaces collapsed."""
    stripped = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup or "")
    text = html.unescape(bleach.clean(stripped, tags=[], strip=True, strip_comments=True))
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", html.unescape(text)).strip())  # Windows-1258: marks apart
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _existing(department_id, link, guid, outlet, title_key):
    conditions = []
    if link:
        conditions.append(Mention.link == link)
    if guid:
        conditions.append(Mention.guid == guid)
    if title_key and outlet:
        conditions.append((Mention.outlet == outlet) & (Mention.title_key == title_key))
    if not conditions:
        return None
    return db.session.scalars(select(Mention).where(Mention.department_id == department_id, or_(*conditions))
                              .order_by(Mention.id)).first()


def record(*, title, text="", link="", guid=None, outlet="", published_at=None, source="feed", feed=None,
           reach=None, user=None, departments=None, matcher=None):
    """Match and store one item: a mention per Department it names (a new one, or a sighting of the same story).

    ``departments``: limit to these (a manual capture by a Department user: their own). Returns the mentions
    touched, new ones with ``_new`` set. An item that names no Department is not kept.
    """
    title = plain_text(title, limit=500)
    excerpt = plain_text(text)
    if not title:
        raise ValidationError(_("A mention needs a title."), fields={"title": _("required")})
    link = canonical_link(link)
    guid = (guid or "").strip()[:1000] or None
    outlet = _SPACES.sub(" ", outlet or "").strip()[:200]
    published_at = published_at or now()
    matcher = matcher or build_matcher()
    found, crisis, severity = matcher.match(f"{title}\n{excerpt}")
    if departments is not None:
        wanted = {d.id for d in departments}
        found = {d: t for d, t in found.items() if d in wanted}
        for d in wanted - set(found):
            found[d] = []  # captured by the Department itself: it is about them
    title_key = fold(title)[:500]
    touched = []
    for department_id, terms in sorted(found.items()):
        mention = _existing(department_id, link, guid, outlet, title_key)
        is_new = mention is None
        if is_new:
            mention = Mention(department_id=department_id, title=title, title_key=title_key, link=link, guid=guid,
                              outlet=outlet, excerpt=excerpt, published_at=published_at, source=source,
                              reach=reach, terms=sorted(set(terms) | set(crisis)), severity=severity, state=NEW,
                              captured_by_id=user.id if user is not None else None)
            db.session.add(mention)
        elif reach and (mention.reach or 0) < reach:
            mention.reach = reach
        db.session.flush()
        if not any(s.url == link and s.feed_id == (feed.id if feed else None) and s.guid == guid
                   for s in mention.sightings) or source != "feed":
            mention.sightings.append(Sighting(feed_id=feed.id if feed else None, source=source, url=link, guid=guid,
                                              outlet=outlet, seen_at=now()))
        mention._new = is_new
        touched.append(mention)
    db.session.flush()
    for mention in touched:
        if mention._new:
            alert_for(mention)
    return touched


def capture(*, user, department, link, title, text="", published_at=None, reach=None, outlet="", source="manual",
            screenshot=b""):
    """A Department user pastes what they saw (a post, a video) with an optional screenshot (bytes of an image,
    re-encoded without metadata), or a tool pushes it (``source="api"``): a mention of that Department,
    deduplicated like a feed item. A known story keeps the screenshot it has."""
    permissions.require(user, "mention.triage")
    fields = inputs.Fields({"title": title, "text": text, "published_at": published_at, "reach": reach,
                            "outlet": outlet, "link": link})
    title = fields.text("title", column=Mention.title, required=True, single_line=True)
    text = fields.text("text") or ""
    outlet = fields.text("outlet", column=Mention.outlet, single_line=True) or ""
    link = fields.text("link", max_length=1000, required=True, single_line=True)
    when = fields.datetime("published_at")
    reach = fields.integer("reach", minimum=0)
    fields.check(_("The mention was not saved."))
    if when is not None and when > now() + timedelta(minutes=5):
        raise ValidationError(_("The mention was not saved."), fields={"published_at": _("cannot be in the future")})
    shot = images.reencode(screenshot, field="screenshot", max_side=SCREENSHOT_MAX_SIDE,
                           max_pixels=SCREENSHOT_MAX_PIXELS) if screenshot else None  # refused before any write
    mention = record(title=title, text=text, link=link, outlet=outlet or urlsplit(link).hostname or "",
                     published_at=when, source=source, reach=reach, user=user, departments=[department])[0]
    if shot is not None and mention.screenshot is None:
        data, width, height = shot
        mention.screenshot = Screenshot(data=data, width=width, height=height)
        db.session.flush()
    return mention


def mentions_query(*, user, state=None, tone=None, department_id=None, q=None):
    """The mentions ``user`` sees, filtered (every given filter must hold; ``q``: words of the title), newest first."""
    if state and state not in STATES:
        raise ValidationError(_("Unknown state."), fields={"state": _("one of %(v)s", v=", ".join(STATES))})
    if tone and tone not in TONES:
        raise ValidationError(_("Unknown tone."), fields={"tone": _("one of %(v)s", v=", ".join(TONES))})
    wanted = {Mention.state: state, Mention.tone: tone, Mention.department_id: department_id}
    conditions = [column == value for column, value in wanted.items() if value]
    conditions += where_all_terms(Mention.title_key, q)
    return scope(select(Mention), Mention, user).where(*conditions).order_by(Mention.published_at.desc(),
                                                                             Mention.id.desc())


def counts(*, user):
    """{state: number} of the mentions ``user`` sees."""
    stmt = scope(select(Mention.state, func.count()).group_by(Mention.state), Mention, user)
    return dict(db.session.execute(stmt).all())


def triage(*, mention, user, state=None, tone=None, note=None):
    """Set a mention's state (new → seen → handled/ignored, or back), tone and note."""
    permissions.require(user, "mention.triage")
    errors = {}
    if state is not None and state not in STATES:
        errors["state"] = _("one of %(v)s", v=", ".join(STATES))
    if tone not in (None, "") and tone not in TONES:
        errors["tone"] = _("one of %(v)s", v=", ".join(TONES))
    if note is not None:
        note = inputs.text(note, "note", max_length=4000) or ""
    if errors:
        raise ValidationError(_("The mention was not changed."), fields=errors)
    if state is not None:
        mention.state = state
    if tone is not None:
        mention.tone = tone or None
    if note is not None:
        mention.note = note
    db.session.flush()
    return mention


def mark_seen(*, mention, user):
    if mention.state == NEW and permissions.can(user, "mention.triage"):
        mention.state = SEEN
        db.session.flush()


def incident_defaults(mention):
    """What an incident created from ``mention`` starts with (the officer may change it before saving)."""
    exam = any(w in fold(" ".join(mention.terms or [])) for w in ("thi", "de"))
    severity = {"high": "high", "medium": "medium"}.get(mention.severity or "", "medium")
    description = "\n\n".join(x for x in (mention.excerpt, f"{mention.outlet} · {mention.link}".strip(" ·")) if x)
    return {"title": mention.title[:300], "category": "exam" if exam else "misinformation", "severity": severity,
            "exam_related": exam, "description": description,
            "occurred_at": mention.published_at.isoformat(), "known_at": now().isoformat()}


def create_incident(*, mention, user, data=None):
    """One step: an incident pre-filled from the mention (escalation runs as for any incident); the mention is
    handled and linked to it."""
    permissions.require(user, "mention.triage")
    values = {**incident_defaults(mention), **(data or {})}
    if mention.published_at > now():
        values["occurred_at"] = now().isoformat()
    incident = incidents.create_incident(actor=user, department=mention.department, data=values)
    mention.incident_id = incident.id
    mention.state = HANDLED
    db.session.flush()
    return incident


def link_incident(*, mention, user, incident_id):
    permissions.require(user, "mention.triage")
    ident = inputs.parse_id(incident_id, "incident_id", required=True)
    try:
        incident = get_or_404(Incident, ident, user=user)
    except NotFound:
        incident = None
    if incident is None or incident.department_id != mention.department_id:
        raise ValidationError(_("No such incident of this Department."), fields={"incident_id": _("unknown incident")})
    mention.incident_id = incident.id
    mention.state = HANDLED
    db.session.flush()
    return incident


def log_inquiry(*, mention, user, journalist_name=None, subject=None):
    """A journalist asked about the story: a press inquiry of the Department, linked to the mention."""
    permissions.require(user, "mention.triage")
    inquiry = inquiries.create_inquiry(user=user, department=mention.department,
                                       subject=subject or mention.title[:300], channel="social_media"
                                       if mention.source == "manual" else "phone",
                                       journalist_name=journalist_name, outlet=mention.outlet,
                                       questions=mention.excerpt, incident_id=mention.incident_id)
    mention.inquiry_id = inquiry.id
    if mention.state == NEW:
        mention.state = SEEN
    db.session.flush()
    return inquiry


def record_correction(*, mention, user, text, channel=None, published_at=None):
    """What the Department published to correct the story, kept in the statement library with the mention it
    answers; the mention is handled."""
    permissions.require(user, "mention.triage")
    fields = inputs.Fields({"text": text, "channel": channel, "published_at": published_at})
    text = fields.text("text", required=True)
    channel = fields.text("channel", max_length=48, single_line=True) or None
    when = fields.datetime("published_at")
    fields.check(_("The correction was not saved."))
    if when is not None and when > now() + timedelta(minutes=5):
        raise ValidationError(_("The correction was not saved."), fields={"published_at": _("cannot be in the future")})
    approver = user if permissions.can(user, "incident.statement.approve") else None
    statement = record_statement(department_id=mention.department_id, source_type="mention", source_id=mention.id,
                                 subject=_("Correction: %(title)s", title=mention.title), text=text, channel=channel,
                                 approved_by=approver, published_at=when or now())
    mention.state = HANDLED
    db.session.flush()
    return statement


def corrections(mention):
    return statements_of("mention", mention.id)


def recent_incidents(mention):
    return db.session.scalars(select(Incident).where(Incident.department_id == mention.department_id)
                              .order_by(Incident.id.desc()).limit(20)).all()


IGNORED_STATE = IGNORED
