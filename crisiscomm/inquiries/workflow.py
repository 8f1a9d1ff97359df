"""The inquiry workflow: who handles it, the answer's draft and approval, declining, referring to the Ministry."""
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from .. import inputs, permissions
from ..clock import now
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..statements import service as statements
from ..users.models import User
from .models import (ANSWERED, ASSIGNED, AWAITING_APPROVAL, DECLINED, DRAFTING, RECEIVED, REFERRED, STATES,
                     InquiryEvent, RefusalGround)
from .notices import notify_assignee, notify_ministry
from .settings import approver_label, approver_permission

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


def allowed_transitions(inquiry):
    return list(TRANSITIONS.get(inquiry.state, ()))


def can_approve(user, inquiry):
    return permissions.can(user, approver_permission(inquiry.department)) and \
        user.department_id == inquiry.department_id


def check_version(inquiry, version):
    if version in (None, ""):
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("Bad version."), fields={"version": _("an integer")})
    if version != inquiry.version:
        raise Conflict(_("Someone else saved this inquiry while you were editing it (your version %(mine)s, "
                         "current version %(theirs)s). Your text is kept below: review their changes, "
                         "then save again.", mine=version, theirs=inquiry.version),
                       fields={"version": pgettext("version", "stale")}, current_version=inquiry.version)


def _find_assignee(assignee, department):
    if isinstance(assignee, User):
        user = assignee
    elif isinstance(assignee, int) and not isinstance(assignee, bool) or inputs.is_id_text(assignee):
        user = db.session.get(User, inputs.parse_id(assignee, "assignee"))
    elif isinstance(assignee, str) and assignee.strip() and len(assignee) <= 254:
        user = db.session.scalar(select(User).where(User.email == assignee.strip().lower()))
    else:
        raise ValidationError(_("Choose who handles the inquiry."), fields={"assignee": _("required")})
    if user is None or not user.active or user.department_id != department.id \
            or not permissions.can(user, "inquiry.work"):
        raise ValidationError(_("The assignee must be an active officer of this Department."),
                              fields={"assignee": _("not an officer of this Department")})
    return user


def save_draft(*, inquiry, user, answer_text, version=None):
    permissions.require(user, "inquiry.work")
    check_version(inquiry, version)
    if inquiry.state not in (ASSIGNED, DRAFTING, RECEIVED):
        raise Conflict(_("The answer can only be edited before it is sent for approval."),
                       fields={"answer": _("inquiry is %(state)s", state=inquiry.state)})
    inquiry.answer_draft = (answer_text or "").strip()
    db.session.flush()
    return inquiry


def transition(*, inquiry, user, to, assignee=None, note=None, answer_text=None, reason=None,
               refusal_ground_id=None, version=None):
    """Move an inquiry along the workflow; illegal moves are a Conflict listing the allowed ones."""
    permissions.require(user, "inquiry.work")
    check_version(inquiry, version)
    allowed = allowed_transitions(inquiry)
    if to not in STATES:
        raise ValidationError(_("Unknown state."), fields={"to": _("one of %(v)s", v=", ".join(STATES))})
    if to not in allowed:
        raise Conflict(_("An inquiry that is %(state)s cannot move to %(to)s.", state=inquiry.state, to=to),
                       fields={"to": _("not allowed from %(state)s", state=inquiry.state)}, allowed=allowed)
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
        notify_assignee(inquiry, person)
    elif to == DRAFTING:
        if from_state == AWAITING_APPROVAL:
            if not can_approve(user, inquiry):
                raise PermissionDenied(_("Only the approver can return the answer for changes."))
            if not note:
                raise ValidationError(_("Say what needs to change."), fields={"note": _("required")})
        if inquiry.assignee_id is None:
            inquiry.assignee_id = user.id
    elif to == AWAITING_APPROVAL:
        if answer_text is not None:
            inquiry.answer_draft = answer_text.strip()
        if not (inquiry.answer_draft or "").strip():
            raise ValidationError(_("Write the answer before sending it for approval."),
                                  fields={"answer": _("required")})
    elif to == ANSWERED:
        if not can_approve(user, inquiry):
            raise PermissionDenied(_("This Department's answers are approved by %(who)s.",
                                     who=approver_label(inquiry.department)))
        text = (answer_text if answer_text is not None else inquiry.answer_draft or "").strip()
        if not text:
            raise ValidationError(_("The answer is empty."), fields={"answer": _("required")})
        inquiry.answer_draft = text
        inquiry.approved_text = text
        inquiry.approved_by_id, inquiry.approved_at, inquiry.answered_at, inquiry.closed_at = user.id, at, at, at
        _add_statement(inquiry, user, at)
    elif to == DECLINED:
        errors = {}
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = _("required")
        ground = None
        if refusal_ground_id in (None, ""):
            errors["refusal_ground"] = _("required")
        else:
            try:
                ground = db.session.get(RefusalGround, inputs.parse_id(refusal_ground_id, "refusal_ground"))
            except ValidationError:
                ground = None
            if ground is None or not ground.active:
                errors["refusal_ground"] = _("unknown ground")
        if errors:
            raise ValidationError(_("A declined inquiry needs a reason and a ground for refusal."), fields=errors)
        inquiry.decline_reason, inquiry.refusal_ground_id, inquiry.closed_at = reason, ground.id, at
        note = note or f"{ground.name}: {reason}"
    elif to == REFERRED:
        inquiry.closed_at = at
        notify_ministry(inquiry, note)
    inquiry.state = to
    db.session.add(InquiryEvent(inquiry_id=inquiry.id, at=at, actor_id=user.id, from_state=from_state,
                                to_state=to, note=note))
    db.session.flush()
    return inquiry


def _add_statement(inquiry, user, at):
    statements.record_statement(department_id=inquiry.department_id, source_type="inquiry", source_id=inquiry.id,
                                subject=inquiry.subject, text=inquiry.approved_text, channel=inquiry.channel,
                                approved_by=user, published_at=at)
