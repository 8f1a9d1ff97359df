"""Orientation messages: drafting (pre-filled from an incident and the spokesperson on duty), the schools a
message reaches, and sending it to their focal points through the outbox."""
import secrets

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import inputs, permissions, scoping
from ..clock import now
from ..departments.models import ACTIVE, Department
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..incidents.models import Incident
from ..incidents.playbook import playbook_url
from ..network.models import FocalPoint, NetworkGroup, School, group_school
from ..notifications.models import EMAIL
from ..notifications.senders import ACTION_URL_MARK
from ..notifications.service import enqueue, notify_user
from ..spokespersons.service import official_spokesperson
from .ack_links import ack_url
from .models import (DRAFTED, FROM_DEPARTMENT, FROM_MINISTRY, SENT, OrientationMessage, OrientationRecipient)

KIND = "orientation"  # the outbox kind (routes: a focal point may choose where orientation reaches them)
ACTION = "orientation.ack"
STATE_LABELS = {DRAFTED: _l("drafted"), SENT: _l("sent")}
_FIELDS = ("subject", "holding_line", "may_say", "may_not_say", "refer_press_to", "playbook_url")
MAX_IDS = 2000


# --- reading ----------------------------------------------------------------------------------------------------

def _visible(stmt, user):
    """The Ministry sees every message; a Department its own (never the Ministry's own drafts)."""
    if user.is_ministry:
        return stmt
    return stmt.where(OrientationMessage.department_id == user.department_id)


def list_messages(*, user, incident_id=None, limit=200):
    stmt = _visible(select(OrientationMessage), user).order_by(OrientationMessage.created_at.desc(),
                                                               OrientationMessage.id.desc()).limit(limit)
    if incident_id is not None:
        stmt = stmt.where(OrientationMessage.incident_id == incident_id)
    return db.session.scalars(stmt).all()


def get_message(message_id, *, user):
    """A message the user's side sent (another Department's is a 404)."""
    ident = inputs.id_or_none(message_id)
    row = db.session.get(OrientationMessage, ident) if ident is not None else None
    if row is None or not (user.is_ministry or (row.department_id is not None
                                                 and row.department_id == user.department_id)):
        raise NotFound()
    return row


# --- drafting ---------------------------------------------------------------------------------------------------

def spokesperson_line(department_id):
    """"Name, title · phone · email" of the Department's official spokesperson now, or ""."""
    assignment = official_spokesperson(department_id) if department_id else None
    if assignment is None:
        return ""
    person = assignment.user
    parts = [person.name + (f", {person.title}" if person.title else ""),
             assignment.public_phone or person.phone, assignment.public_email or person.email]
    return " · ".join(p for p in parts if p)[:300]


def prefill(*, user, incident=None):
    """The values a new message starts from: the incident's title and playbook, the spokesperson on duty."""
    department_id = incident.department_id if incident is not None else user.department_id
    values = {"subject": "", "holding_line": "", "may_say": "", "may_not_say": "",
              "refer_press_to": spokesperson_line(department_id), "playbook_url": "", "incident_id": None}
    if incident is not None:
        values.update(subject=_("Information orientation: %(title)s", title=incident.title)[:300],
                      playbook_url=playbook_url(incident) or "", incident_id=incident.id)
    return values


def _ids(value, field):
    if value in (None, "", []):
        return []
    if not isinstance(value, (list, tuple)) or len(value) > MAX_IDS:
        raise ValidationError(_("Choose from the list."), fields={field: _("a list of ids expected")})
    return list(dict.fromkeys(inputs.parse_id(v, field, required=True) for v in value))


def _parse_targets(data, *, ministry, department_id):
    """{"all", "group_ids", "school_ids"} (a Department) or {"all", "department_ids"} (the Ministry), each id
    checked to be the sender's own."""
    everyone = inputs.boolean(data.get("all"), "all", default=False)
    if ministry:
        codes = data.get("departments") or []
        if not isinstance(codes, (list, tuple)) or not all(isinstance(c, str) for c in codes):
            raise ValidationError(_("Choose the Departments."), fields={"departments": _("a list of codes expected")})
        found = {d.code: d.id for d in db.session.scalars(select(Department).where(
            Department.code.in_(codes), Department.status == ACTIVE))} if codes else {}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(_("Unknown or inactive Departments."),
                                  fields={"departments": _("unknown or not active: %(v)s", v=", ".join(unknown))})
        if not everyone and not found:
            raise ValidationError(_("Choose who receives it."),
                                  fields={"departments": _("choose all Departments or at least one")})
        return {"all": everyone, "department_ids": sorted(found.values())}
    group_ids, school_ids = _ids(data.get("group_ids"), "group_ids"), _ids(data.get("school_ids"), "school_ids")
    for model, ids, field in ((NetworkGroup, group_ids, "group_ids"), (School, school_ids, "school_ids")):
        if ids:
            own = set(db.session.scalars(select(model.id).where(model.id.in_(ids),
                                                                model.department_id == department_id)))
            if own != set(ids):
                raise ValidationError(_("Choose from your own network."),
                                      fields={field: _("not in your Department's network")})
    if not everyone and not group_ids and not school_ids:
        raise ValidationError(_("Choose who receives it."),
                              fields={"group_ids": _("choose all schools, a group or at least one school")})
    return {"all": everyone, "group_ids": group_ids, "school_ids": school_ids}


