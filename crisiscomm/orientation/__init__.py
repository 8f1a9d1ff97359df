"""Information orientation (định hướng thông tin): a Department (or the Ministry) tells the schools' focal points
what to answer and what not to say about an issue, and sees who acknowledged; the silent are reminded."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import registry
from . import api, demo, models, service, tracking, views  # noqa: F401


def _for_incident(incident):
    """[(message, recipients, acknowledged)] sent (or drafted) for the incident, for the incident page."""
    messages = service.list_messages(user=current_user, incident_id=incident.id)
    counts = tracking.counts([m.id for m in messages])
    return [(m, *counts.get(m.id, (0, 0))) for m in messages]


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals["orientation_for_incident"] = _for_incident
    app.jinja_env.globals["orientation_unacknowledged"] = lambda user: tracking.inbox(user, unacknowledged_only=True)
    registry.nav(app, "orientation.index", _l("Orientation"), permission="orientation.view", order=57)
    registry.nav(app, "orientation.inbox", _l("Orientation received"), permission="orientation.receive", order=20)
    # first on a focal point's start page: what it has to acknowledge comes before its school's panel
    registry.home_panel(app, "orientation/_home_panel.html", permission="orientation.receive", order=0)
    registry.incident_section(app, "orientation/_incident_section.html", order=40)
    registry.action(app, service.ACTION, tracking.ack_by_action)
    registry.job(app, "orientation.remind", tracking.remind_due, seconds=300)
    registry.terms(app, service.STATE_LABELS)
    registry.model_label(app, "OrientationMessage", _l("Orientation messages"))
    registry.demo(app, demo.create_demo)
