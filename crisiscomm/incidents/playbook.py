"""Playbooks: activating a scenario's checklist for an incident and checking its actions off."""
import re
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import inputs, permissions
from ..clock import now
from ..errors import Conflict, NotFound
from ..extensions import db
from .common import department_users, log_event
from .messages import alert_users
from .models import ChecklistItem


_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text):
    """'15m', '1h', '24h', '72h', '7d' → timedelta. Raises ValueError."""
    match = _DURATION.match(str(text or ""))
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def activate_scenario(*, incident, actor, scenario_version):
    """Create the scenario's checklist for this incident and alert the roles the scenario names."""
    if any(i.scenario_version_id == scenario_version.id for i in incident.checklist):
        raise Conflict(_("This scenario is already active for the incident."), fields={"scenario": _("already active")})
    old = incident.scenario_version_id
    incident.scenario_version_id = scenario_version.id
    incident.scenario_version = scenario_version
    created = 0
    for phase_no, phase in enumerate(scenario_version.phases or []):
        try:
            offset = parse_duration(phase.get("due_after"))
        except ValueError:
            offset = timedelta(0)
        for n, item in enumerate(phase.get("items") or []):
            text = item.get("text") if isinstance(item, dict) else str(item)
            if not text:
                continue
            db.session.add(ChecklistItem(incident=incident, scenario_version_id=scenario_version.id,
                                         phase=phase.get("name") or "", due_after=phase.get("due_after"),
                                         position=phase_no * 1000 + n, text=text,
                                         owner_role=(item.get("owner_role") if isinstance(item, dict) else None),
                                         due_at=(incident.known_at or incident.occurred_at) + offset))
            created += 1
    title = scenario_version.scenario.title if scenario_version.scenario else str(scenario_version.id)
    log_event(incident, "scenario_activated", lambda: _("Playbook activated: %(title)s (%(n)s actions).", title=title,
                                                n=created), actor=actor, field="scenario_version_id",
              old="" if old is None else old, new=scenario_version.id)
    roles = [r for r in ((scenario_version.meta or {}).get("notify") or []) if isinstance(r, str)]
    if roles:
        users = department_users(incident.department_id, roles)
        with force_locale("vi"):
            subject = _("Playbook activated: %(scenario)s — %(title)s", scenario=title, title=incident.title)
            body = _("The scenario \"%(scenario)s\" was activated for the incident \"%(title)s\". Open the checklist "
                     "to see your actions.", scenario=title, title=incident.title)
        alert_users(incident, users, "incident_playbook", subject, body,
                     f"incident:{incident.id}:playbook:{scenario_version.id}")
    db.session.flush()
    return incident


def complete_checklist_item(*, incident, item_id, actor):
    permissions.require(actor, "incident.write")
    item = db.session.get(ChecklistItem, int(item_id)) if inputs.is_id_text(str(item_id)) else None
    if item is None or item.incident_id != incident.id:
        raise NotFound()
    if item.done_at is not None:
        raise Conflict(_("This action is already checked off."))
    item.done_at = now()
    item.done_by_id = actor.id
    log_event(incident, "checklist_done", lambda: _("Done: %(text)s", text=item.text), actor=actor,
              data={"item_id": item.id})
    db.session.flush()
    return item


def playbook_url(incident):
    if incident.scenario_version is None or incident.scenario_version.scenario is None:
        return None
    return f"/scenarios/{incident.scenario_version.scenario.slug}/playbook?incident={incident.id}"