def _apply(message, data, *, user, partial=False):
    f = inputs.Fields(data)
    for name in _FIELDS:
        if partial and name not in data:
            continue
        value = f.text(name, column=getattr(OrientationMessage, name), required=name in ("subject", "holding_line"),
                       single_line=name in ("subject", "refer_press_to", "playbook_url"))
        if name not in f.errors:
            setattr(message, name, value or "")
    if message.playbook_url and not (message.playbook_url.startswith("/") and not message.playbook_url.startswith("//")
                                     or message.playbook_url.startswith(("https://", "http://"))):
        f.errors["playbook_url"] = _("a link starting with / or https://")
    if not partial or "targets" in data:
        try:
            targets = data.get("targets")
            if not isinstance(targets, dict):
                raise ValidationError(_("Choose who receives it."), fields={"targets": _("an object expected")})
            message.targets = _parse_targets(targets, ministry=message.from_ministry,
                                             department_id=message.department_id)
        except ValidationError as exc:
            f.errors.update(exc.fields)
    f.check(_("Check the orientation message."))


def create_message(*, user, data, department=None):
    """A drafted message of the user's Department (or of the Ministry for a Ministry user)."""
    permissions.require(user, "orientation.send")
    incident = None
    incident_id = inputs.parse_id(data.get("incident_id"), "incident_id")
    if incident_id is not None:
        incident = db.session.get(Incident, incident_id)
        if incident is None or not scoping.can_see_department(incident.department_id, user):
            raise ValidationError(_("Unknown incident."), fields={"incident_id": _("not found")})
    ministry = user.is_ministry
    message = OrientationMessage(sender=FROM_MINISTRY if ministry else FROM_DEPARTMENT,
                                 department_id=None if ministry else user.department_id,
                                 incident_id=incident.id if incident else None, created_by_id=user.id,
                                 state=DRAFTED, targets={})
    if not ministry and incident is not None and incident.department_id != user.department_id:
        raise ValidationError(_("Unknown incident."), fields={"incident_id": _("not found")})
    values = prefill(user=user, incident=incident)
    data = {**{k: values[k] for k in ("refer_press_to", "playbook_url") if k not in data}, **data}
    _apply(message, data, user=user)
    db.session.add(message)
    db.session.flush()
    return message


def update_message(*, message, user, data):
    permissions.require(user, "orientation.send")
    if message.state != DRAFTED:
        raise Conflict(_("A sent message cannot be changed."), fields={"state": _("already sent")})
    _apply(message, data, user=user, partial=True)
    db.session.flush()
    return message


# --- who it reaches ---------------------------------------------------------------------------------------------

def target_schools(message):
    """The active schools the message is addressed to, by name."""
    t = message.targets or {}
    stmt = select(School).where(School.archived_at.is_(None)).order_by(School.department_id, School.name)
    if message.from_ministry:
        if not t.get("all"):
            stmt = stmt.where(School.department_id.in_(t.get("department_ids") or [-1]))
        else:
            stmt = stmt.join(Department, Department.id == School.department_id).where(Department.status == ACTIVE)
        return db.session.scalars(stmt).all()
    stmt = stmt.where(School.department_id == message.department_id)
    if not t.get("all"):
        in_groups = select(group_school.c.school_id).where(group_school.c.group_id.in_(t.get("group_ids") or [-1]))
        stmt = stmt.where(School.id.in_(in_groups) | School.id.in_(t.get("school_ids") or [-1]))
    return db.session.scalars(stmt).all()


def target_focal_points(message):
    schools = target_schools(message)
    if not schools:
        return []
    ids = [s.id for s in schools]
    points = []
    for start in range(0, len(ids), 500):  # bounded IN lists
        points += db.session.scalars(select(FocalPoint).where(FocalPoint.school_id.in_(ids[start:start + 500]),
                                                              FocalPoint.archived_at.is_(None))
                                     .options(selectinload(FocalPoint.school), selectinload(FocalPoint.user))
                                     .order_by(FocalPoint.school_id, FocalPoint.id)).all()
    return points


