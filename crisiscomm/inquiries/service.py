"""Press inquiries: intake, the workflow with approval, deadlines, overdue alerts, reporting."""
import functools
import html
import io
import re
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import figures, inputs, scoping, spreadsheets
from ..clock import from_local, now, parse_datetime, to_local
from ..departments.models import Department
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..sql import local_month, median_of, minutes_between
from ..text import fold, sort_people, where_all_terms
from ..users.models import (COMMS_OFFICER, DEPUTY_DIRECTOR, DIRECTOR, MINISTRY_ADMIN, MINISTRY_COMMS, SPOKESPERSON,
                            User, load_person)
from .models import (ANSWERED, ASSIGNED, AWAITING_APPROVAL, CHANNELS, DECLINED, DRAFTING, OPEN_STATES, PRIORITIES,
                     RECEIVED, REFERRED, STATES, Inquiry, InquiryEvent, RefusalGround)

# The workflow: from each state, the states it may move to. Nothing else is allowed.
TRANSITIONS = {
    RECEIVED: (ASSIGNED, DECLINED, REFERRED),
    ASSIGNED: (ASSIGNED, DRAFTING, DECLINED, REFERRED),
    DRAFTING: (AWAITING_APPROVAL, ASSIGNED, DECLINED, REFERRED),
    AWAITING_APPROVAL: (ANSWERED, DRAFTING),
    ANSWERED: (),
    DECLINED: (),
    REFERRED: (),
}

# Who may log and work on inquiries (viewers and steering-board members only read).
WORKER_ROLES = (MINISTRY_ADMIN, MINISTRY_COMMS, DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON, COMMS_OFFICER)
SETTINGS_ROLES = (MINISTRY_ADMIN, DIRECTOR)
APPROVER_CHOICES = ("spokesperson", "director")
DEFAULT_HOURS = 24
DEFAULT_DUE_SOON_MINUTES = 120

# Luật Báo chí 2025 (in force 1 July 2026, replaces the 2016 law) lists when information may be refused: state
# secrets; personal and family secrets; cases under investigation or not yet tried; inspections, complaints and
# denunciations not yet concluded. Its article numbers could not be read in the published text: said so below.
_PRESS_LAW_2025 = ("Luật Báo chí 2025 (thông qua ngày 10/12/2025, hiệu lực từ 01/7/2026, thay thế Luật Báo chí 2016), "
                   "quy định các trường hợp được từ chối cung cấp thông tin cho báo chí — số điều chưa đối chiếu "
                   "được với văn bản gốc (theo tin đã đăng, chưa kiểm chứng)")
REFUSAL_GROUNDS = [
    dict(key="state_secret", name="Thông tin thuộc bí mật nhà nước",
         legal_source=f"{_PRESS_LAW_2025}; Luật Bảo vệ bí mật nhà nước 2018."),
    dict(key="ongoing_investigation",
         name="Vụ án đang điều tra, chưa xét xử; vụ việc đang thanh tra, giải quyết khiếu nại, tố cáo chưa có kết luận",
         legal_source=f"{_PRESS_LAW_2025}: vụ án đang điều tra hoặc chưa xét xử (trừ khi phục vụ đấu tranh phòng, "
                      "chống tội phạm); vụ việc đang thanh tra, giải quyết khiếu nại, tố cáo, tranh chấp khi chưa có "
                      "kết luận chính thức và chưa được phép công bố."),
    dict(key="exam_confidential", name="Đề thi, đáp án chưa công bố (thông tin mật của kỳ thi)",
         legal_source=f"Quy chế thi tốt nghiệp THPT của Bộ GDĐT; Luật Bảo vệ bí mật nhà nước 2018; {_PRESS_LAW_2025}."),
    dict(key="minor_privacy", name="Bảo vệ đời tư, danh tính của người chưa thành niên",
         legal_source=f"{_PRESS_LAW_2025}: bí mật cá nhân, bí mật gia đình; Luật Trẻ em 2016, Điều 21 và Điều 33; "
                      "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 (hiệu lực 01/01/2026)."),
    dict(key="personal_privacy", name="Bí mật đời tư của cá nhân",
         legal_source=f"{_PRESS_LAW_2025}: bí mật cá nhân, bí mật gia đình; Bộ luật Dân sự 2015, Điều 38; "
                      "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15."),
    dict(key="not_competent", name="Không thuộc thẩm quyền của Sở (đề nghị hỏi cơ quan có thẩm quyền)",
         legal_source="Nghị định 09/2017/NĐ-CP, Điều 9 khoản 1 (còn hiệu lực đến khi có nghị định hướng dẫn Luật Báo "
                      "chí 2025 — chưa kiểm chứng)."),
]


