"""Logging press inquiries: from the intake form, the API or an email, and correcting when one was received."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import inputs, permissions
from ..clock import now, parse_datetime, to_local
from ..contacts import service as contacts
from ..contacts.models import ONLINE, OUTLET_TYPES, Contact
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..incidents.models import Incident
from . import files, mail
from .deadlines import QUICK_DEADLINES, compute_due, quick_deadline
from .models import CHANNELS, PRIORITIES, RECEIVED, Inquiry, InquiryEvent


# Intake names its fields after the journalist; the contacts service after the contact.
_CONTACT_FIELDS = {"full_name": "journalist_name", "outlet": "outlet", "email": "sender_email",
                   "outlet_type": "outlet_type", "phones": "journalist_phone"}


def _contact_errors(exc):
    return ValidationError(exc.message, fields={_CONTACT_FIELDS.get(k, k): v for k, v in exc.fields.items()})


def remember_phone(contact, phone):
    """The number a journalist called from is kept on their contact (the contacts service checks and
    normalises it), unless the contact has it already."""
    phone = (phone or "").strip()
    if not phone or contacts.phone_key(phone) in {contacts.phone_key(p) for p in contact.phones or []}:
        return contact
    try:
        return contacts.update_contact(contact=contact, phones=list(contact.phones or []) + [phone])
    except ValidationError as exc:
        raise _contact_errors(exc)


def create_contact(*, department, full_name, outlet, outlet_type=None, email_address=None, phone=None):
    """A journalist typed at intake is the Department's contact of that name and outlet, or becomes a new one
    (through the contacts service)."""
    known = contacts.find_contact(department=department, full_name=full_name, outlet=outlet,
                                  email=email_address or None)
    if known is not None:
        return remember_phone(known, phone)
    try:
        return contacts.create_contact(department=department, full_name=full_name, outlet=outlet or "",
                                       outlet_type=outlet_type if outlet_type in OUTLET_TYPES else ONLINE,
                                       email=email_address or None, phones=[phone] if phone else None)
    except ValidationError as exc:
        raise _contact_errors(exc)


def source_label(source):
    return {"form": _("the intake form"), "api": _("the API"), "email": _("a forwarded email")}.get(source, source)


def _parse_when(value, name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return parse_datetime(value)
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        errors[name] = _("a date and time, e.g. 2026-06-26T14:30")
        return None


def _of_department(model, ident, department, errors, field, problem):
    """The ``model`` row ``ident`` names when it is ``department``'s; else None, with ``problem()`` under ``field``."""
    if ident is None:
        return None
    row = db.session.get(model, ident)
    if row is None or row.department_id != department.id:
        errors[field] = problem()
        return None
    return row


def create_inquiry(*, user, department, subject, channel="phone", received_at=None, contact_id=None,
                   journalist_name=None, outlet=None, outlet_type=None, questions="", deadline=None,
                   priority="normal", incident_id=None, source="form", sender_email=None, system=False,
                   journalist_phone=None, deadline_preset=None):
    if not system:  # the press-mailbox job logs inquiries with no user
        permissions.require(user, "inquiry.work")
    fields = inputs.Fields({"subject": subject, "journalist_name": journalist_name, "outlet": outlet,
                            "questions": questions, "contact_id": contact_id, "incident_id": incident_id})
    errors = fields.errors
    subject = fields.text("subject", column=Inquiry.subject, required=True, single_line=True)
    journalist_name = fields.text("journalist_name", column=Inquiry.journalist_name, single_line=True) or ""
    outlet = fields.text("outlet", column=Inquiry.outlet, single_line=True) or ""
    questions = fields.text("questions") or ""
    contact_id = fields.id("contact_id")
    incident_id = fields.id("incident_id")
    if channel not in CHANNELS:
        errors["channel"] = _("one of %(choices)s", choices=", ".join(CHANNELS))
    if priority not in PRIORITIES:
        errors["priority"] = _("one of %(choices)s", choices=", ".join(PRIORITIES))
    received = _parse_when(received_at, "received_at", errors) or now()
    if received > now() + timedelta(minutes=5):
        errors["received_at"] = _("cannot be in the future")
    if journalist_phone is not None and not isinstance(journalist_phone, str):
        errors["journalist_phone"] = _("a phone number as text")
        journalist_phone = None
    if deadline_preset is not None and not isinstance(deadline_preset, str):
        errors["deadline_preset"] = _("one of %(choices)s", choices=", ".join(QUICK_DEADLINES))
        deadline_preset = None
    journalist_deadline = _parse_when(deadline, "deadline", errors)
    if journalist_deadline is None and deadline_preset not in (None, "", "default"):
        if deadline_preset in QUICK_DEADLINES:
            journalist_deadline = quick_deadline(deadline_preset, received)
        else:
            errors["deadline_preset"] = _("one of %(choices)s", choices=", ".join(QUICK_DEADLINES))
    if journalist_deadline is not None and journalist_deadline <= received:
        errors["deadline"] = _("must be after the time the inquiry was received")
    contact = _of_department(Contact, contact_id, department, errors, "contact_id",
                             lambda: _("no such contact in this Department"))
    if contact is None and "contact_id" not in errors and not journalist_name:
        errors["journalist_name"] = _("required: pick a contact or type the journalist's name")
    if contact is None and "contact_id" not in errors and not outlet:
        errors["outlet"] = _("required for a new journalist")
    incident = _of_department(Incident, incident_id, department, errors, "incident_id",
                              lambda: _("no such incident in this Department"))
    if errors:
        raise ValidationError(_("The inquiry could not be saved."), fields=errors)
    if contact is None:
        contact = create_contact(department=department, full_name=journalist_name, outlet=outlet,
                                 outlet_type=outlet_type, email_address=sender_email, phone=journalist_phone)
    else:
        remember_phone(contact, journalist_phone)
    due_at, deadline_source, rule = compute_due(department=department, received_at=received, channel=channel,
                                                priority=priority, incident_linked=incident is not None,
                                                journalist_deadline=journalist_deadline)
    inquiry = Inquiry(department_id=department.id, received_at=received, channel=channel, contact_id=contact.id,
                      journalist_name=journalist_name or contact.full_name, outlet=outlet or contact.outlet,
                      sender_email=sender_email, subject=subject, questions=questions,
                      priority=priority, journalist_deadline=journalist_deadline, due_at=due_at,
                      deadline_source=deadline_source, deadline_rule_id=rule.id if rule else None,
                      incident_id=incident.id if incident else None, state=RECEIVED, source=source,
                      created_by_id=getattr(user, "id", None))
    inquiry.refresh_search_text()
    db.session.add(inquiry)
    db.session.flush()
    db.session.add(InquiryEvent(inquiry_id=inquiry.id, at=now(), actor_id=getattr(user, "id", None),
                                from_state=None, to_state=RECEIVED,
                                note=_("Logged via %(source)s", source=source_label(source))))
    db.session.flush()
    return inquiry