# --- sending ----------------------------------------------------------------------------------------------------

def message_text(message, recipient, *, reminder=False):
    """The email body (in Vietnamese, the network's language) with the acknowledge instruction."""
    lines = []
    if reminder:
        lines += [_("REMINDER: you have not yet acknowledged this orientation."), ""]
    sender = message.department.name if message.department else _("The Ministry of Education and Training")
    lines += [_("From: %(sender)s", sender=sender), _("To: %(name)s, %(school)s", name=recipient.name,
                                                       school=recipient.school.name), "",
              _("Agreed answer (holding line):"), message.holding_line, ""]
    if message.may_say:
        lines += [_("What may be said:"), message.may_say, ""]
    if message.may_not_say:
        lines += [_("What must not be said:"), message.may_not_say, ""]
    if message.refer_press_to:
        lines += [_("Refer the press to: %(who)s", who=message.refer_press_to), ""]
    if message.playbook_url:
        base = current_app.config.get("BASE_URL", "").rstrip("/")
        url = base + message.playbook_url if message.playbook_url.startswith("/") else message.playbook_url
        lines += [_("Playbook: %(url)s", url=url), ""]
    return lines


def _deliver(message, recipient, *, reminder_round=None):
    """Queue the message (or a reminder) to one focal point: every channel of their account, or an email with
    a signed acknowledge link when they have none."""
    reminder = reminder_round is not None
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        prefix = _("Reminder: ") if reminder else ""
        subject = (prefix + _("Orientation: %(subject)s", subject=message.subject))[:300]
        lines = message_text(message, recipient, reminder=reminder)
        source = ("orientation_recipient", recipient.id)
        key = f"orientation:{recipient.id}" + (f":r{reminder_round}" if reminder else "")
        if recipient.user is not None and recipient.user.active:
            in_app = current_app.config.get("BASE_URL", "").rstrip("/") + f"/orientation/inbox/{recipient.id}"
            body = "\n".join(lines + [_("Acknowledge in the app: %(url)s", url=in_app)])
            short = _("%(subject)s — acknowledge: %(mark)s", subject=message.subject[:80], mark=ACTION_URL_MARK)
            return notify_user(user=recipient.user, kind=KIND, subject=subject, body_text=body, dedupe_key=key,
                               short_text=short, department_id=recipient.department_id, source=source,
                               payload={"url": f"/orientation/inbox/{recipient.id}", "recipient": recipient.id},
                               push={"title": subject, "url": f"/orientation/inbox/{recipient.id}",
                                     "tag": f"orientation-{message.id}"}, action=ACTION,
                               # every confirmed channel: the press may call the school before they open the app
                               urgent=True)
        body = "\n".join(lines + [_("Please confirm that you have received and will follow this orientation "
                                    "(one click, no sign-in needed):"), ack_url(recipient)])
        return [enqueue(kind=KIND, channel=EMAIL, subject=subject, body_text=body, address=recipient.email,
                        recipient_label=recipient.name, department_id=recipient.department_id, source=source,
                        payload={"recipient": recipient.id}, dedupe_key=key if reminder else None)]


def send(*, message, user):
    """Send a drafted message: one recipient row per active focal point of the targeted schools and their outbox
    rows, in this transaction; the dispatcher delivers after commit."""
    permissions.require(user, "orientation.send")
    if message.state != DRAFTED:
        raise Conflict(_("This message has already been sent."), fields={"state": _("already sent")})
    points = target_focal_points(message)
    if not points:
        raise ValidationError(_("No focal point to send to: the schools chosen have no active focal point."),
                              fields={"targets": _("no active focal point")})
    with db.session.no_autoflush:  # the rows go in at once, at the flush below
        recipients = [OrientationRecipient(message=message, focal_point_id=p.id, school=p.school,
                                           school_id=p.school_id, department_id=p.department_id, user=p.user,
                                           user_id=p.user_id, name=p.full_name, email=p.email,
                                           ack_nonce=secrets.token_hex(8)) for p in points]
        db.session.add_all(recipients)
    message.state, message.sent_at, message.sent_by_id = SENT, now(), user.id
    db.session.flush()  # the recipients' ids go into the links and the outbox rows' source
    with db.session.no_autoflush:  # a thousand outbox rows in one flush, not one per person's channel lookup
        for recipient in recipients:
            _deliver(message, recipient)
    db.session.flush()
    return message