# --- settings ---------------------------------------------------------------------------------

def department_settings(department):
    s = department.settings or {}
    return {
        "inquiry_approver": s.get("inquiry_approver") if s.get("inquiry_approver") in APPROVER_CHOICES
        else "spokesperson",
        "inquiry_default_hours": s.get("inquiry_default_hours"),
        "inquiry_due_soon_minutes": s.get("inquiry_due_soon_minutes") or DEFAULT_DUE_SOON_MINUTES,
    }


def update_settings(*, department, user, approver, default_hours=None, due_soon_minutes=None):
    if not (user.role == MINISTRY_ADMIN or (user.role == DIRECTOR and user.department_id == department.id)):
        raise PermissionDenied(_("Only the Ministry administrator or the Department's director can change this."))
    errors = {}
    if approver not in APPROVER_CHOICES:
        errors["approver"] = "one of " + ", ".join(APPROVER_CHOICES)
    hours = _int_in(default_hours, 1, 24 * 30, "default_hours", errors, required=False)
    minutes = _int_in(due_soon_minutes, 5, 24 * 60, "due_soon_minutes", errors, required=False)
    if errors:
        raise ValidationError(_("Please correct the settings."), fields=errors)
    settings = dict(department.settings or {})
    settings["inquiry_approver"] = approver
    settings["inquiry_default_hours"] = hours
    settings["inquiry_due_soon_minutes"] = minutes
    department.settings = settings  # a new dict, so the change is detected and audited
    db.session.flush()
    return department


def _int_in(value, low, high, name, errors, required=True):
    if value in (None, ""):
        if required:
            errors[name] = "required"
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = f"an integer from {low} to {high}"
        return None
    if not low <= number <= high:
        errors[name] = f"an integer from {low} to {high}"
        return None
    return number


# --- refusal grounds --------------------------------------------------------------------------

def seed_refusal_grounds():
    existing = set(db.session.scalars(select(RefusalGround.key)))
    for spec in REFUSAL_GROUNDS:
        if spec["key"] not in existing:
            db.session.add(RefusalGround(**spec))
    db.session.flush()


def refusal_grounds(active_only=True):
    stmt = select(RefusalGround).order_by(RefusalGround.id)
    if active_only:
        stmt = stmt.where(RefusalGround.active.is_(True))
    return db.session.scalars(stmt).all()


def save_refusal_ground(*, user, name, legal_source="", active=True, ground=None):
    scoping.require_role(MINISTRY_ADMIN, user=user)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A name is required."), fields={"name": "required"})
    if ground is None:
        key = re.sub(r"[^a-z0-9]+", "_", fold(name))[:50].strip("_") or "ground"
        base, n = key, 2
        while db.session.scalar(select(RefusalGround.id).where(RefusalGround.key == key)):
            key, n = f"{base}_{n}", n + 1
        ground = RefusalGround(key=key, name=name)
        db.session.add(ground)
    ground.name, ground.legal_source, ground.active = name, (legal_source or "").strip(), bool(active)
    db.session.flush()
    return ground


# --- deadlines --------------------------------------------------------------------------------

def compute_due(*, department, received_at, channel=None, priority=None, incident_linked=False,
                journalist_deadline=None):
    """(due_at, source, rule): the journalist's deadline, else the province's own rule, else the most specific
    national rule (a Department's own default hours override the generic product default rule), else 24 hours."""
    from ..rules.models import INQUIRY_RESPONSE
    from ..rules.service import applicable_rule

    if journalist_deadline is not None:
        return journalist_deadline, "journalist", None
    rule = applicable_rule(INQUIRY_RESPONSE, at=received_at, channel=channel, priority=priority,
                           incident_linked=incident_linked, department_id=department.id)
    specific = rule is not None and (rule.department_id is not None or rule.incident_linked is not None
                                     or rule.channels or rule.priorities)
    hours = department_settings(department)["inquiry_default_hours"]
    if specific or (rule is not None and not hours):
        return received_at + rule.duration, "rule", rule
    return received_at + timedelta(hours=hours or DEFAULT_HOURS), "department", None


