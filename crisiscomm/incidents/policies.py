"""Escalation policies: each Department's timeouts and named people per level, the Ministry office list, and who
each level of an incident reaches."""
import re
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions, scoping
from ..clock import now
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..notifications.methods import instant_channel_counts
from ..spokespersons.service import official_spokesperson
from ..text import fold
from ..users.models import User
from .common import department_holders
from .models import (AUD_DEPUTY, AUD_DIRECTOR, AUD_DRILL, AUD_EXTRA, AUD_MINISTRY, AUD_SPOKESPERSON, AUD_STEERING,
                     EscalationPolicy, EscalationPolicyMember, MinistryOfficeMember)


DEFAULT_TIMEOUT = 10
DEFAULT_CRITICAL_TIMEOUT = 5


def saved_policy(department_id):
    return db.session.scalar(select(EscalationPolicy).where(EscalationPolicy.department_id == department_id))


def policy_for(department):
    """The Department's policy: timeouts and extra members per level (defaults when none is saved)."""
    policy = saved_policy(department.id)
    return {
        "saved": policy is not None,
        "timeout_minutes": policy.timeout_minutes if policy else DEFAULT_TIMEOUT,
        "critical_timeout_minutes": policy.critical_timeout_minutes if policy else DEFAULT_CRITICAL_TIMEOUT,
        "require_instant_channel": bool(policy.require_instant_channel) if policy else False,
        "members": {lvl: [m for m in (policy.members if policy else []) if m.level == lvl] for lvl in (1, 2, 3)},
    }


def can_edit_policy(user, department):
    """A Ministry administrator for every Department, a director for their own."""
    return permissions.can(user, "incident.policy.edit") and (permissions.is_ministry(user)
                                                               or user.department_id == department.id)