# --- email intake -----------------------------------------------------------------------------

def parse_eml(data):
    """What an inquiry needs from an email (the journalist's when it was forwarded): see mail.parse."""
    return mail.parse(data)


def _known_contact(department, name, address):
    if address:
        found = db.session.scalar(select(Contact).where(Contact.department_id == department.id,
                                                        func.lower(Contact.email) == address,
                                                        Contact.archived.is_(False)).order_by(Contact.id).limit(1))
        if found is not None:
            return found
    return None


def import_eml(*, user, department, data, received_at=None, source="email"):
    """An email (forwarded or not) becomes a received inquiry (channel email): the journalist, the original's date,
    subject, questions and attachments. The same message (by Message-ID) is imported once per Department."""
    parsed = parse_eml(data)
    return import_parsed(user=user, department=department, parsed=parsed, received_at=received_at, source=source)


def import_parsed(*, user, department, parsed, received_at=None, source="email"):
    if not parsed["subject"] and not parsed["body"]:
        raise ValidationError(_("The message has neither a subject nor a body."), fields={"file": _("empty message")})
    existing = db.session.scalar(select(Inquiry).where(Inquiry.department_id == department.id,
                                                       Inquiry.message_id == parsed["message_id"]))
    if existing is not None:
        raise Conflict(_("This email was already imported as inquiry #%(id)s.", id=existing.id),
                       fields={"file": _("already imported")}, inquiry_id=existing.id)
    contact = _known_contact(department, parsed["name"], parsed["email"])
    name = parsed["name"] or parsed["email"] or _("Unknown sender")
    # The outlet of a known journalist is the contact's, not the domain of the mail provider.
    outlet = contact.outlet if contact is not None and contact.outlet else (
        parsed["email"].split("@", 1)[1] if "@" in parsed["email"] else _("Unknown outlet"))
    if received_at in (None, ""):
        received_at = parsed["sent_at"]
        if received_at is None or received_at > now():
            received_at = now()  # no date, or a sender's clock ahead of ours
    inquiry = create_inquiry(user=user, department=department,
                             subject=(parsed["subject"] or _("(no subject)"))[:300], channel="email",
                             received_at=received_at, contact_id=contact.id if contact is not None else None,
                             journalist_name=None if contact is not None else name[:200],
                             outlet=None if contact is not None else outlet[:200], questions=parsed["body"],
                             source=source, sender_email=(parsed["email"] or None), system=user is None)
    inquiry.message_id = parsed["message_id"]
    skipped = files.store_all(inquiry=inquiry, attachments=parsed.get("attachments") or [])
    if skipped:
        note = _("Attachments not kept (too large or too many): %(names)s", names=", ".join(skipped))
        db.session.add(InquiryEvent(inquiry_id=inquiry.id, at=now(), actor_id=getattr(user, "id", None),
                                    from_state=RECEIVED, to_state=RECEIVED, note=note))
    db.session.flush()
    return inquiry


def correct_received_at(*, inquiry, user, received_at):
    """The officer corrects when the inquiry was received (e.g. an email's date); an open inquiry's due time
    follows unless it is the journalist's own deadline."""
    permissions.require(user, "inquiry.work")
    errors = {}
    when = _parse_when(received_at, "received_at", errors)
    if errors or when is None:
        errors["received_at"] = _("a date and time, e.g. 26/06/2026 07:45")
    elif when > now() + timedelta(minutes=5):
        errors["received_at"] = _("cannot be in the future")
    if errors:
        raise ValidationError(_("The time could not be saved."), fields=errors)
    if when == inquiry.received_at:
        return inquiry
    before = inquiry.received_at
    inquiry.received_at = when
    if inquiry.deadline_source != "journalist" and inquiry.is_open:
        due_at, source, rule = compute_due(department=inquiry.department, received_at=when,
                                           channel=inquiry.channel, priority=inquiry.priority,
                                           incident_linked=inquiry.incident_id is not None)
        inquiry.due_at, inquiry.deadline_source, inquiry.deadline_rule_id = due_at, source, rule.id if rule else None
    db.session.add(InquiryEvent(inquiry_id=inquiry.id, at=now(), actor_id=user.id, from_state=inquiry.state,
                                to_state=inquiry.state,
                                note=_("Received time corrected from %(before)s to %(after)s",
                                       before=to_local(before).strftime("%d/%m/%Y %H:%M"),
                                       after=to_local(when).strftime("%d/%m/%Y %H:%M"))))
    db.session.flush()
    return inquiry