def due_status(inquiry, at=None):
    """'overdue', 'due_soon' or None for an open inquiry."""
    if not inquiry.is_open:
        return None
    at = at or now()
    if inquiry.due_at <= at:
        return "overdue"
    minutes = department_settings(inquiry.department)["inquiry_due_soon_minutes"]
    if inquiry.due_at <= at + timedelta(minutes=minutes):
        return "due_soon"
    return None


# --- intake -----------------------------------------------------------------------------------

# Intake names its fields after the journalist; the contacts service after the contact.
_CONTACT_FIELDS = {"full_name": "journalist_name", "outlet": "outlet", "email": "sender_email",
                   "outlet_type": "outlet_type", "phones": "journalist_phone"}


def _contact_errors(exc):
    return ValidationError(exc.message, fields={_CONTACT_FIELDS.get(k, k): v for k, v in exc.fields.items()})


def remember_phone(contact, phone):
    """The number a journalist called from is kept on their contact (the contacts service checks and
    normalises it), unless the contact has it already."""
    from ..contacts import service as contacts

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
    from ..contacts import service as contacts
    from ..contacts.models import ONLINE, OUTLET_TYPES

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


QUICK_DEADLINES = ("2h", "end_of_day", "tomorrow_10")


def quick_deadline(preset, received):
    """The journalist's deadline from a one-tap choice: two hours after the call, the end of the working day
    (17:00, or 23:59 for a call after 17:00), tomorrow at 10:00. None for the legal default."""
    if preset in (None, "", "default"):
        return None
    local = to_local(received)
    if preset == "2h":
        return received + timedelta(hours=2)
    if preset == "end_of_day":
        end = local.replace(hour=17, minute=0, second=0, microsecond=0)
        if end <= local:
            end = local.replace(hour=23, minute=59, second=0, microsecond=0)
        return end
    if preset == "tomorrow_10":
        return (local + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    raise ValidationError(_("Unknown deadline."), fields={"deadline_preset": _("one of %(choices)s",
                                                                                choices=", ".join(QUICK_DEADLINES))})


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


def create_inquiry(*, user, department, subject, channel="phone", received_at=None, contact_id=None,
                   journalist_name=None, outlet=None, outlet_type=None, questions="", deadline=None,
                   priority="normal", incident_id=None, source="form", sender_email=None, system=False,
                   journalist_phone=None, deadline_preset=None):
    if not system:  # the press-mailbox job logs inquiries with no user
        scoping.require_role(*WORKER_ROLES, user=user)
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
    contact = None
    if contact_id is not None:
        from ..contacts.models import Contact

        contact = db.session.get(Contact, contact_id)
        if contact is None or contact.department_id != department.id:
            errors["contact_id"] = _("no such contact in this Department")
    if contact is None and "contact_id" not in errors and not journalist_name:
        errors["journalist_name"] = _("required: pick a contact or type the journalist's name")
    if contact is None and "contact_id" not in errors and not outlet:
        errors["outlet"] = _("required for a new journalist")
    incident = None
    if incident_id is not None:
        from ..incidents.models import Incident

        incident = db.session.get(Incident, incident_id)
        if incident is None or incident.department_id != department.id:
            errors["incident_id"] = _("no such incident in this Department")
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
    from . import mail

    return mail.parse(data)


def _known_contact(department, name, address):
    from ..contacts.models import Contact

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
    from . import files

    parsed = parse_eml(data)
    return import_parsed(user=user, department=department, parsed=parsed, received_at=received_at, source=source,
                         files=files)


def import_parsed(*, user, department, parsed, received_at=None, source="email", files=None):
    if files is None:
        from . import files
    if not parsed["subject"] and not parsed["body"]:
        raise ValidationError(_("The message has neither a subject nor a body."), fields={"file": "empty message"})
    existing = db.session.scalar(select(Inquiry).where(Inquiry.department_id == department.id,
                                                       Inquiry.message_id == parsed["message_id"]))
    if existing is not None:
        raise Conflict(_("This email was already imported as inquiry #%(id)s.", id=existing.id),
                       fields={"file": "already imported"}, inquiry_id=existing.id)
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
    scoping.require_role(*WORKER_ROLES, user=user)
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


# --- workflow ---------------------------------------------------------------------------------

def allowed_transitions(inquiry):
    return list(TRANSITIONS.get(inquiry.state, ()))


def approver_roles(department):
    return (DIRECTOR,) if department_settings(department)["inquiry_approver"] == "director" else (SPOKESPERSON,)


def can_approve(user, inquiry):
    return user.role in approver_roles(inquiry.department) and user.department_id == inquiry.department_id


def check_version(inquiry, version):
    if version in (None, ""):
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("Bad version."), fields={"version": "an integer"})
    if version != inquiry.version:
        raise Conflict(_("Someone else saved this inquiry while you were editing it (your version %(mine)s, "
                         "current version %(theirs)s). Your text is kept below: review their changes, "
                         "then save again.", mine=version, theirs=inquiry.version),
                       fields={"version": "stale"}, current_version=inquiry.version)