def _parse_member_lines(text, level, errors, field, department=None):
    """'Name <email>' / 'email' / 'Name' lines → member dicts; users are matched by email (for a Department's
    policy, only its own users and the Ministry's: anyone else stays a plain email address)."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$", line)
        if match:
            name, email = match.group(1).strip(), match.group(2).strip().lower()
        elif "@" in line and " " not in line:
            name, email = "", line.lower()
        elif "@" in line:
            errors[field] = _("Line %(n)s: not an email address.", n=n)
            continue
        else:
            name, email = line, None
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            errors[field] = _("Line %(n)s: not an email address.", n=n)
            continue
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        if user is not None and department is not None and not scoping.may_name_user(user, department.id):
            user = None
        out.append({"level": level, "name": name or (user.name if user else email), "email": email,
                    "user_id": user.id if user else None})
    return out


def save_policy(*, actor, department, timeout_minutes, critical_timeout_minutes, members_text,
                require_instant_channel=None):
    """Save a Department's policy. ``members_text``: {level: 'Name <email>' lines}."""
    if not can_edit_policy(actor, department):
        raise PermissionDenied()
    errors = {}
    for field, value in (("timeout_minutes", timeout_minutes), ("critical_timeout_minutes", critical_timeout_minutes)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 240:
            errors[field] = _("A number of minutes from 1 to 240.")
    members = []
    for level in (1, 2, 3):
        members += _parse_member_lines((members_text or {}).get(level, ""), level, errors, f"members_{level}",
                                       department)
    if errors:
        raise ValidationError(_("The escalation policy has errors."), fields=errors)
    policy = saved_policy(department.id)
    if policy is None:
        policy = EscalationPolicy(department_id=department.id)
        db.session.add(policy)
    policy.timeout_minutes = timeout_minutes
    policy.critical_timeout_minutes = critical_timeout_minutes
    if require_instant_channel is not None:
        policy.require_instant_channel = bool(require_instant_channel)
    policy.members.clear()
    db.session.flush()
    for m in members:
        policy.members.append(EscalationPolicyMember(**m))
    db.session.flush()
    return policy


def ministry_office():
    return db.session.scalars(select(MinistryOfficeMember).order_by(MinistryOfficeMember.id)).all()


def save_ministry_office(*, actor, members_text):
    permissions.require(actor, "incident.ministry_office.edit")
    errors = {}
    members = _parse_member_lines(members_text, 3, errors, "members")
    if errors:
        raise ValidationError(_("The Ministry office list has errors."), fields=errors)
    for row in ministry_office():
        db.session.delete(row)
    db.session.flush()
    for m in members:
        m.pop("level")
        db.session.add(MinistryOfficeMember(**m))
    db.session.flush()
    return ministry_office()


def _person(audience, user=None, name=None, email=None, role=None):
    if user is not None:
        return {"audience": audience, "user": user, "label": user.name, "email": user.email or None,
                "role": role or user.role, "key": f"user:{user.id}"}
    key = f"email:{email}" if email else f"name:{fold(name)}"
    return {"audience": audience, "user": None, "label": name or email, "email": email, "role": role, "key": key}


def _members(policy, level, department_id):
    # A member linked to a user who is not (or no longer) of this Department is alerted by email only.
    return [_person(AUD_EXTRA, m.user) if scoping.may_name_user(m.user, department_id)
            else _person(AUD_EXTRA, name=m.name, email=m.email) for m in policy["members"][level]]


def recipients_for_level(incident, level, policy=None):
    """Who a level reaches, as person dicts (deduplicated within the level)."""
    if incident.drill:
        if level != 1:
            return []
        users = db.session.scalars(select(User).where(User.id.in_(incident.drill_recipient_ids or [])))
        return [_person(AUD_DRILL, u) for u in users]
    policy = policy or policy_for(incident.department)
    people = []
    if level == 1:
        people += [_person(AUD_DIRECTOR, u) for u in department_holders(incident.department_id, "department.head")]
        if incident.exam_related:
            people += [_person(AUD_STEERING, u) for u in department_holders(incident.department_id,
                                                                             "incident.alert.exam")]
    elif level == 2:
        people += [_person(AUD_DEPUTY, u) for u in department_holders(incident.department_id, "incident.alert.deputy")]
        official = official_spokesperson(incident.department_id, now())
        if official is not None and official.user is not None:
            # recorded under the spokesperson's role, whatever the assigned person's own role is
            people.append(_person(AUD_SPOKESPERSON, official.user, role=AUD_SPOKESPERSON))
        else:
            people += [_person(AUD_SPOKESPERSON, u) for u in department_holders(incident.department_id,
                                                                                 "incident.alert.spokesperson")]
    elif level == 3:
        office = ministry_office()
        if office:
            people += [_person(AUD_MINISTRY, m.user) if m.user is not None
                       else _person(AUD_MINISTRY, name=m.name, email=m.email) for m in office]
        else:
            people += [_person(AUD_MINISTRY, u) for u in db.session.scalars(
                select(User).where(User.role.in_(permissions.holders("incident.alert.ministry")),
                                   User.department_id.is_(None), User.active.is_(True)).order_by(User.name))]
    people += _members(policy, level, incident.department_id)
    seen, out = set(), []
    for p in people:
        if p["key"] not in seen:
            seen.add(p["key"])
            out.append(p)
    return out


def timeout_for(incident, policy=None):
    policy = policy or policy_for(incident.department)
    return policy["critical_timeout_minutes"] if incident.severity == "critical" else policy["timeout_minutes"]


def preview_levels(department):
    """Who each level reaches today (for the policy page), exam-related or not."""
    policy = policy_for(department)
    probe = SimpleNamespace(drill=False, drill_recipient_ids=[], department=department, department_id=department.id,
                            exam_related=True)
    return {level: recipients_for_level(probe, level, policy) for level in (1, 2, 3)}


def level1_without_instant_channel(department_ids):
    """{department_id: [users]}: active directors and steering-board members with no confirmed push or
    Apprise channel (email alone may sit unread in a bag at an exam site)."""
    first_line = permissions.holders("incident.escalation.first_line")
    users = db.session.scalars(select(User).where(User.department_id.in_(list(department_ids)),
                                                  User.role.in_(first_line),
                                                  User.active.is_(True)).order_by(User.name)).all()
    counts = instant_channel_counts([u.id for u in users])
    out = {i: [] for i in department_ids}
    for u in users:
        if not counts.get(u.id):
            out[u.department_id].append(u)
    return out


def instant_channel_metric(department_ids, context=None):
    """Ministry overview: level-1 people without an instant channel, red where the policy requires one."""
    missing = level1_without_instant_channel(department_ids)
    required = set(db.session.scalars(select(EscalationPolicy.department_id).where(
        EscalationPolicy.department_id.in_(list(department_ids)), EscalationPolicy.require_instant_channel.is_(True))))
    out = {}
    for dep_id, people in missing.items():
        n = len(people)
        out[dep_id] = {"value": n, "display": str(n) if n else "✓",
                       "severity": ("red" if dep_id in required else "amber") if n else None,
                       "detail": ", ".join(u.name for u in people)}
    return out
