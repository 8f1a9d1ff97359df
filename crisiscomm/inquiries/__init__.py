"""Press inquiries: intake (form, mailbox), assignment, the legal answer deadline, approval, answer, figures."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, cli, deadlines, demo, files, grounds, mailbox, models, notices, queries, views  # noqa: F401
from .forms import CHANNEL_LABELS, PRIORITY_LABELS

STATE_LABELS = {"received": _l("Received"), "assigned": _l("Assigned"), "drafting": _l("Drafting"),
                "awaiting_approval": _l("Awaiting approval"), "answered": _l("Answered"), "declined": _l("Declined"),
                "referred_to_ministry": _l("Referred to the Ministry")}

TERMS = {**dict(CHANNEL_LABELS), **dict(PRIORITY_LABELS), **STATE_LABELS,
         "journalist": _l("journalist"), "rule": _l("legal rule"), "subject": _l("Subject"),
         "questions": _l("Questions"), "journalist_name": _l("Journalist"), "outlet": _l("Outlet"),
         "priority": _l("Priority"), "channel": _l("Channel"), "state": _l("State"),
         "due_at": _l("Due"), "received_at": _l("Received at"), "answer_draft": _l("Answer draft"),
         "assignee_id": _l("Assignee"), "deadline_source": _l("Deadline from")}


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.inquiries_cli)
    registry.nav(app, "inquiries.index", _l("Press inquiries"), order=30)
    registry.nav(app, "inquiries.stats", _l("Inquiry figures"), order=31, more=True)
    registry.nav(app, "inquiries.settings", _l("Inquiry settings"), permission="inquiry.settings", order=88)
    registry.nav(app, "inquiries.refusal_grounds", _l("Grounds for refusal"),
                 permission="inquiry.refusal_grounds.edit", order=89)
    registry.job(app, "inquiries.alert_deadlines", notices.alert_deadlines, seconds=300)
    registry.job(app, "inquiries.poll_mailboxes", mailbox.poll_all, seconds=app.config["MAILBOX_POLL_SECONDS"])
    files.install()
    registry.setup(app, grounds.seed_refusal_grounds)
    registry.demo(app, demo.create_demo)
    registry.model_label(app, "Inquiry", _l("Press inquiries"))
    registry.home_panel(app, "web/_actions.html", permission="inquiry.home.actions", order=1)
    registry.home_panel(app, "inquiries/_home_panel.html", permission="inquiry.home", order=20)
    registry.terms(app, TERMS)
    app.jinja_env.globals["inquiry_home_items"] = queries.home_items
    app.jinja_env.globals["inquiry_priority_label"] = lambda p: dict(PRIORITY_LABELS).get(p, p)
    app.jinja_env.globals["inquiry_state_label"] = lambda s: STATE_LABELS.get(s, s)
    registry.rule_user(app, deadlines.uses_rule)
    registry.rule_choices(app, "channels", deadlines.channel_choices)
    registry.rule_choices(app, "priorities", deadlines.priority_choices)