def _find_assignee(assignee, department):
    if isinstance(assignee, User):
        user = assignee
    elif isinstance(assignee, int) and not isinstance(assignee, bool) or inputs.is_id_text(assignee):
        user = db.session.get(User, inputs.parse_id(assignee, "assignee"))
    elif isinstance(assignee, str) and assignee.strip() and len(assignee) <= 254:
        user = db.session.scalar(select(User).where(User.email == assignee.strip().lower()))
    else:
        raise ValidationError(_("Choose who handles the inquiry."), fields={"assignee": "required"})
    if user is None or not user.active or user.department_id != department.id or user.role not in WORKER_ROLES:
        raise ValidationError(_("The assignee must be an active officer of this Department."),
                              fields={"assignee": "not an officer of this Department"})
    return user


def save_draft(*, inquiry, user, answer_text, version=None):
    scoping.require_role(*WORKER_ROLES, user=user)
    check_version(inquiry, version)
    if inquiry.state not in (ASSIGNED, DRAFTING, RECEIVED):
        raise Conflict(_("The answer can only be edited before it is sent for approval."),
                       fields={"answer": f"inquiry is {inquiry.state}"})
    inquiry.answer_draft = (answer_text or "").strip()
    db.session.flush()
    return inquiry


def transition(*, inquiry, user, to, assignee=None, note=None, answer_text=None, reason=None,
               refusal_ground_id=None, version=None):
    """Move an inquiry along the workflow; illegal moves are a Conflict listing the allowed ones."""
    scoping.require_role(*WORKER_ROLES, user=user)
    check_version(inquiry, version)
    allowed = allowed_transitions(inquiry)
    if to not in STATES:
        raise ValidationError(_("Unknown state."), fields={"to": "one of " + ", ".join(STATES)})
    if to not in allowed:
        raise Conflict(_("An inquiry that is %(state)s cannot move to %(to)s.", state=inquiry.state, to=to),
                       fields={"to": "not allowed from " + inquiry.state}, allowed=allowed)
    fields = inputs.Fields({"note": note, "answer": answer_text, "reason": reason})
    note, reason = fields.text("note"), fields.text("reason")
    if answer_text is not None and not (isinstance(answer_text, str) and not answer_text.strip()):
        answer_text = fields.text("answer", strip=False)
    fields.check()
    at = now()
    from_state = inquiry.state
    if to == ASSIGNED:
        person = _find_assignee(assignee, inquiry.department)
        inquiry.assignee_id = person.id
        note = note or _("Assigned to %(name)s", name=person.name)
        _notify_assignee(inquiry, person)
    elif to == DRAFTING:
        if from_state == AWAITING_APPROVAL:
            if not can_approve(user, inquiry):
                raise PermissionDenied(_("Only the approver can return the answer for changes."))
            if not note:
                raise ValidationError(_("Say what needs to change."), fields={"note": "required"})
        if inquiry.assignee_id is None:
            inquiry.assignee_id = user.id
    elif to == AWAITING_APPROVAL:
        if answer_text is not None:
            inquiry.answer_draft = answer_text.strip()
        if not (inquiry.answer_draft or "").strip():
            raise ValidationError(_("Write the answer before sending it for approval."),
                                  fields={"answer": "required"})
    elif to == ANSWERED:
        if not can_approve(user, inquiry):
            raise PermissionDenied(_("This Department's answers are approved by the %(who)s.",
                                     who=_("director") if approver_roles(inquiry.department) == (DIRECTOR,)
                                     else _("spokesperson")))
        text = (answer_text if answer_text is not None else inquiry.answer_draft or "").strip()
        if not text:
            raise ValidationError(_("The answer is empty."), fields={"answer": "required"})
        inquiry.answer_draft = text
        inquiry.approved_text = text
        inquiry.approved_by_id, inquiry.approved_at, inquiry.answered_at, inquiry.closed_at = user.id, at, at, at
        _add_statement(inquiry, user, at)
    elif to == DECLINED:
        errors = {}
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = "required"
        ground = None
        if refusal_ground_id in (None, ""):
            errors["refusal_ground"] = "required"
        else:
            try:
                ground = db.session.get(RefusalGround, inputs.parse_id(refusal_ground_id, "refusal_ground"))
            except ValidationError:
                ground = None
            if ground is None or not ground.active:
                errors["refusal_ground"] = "unknown ground"
        if errors:
            raise ValidationError(_("A declined inquiry needs a reason and a ground for refusal."), fields=errors)
        inquiry.decline_reason, inquiry.refusal_ground_id, inquiry.closed_at = reason, ground.id, at
        note = note or f"{ground.name}: {reason}"
    elif to == REFERRED:
        inquiry.closed_at = at
        _notify_ministry(inquiry, note)
    inquiry.state = to
    db.session.add(InquiryEvent(inquiry_id=inquiry.id, at=at, actor_id=user.id, from_state=from_state,
                                to_state=to, note=note))
    db.session.flush()
    return inquiry


