from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "received": _l("Received"),
    "assigned": _l("Assigned"),
    "drafting": _l("Drafting"),
    "awaiting_approval": _l("Awaiting approval"),
    "answered": _l("Answered"),
    "declined": _l("Declined"),
    "referred_to_ministry": _l("Referred to the Ministry"),
}


def init_app(app):
    from .. import jobs, nav
    from ..cli import register_setup
    from ..demo import register_demo
    from ..users.models import DIRECTOR, MINISTRY_ADMIN
    from ..web import register_model_label
    from . import api, cli, deadlines, demo, files, grounds, mailbox, models, notices, queries, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.inquiries_cli)
    nav.register(app, "inquiries.index", _l("Press inquiries"), order=30)
    nav.register(app, "inquiries.stats", _l("Inquiry figures"), order=31, more=True)
    nav.register(app, "inquiries.settings", _l("Inquiry settings"), roles=(MINISTRY_ADMIN, DIRECTOR), order=88)
    nav.register(app, "inquiries.refusal_grounds", _l("Grounds for refusal"), roles=(MINISTRY_ADMIN,), order=89)
    jobs.register(app, "inquiries.alert_deadlines", notices.alert_deadlines, seconds=300)
    jobs.register(app, "inquiries.poll_mailboxes", mailbox.poll_all, seconds=app.config["MAILBOX_POLL_SECONDS"])
    files.install()
    register_setup(app, grounds.seed_refusal_grounds)
    register_demo(app, demo.create_demo)
    register_model_label("Inquiry", _l("Press inquiries"))

    from ..users.models import COMMS_OFFICER, DEPUTY_DIRECTOR, SPOKESPERSON
    from ..web import register_home_panel

    register_home_panel(app, "web/_actions.html", roles=(COMMS_OFFICER,), order=1)
    register_home_panel(app, "inquiries/_home_panel.html",
                        roles=(DIRECTOR, DEPUTY_DIRECTOR, SPOKESPERSON, COMMS_OFFICER), order=20)
    app.jinja_env.globals["inquiry_home_items"] = queries.home_items
    from ..web import register_terms
    from .forms import CHANNEL_LABELS, PRIORITY_LABELS

    register_terms({**dict(CHANNEL_LABELS), **dict(PRIORITY_LABELS), **STATE_LABELS,
                    "journalist": _l("journalist"), "rule": _l("legal rule"), "subject": _l("Subject"),
                    "questions": _l("Questions"), "journalist_name": _l("Journalist"), "outlet": _l("Outlet"),
                    "priority": _l("Priority"), "channel": _l("Channel"), "state": _l("State"),
                    "due_at": _l("Due"), "received_at": _l("Received at"), "answer_draft": _l("Answer draft"),
                    "assignee_id": _l("Assignee"), "deadline_source": _l("Deadline from")})

    app.jinja_env.globals["inquiry_priority_label"] = lambda p: dict(PRIORITY_LABELS).get(p, p)
    app.jinja_env.globals["inquiry_state_label"] = lambda s: STATE_LABELS.get(s, s)

    from .. import registry

    registry.rule_user(app, deadlines.uses_rule)
    registry.rule_choices(app, "channels", deadlines.channel_choices)
    registry.rule_choices(app, "priorities", deadlines.priority_choices)
