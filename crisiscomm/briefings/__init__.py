"""Quarterly press briefings: planning, invitations with .ics, calendar feeds, reminders, compliance."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, demo, exams, models, reminders, views  # noqa: F401


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(views.feeds_bp)
    app.register_blueprint(api.bp)
    registry.nav(app, "briefings.index", _l("Press briefings"), order=40)
    registry.nav(app, "briefings.compliance", _l("Briefing compliance"), permission="ministry.view", order=41,
                 more=True)
    registry.setup(app, exams.seed_exam_periods)
    registry.demo(app, demo.create_demo)
    registry.job(app, "briefings.reminders", reminders.send_upcoming_reminders, seconds=3600)
    registry.job(app, "briefings.quarter_gaps", reminders.send_quarter_gap_reminders, seconds=3600)