def _add_statement(inquiry, user, at):
    from ..statements.models import Statement

    statement = Statement(department_id=inquiry.department_id, source_type="inquiry", source_id=inquiry.id,
                          subject=inquiry.subject, text=inquiry.approved_text, channel=inquiry.channel,
                          approved_by_id=user.id, published_at=at)
    statement.refresh_search_text()
    db.session.add(statement)


def _inquiry_url(inquiry):
    from flask import current_app

    base = current_app.config.get("BASE_URL") or ""
    return f"{base.rstrip('/')}/inquiries/{inquiry.id}"


def _notify_assignee(inquiry, person):
    from ..notifications.service import enqueue

    subject = _("Press inquiry assigned to you: %(subject)s", subject=inquiry.subject)
    body = _("%(journalist)s (%(outlet)s) asks: %(subject)s. Due %(due)s.", journalist=inquiry.journalist_name,
             outlet=inquiry.outlet, subject=inquiry.subject, due=to_local(inquiry.due_at).strftime("%d/%m/%Y %H:%M"))
    enqueue(kind="inquiry.assigned", channel="in_app", subject=subject, body_text=body + "\n" + _inquiry_url(inquiry),
            recipient=person, department_id=inquiry.department_id, source=("inquiry", inquiry.id),
            payload={"url": f"/inquiries/{inquiry.id}"})


def _notify_ministry(inquiry, note):
    from ..notifications.service import enqueue

    for person in db.session.scalars(select(User).where(User.role == MINISTRY_COMMS, User.active.is_(True))):
        enqueue(kind="inquiry.referred", channel="in_app", recipient=person, department_id=inquiry.department_id,
                subject=_("Inquiry referred to the Ministry by %(dep)s: %(subject)s", dep=inquiry.department.name,
                          subject=inquiry.subject),
                body_text=(note or "") + "\n" + _inquiry_url(inquiry), source=("inquiry", inquiry.id),
                payload={"url": f"/inquiries/{inquiry.id}"})


# --- deadline alerts (job) --------------------------------------------------------------------

