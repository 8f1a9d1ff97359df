"""Quarterly press briefings: planning, invitations with .ics, calendar feeds, reminders, compliance."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import jobs, nav
    from ..cli import register_setup
    from ..demo import register_demo
    from ..users.models import MINISTRY_ADMIN, MINISTRY_COMMS
    from . import api, demo, exams, models, reminders, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(views.feeds_bp)
    app.register_blueprint(api.bp)
    nav.register(app, "briefings.index", _l("Press briefings"), order=40)
    nav.register(app, "briefings.compliance", _l("Briefing compliance"), roles=(MINISTRY_ADMIN, MINISTRY_COMMS),
                 order=41, more=True)
    register_setup(app, exams.seed_exam_periods)
    register_demo(app, demo.create_demo)
    jobs.register(app, "briefings.reminders", reminders.send_upcoming_reminders, seconds=3600)
    jobs.register(app, "briefings.quarter_gaps", reminders.send_quarter_gap_reminders, seconds=3600)