def alert_deadlines():
    """Alert the assignee and the Department's communication officers about overdue and due-soon inquiries,
    in-app and by email; each (inquiry, kind, person, channel) once. Returns the number of alerts queued."""
    from ..notifications.service import notify_user

    t = now()
    horizon = t + timedelta(hours=24)
    rows = db.session.scalars(select(Inquiry).where(Inquiry.state.in_(OPEN_STATES), Inquiry.due_at <= horizon)
                              .order_by(Inquiry.due_at)).all()
    queued = 0
    for inquiry in rows:
        kind = due_status(inquiry, t)
        if kind is None:
            continue
        people = {u.id: u for u in db.session.scalars(select(User).where(
            User.department_id == inquiry.department_id, User.role == COMMS_OFFICER, User.active.is_(True)))}
        if inquiry.assignee is not None and inquiry.assignee.active:
            people[inquiry.assignee.id] = inquiry.assignee
        due = to_local(inquiry.due_at).strftime("%d/%m/%Y %H:%M")
        if kind == "overdue":
            subject = _("OVERDUE press inquiry: %(subject)s (due %(due)s)", subject=inquiry.subject, due=due)
        else:
            subject = _("Press inquiry due soon: %(subject)s (due %(due)s)", subject=inquiry.subject, due=due)
        body = _("%(journalist)s (%(outlet)s) is waiting for an answer. State: %(state)s.",
                 journalist=inquiry.journalist_name, outlet=inquiry.outlet, state=inquiry.state)
        body += "\n" + _inquiry_url(inquiry)
        for person in people.values():
            # Every channel the person routed this kind to (in-app and email unless they chose otherwise).
            rows = notify_user(user=person, kind=f"inquiry.{kind}", subject=subject, body_text=body,
                               department_id=inquiry.department_id, source=("inquiry", inquiry.id),
                               dedupe_key=f"inquiry:{inquiry.id}:{kind}:{person.id}",
                               payload={"url": f"/inquiries/{inquiry.id}"})
            queued += sum(1 for row in rows if row in db.session.new)
    return queued


# --- lists, stats, export ---------------------------------------------------------------------

def _local_day_start(d):
    return from_local(datetime.combine(d, time.min))


def parse_period(date_from=None, date_to=None):
    errors = {}
    out = []
    for name, value in (("from", date_from), ("to", date_to)):
        if value in (None, ""):
            out.append(None)
            continue
        try:
            out.append(inputs.parse_date(str(value)[:10], name))
        except ValidationError as exc:
            errors.update(exc.fields)
            out.append(None)
    if errors:
        raise ValidationError(_("Bad period."), fields=errors)
    return out[0], out[1]


def list_query(*, user=None, department=None, state=None, outlet=None, overdue=None, date_from=None, date_to=None,
               q=None):
    stmt = scoping.scoped_select(Inquiry, user)
    if department is not None:
        stmt = stmt.where(Inquiry.department_id == department.id)
    if state:
        if state not in STATES and state != "open":
            raise ValidationError(_("Unknown state."), fields={"state": "one of open, " + ", ".join(STATES)})
        stmt = stmt.where(Inquiry.state.in_(OPEN_STATES) if state == "open" else Inquiry.state == state)
    if outlet:
        stmt = stmt.where(*where_all_terms(Inquiry.search_text, outlet))
    if q:
        stmt = stmt.where(*where_all_terms(Inquiry.search_text, q))
    if overdue:
        # As a subquery the few open inquiries past due are found by ix_inquiry_state_due; written as plain
        # conditions SQLite walks the Department's whole newest-first index instead (ten years: 300x slower).
        stmt = stmt.where(Inquiry.id.in_(select(Inquiry.id).where(Inquiry.state.in_(OPEN_STATES),
                                                                  Inquiry.due_at <= now())))
    start, end = parse_period(date_from, date_to)
    if start:
        stmt = stmt.where(Inquiry.received_at >= _local_day_start(start))
    if end:
        stmt = stmt.where(Inquiry.received_at < _local_day_start(end + timedelta(days=1)))
    return stmt


def home_items(user, limit=8):
    """For the start page: open inquiries in scope that are overdue or due soon (soonest first), and
    those awaiting this person's approval."""
    stmt = scoping.scoped_select(Inquiry, user).where(Inquiry.state.in_(OPEN_STATES))
    soon = now() + timedelta(minutes=DEFAULT_DUE_SOON_MINUTES * 12)
    urgent = db.session.scalars(stmt.where(Inquiry.due_at <= soon).order_by(Inquiry.due_at).limit(100)).all()
    urgent = [(i, due_status(i)) for i in urgent]
    urgent = [(i, status) for i, status in urgent if status][:limit]
    approvals = []
    if user.department_id is not None:
        rows = db.session.scalars(stmt.where(Inquiry.state == AWAITING_APPROVAL).order_by(Inquiry.due_at)
                                  .limit(limit)).all()
        approvals = [i for i in rows if can_approve(user, i)]
    return {"urgent": urgent, "approvals": approvals}


def newest_first(stmt):
    return stmt.order_by(Inquiry.received_at.desc(), Inquiry.id.desc())


@functools.cache  # built once: the loader options are immutable and cost ~0.3 ms to construct
def list_loads():
    """What inquiry_dict reads, loaded with the page instead of one query per inquiry (of the people only
    their e-mail is read: their Departments are not joined in)."""
    return (selectinload(Inquiry.events).options(load_person(InquiryEvent.actor)), load_person(Inquiry.assignee),
            load_person(Inquiry.approved_by), joinedload(Inquiry.refusal_ground), selectinload(Inquiry.files))


def list_inquiries(limit=200, offset=0, **filters):
    stmt = newest_first(list_query(**filters)).options(*list_loads()).limit(limit).offset(offset)
    return db.session.scalars(stmt).unique().all()


def stats(*, user=None, department=None, date_from=None, date_to=None):
    """Volume per (local) month, median hours to answer, share answered by the due time."""
    # Counted by the database: the Ministry-wide figures cover every inquiry of ten years.
    base = list_query(user=user, department=department, date_from=date_from, date_to=date_to).order_by(None)
    answered_cond = (Inquiry.state == ANSWERED) & Inquiry.answered_at.is_not(None)
    on_time_cond = answered_cond & (Inquiry.answered_at <= Inquiry.due_at)
    overdue_cond = Inquiry.state.in_(OPEN_STATES) & (Inquiry.due_at <= now())
    by_state, per_department = {s: 0 for s in STATES}, {}
    totals = {"total": 0, "answered": 0, "on_time": 0, "overdue": 0}
    rows = db.session.execute(base.with_only_columns(
        Inquiry.department_id, Inquiry.state, func.count(),
        func.sum(case((answered_cond, 1), else_=0)), func.sum(case((on_time_cond, 1), else_=0)),
        func.sum(case((overdue_cond, 1), else_=0))).group_by(Inquiry.department_id, Inquiry.state))
    for department_id, state, count, answered, on_time, overdue in rows:
        by_state[state] += count
        d = per_department.setdefault(department_id, {"total": 0, "answered": 0, "on_time": 0})
        for key, value in (("total", count), ("answered", answered or 0), ("on_time", on_time or 0)):
            d[key] += value
            totals[key] += value
        totals["overdue"] += overdue or 0
    month = local_month(Inquiry.received_at)
    months = db.session.execute(base.with_only_columns(month, func.count()).group_by(month).order_by(month)).all()
    minutes = median_of(base.with_only_columns(
        minutes_between(Inquiry.received_at, Inquiry.answered_at)).where(answered_cond))
    names = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(per_department)))}
    departments = [{"department": names[i].code, "name": names[i].name, **d} for i, d in per_department.items()]
    answered = totals["answered"]
    return {
        "total": totals["total"],
        "by_month": [{"month": m, "count": n} for m, n in months],
        "by_state": by_state,
        "answered": answered,
        "median_hours_to_answer": round(minutes / 60, 2) if minutes is not None else None,
        "answered_on_time": totals["on_time"],
        "share_on_time": round(totals["on_time"] / answered, 4) if answered else None,
        "open_overdue": totals["overdue"],
        "departments": sorted(departments, key=lambda d: (-d["total"], d["department"])),
    }


def dashboard_stats(*, department=None, date_from=None, date_to=None):
    """stats() for the figures page and the API, shared by readers of the same scope for FIGURES_CACHE_SECONDS
    (exports always count afresh); "as_of" says when they were counted."""
    key = ("inquiry-stats", scoping.scope_key(), department.id if department else None, date_from or "",
           date_to or "")
    data, at = figures.cached(key, lambda: stats(department=department, date_from=date_from, date_to=date_to))
    return {**data, "as_of": at}


def export_xlsx(rows, stats_data=None):
    wb = spreadsheets.workbook("Inquiries")
    ws = wb.active
    header = ["ID", "Sở GDĐT", "Nhận lúc", "Kênh", "Phóng viên", "Cơ quan báo chí", "Chủ đề", "Mức ưu tiên",
              "Hạn trả lời", "Trạng thái", "Người xử lý", "Trả lời lúc", "Đúng hạn"]
    spreadsheets.append(ws, header, bold=True)

    def naive(dt):
        return to_local(dt).replace(tzinfo=None) if dt else None

    for r in rows:
        on_time = "" if r.answered_at is None else ("có" if r.answered_at <= r.due_at else "không")
        spreadsheets.append(ws, [r.id, r.department.name, naive(r.received_at), r.channel, r.journalist_name,
                                 r.outlet, r.subject, r.priority, naive(r.due_at), r.state,
                                 r.assignee.name if r.assignee else "", naive(r.answered_at), on_time])
    for col, width in zip("ABCDEFGHIJKLM", (6, 28, 17, 14, 24, 28, 50, 10, 17, 18, 24, 17, 9)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for idx in (2, 8, 11):
            if row[idx].value is not None:
                row[idx].number_format = "dd/mm/yyyy hh:mm"
    if stats_data is not None:
        s = wb.create_sheet("Stats")
        for line in (["Tổng số", stats_data["total"]], ["Đã trả lời", stats_data["answered"]],
                     ["Trung vị thời gian trả lời (giờ)", stats_data["median_hours_to_answer"]],
                     ["Tỷ lệ trả lời đúng hạn", stats_data["share_on_time"]], [], ["Tháng", "Số câu hỏi"],
                     *([m["month"], m["count"]] for m in stats_data["by_month"])):
            spreadsheets.append(s, line)
    return spreadsheets.xlsx_bytes(wb)


def get_inquiry(ident, user=None):
    return scoping.get_or_404(Inquiry, ident, user)


def department_officers(department):
    return sort_people(db.session.scalars(select(User).where(User.department_id == department.id, User.active.is_(True),
                                                             User.role.in_(WORKER_ROLES))).all())


def department_incidents(department):
    from ..incidents.models import Incident

    return db.session.scalars(select(Incident).where(Incident.department_id == department.id)
                              .order_by(Incident.occurred_at.desc()).limit(50)).all()


def inquiry_dict(i):
    return {
        "id": i.id, "department": i.department.code, "received_at": i.received_at.isoformat(),
        "channel": i.channel, "contact_id": i.contact_id, "journalist_name": i.journalist_name, "outlet": i.outlet,
        "sender_email": i.sender_email, "subject": i.subject, "questions": i.questions, "priority": i.priority,
        "deadline": i.journalist_deadline.isoformat() if i.journalist_deadline else None,
        "due_at": i.due_at.isoformat(), "deadline_source": i.deadline_source, "due_status": due_status(i),
        "incident_id": i.incident_id, "state": i.state, "allowed_transitions": allowed_transitions(i),
        "assignee": i.assignee.email if i.assignee else None, "answer_draft": i.answer_draft,
        "approved_text": i.approved_text, "approved_by": i.approved_by.email if i.approved_by else None,
        "answered_at": i.answered_at.isoformat() if i.answered_at else None,
        "decline_reason": i.decline_reason,
        "refusal_ground": i.refusal_ground.key if i.refusal_ground else None, "version": i.version,
        "attachments": [{"filename": f.filename, "content_type": f.content_type, "size": f.size,
                         "url": f"/inquiries/{i.id}/attachments/{f.id}"} for f in i.files],
        "timeline": [{"at": e.at.isoformat(), "by": e.actor.email if e.actor else None, "from": e.from_state,
                      "to": e.to_state, "note": e.note} for e in i.events],
    }

