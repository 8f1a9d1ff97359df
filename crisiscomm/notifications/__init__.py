"""Notifications: the outbox (email, in-app, push, Apprise, webhooks), each person's channels and routes, and
the one-tap actions of a push button or an SMS link."""
from flask_login import current_user

from .. import registry
from . import cli, methods, service, views


def _unread_notifications():
    return service.unread_count(current_user) if current_user.is_authenticated else 0


def _contact_channels():
    """For the account page and the push prompt: the person's channels and routes."""
    return {"methods": methods.methods_for(current_user), "routes": methods.routes_for(current_user),
            "routable": methods.ROUTABLE, "describe": methods.describe, "kind_label": methods.kind_label,
            "has_push": any(m.kind == "push" and m.usable for m in methods.methods_for(current_user))}


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(views.app_bp)
    app.cli.add_command(cli.push_cli)
    registry.setup(app, cli.ensure_vapid_key)
    registry.action(app, "contact_verify", methods.confirm_by_action)
    registry.job(app, "outbox.sweep", service.sweep, seconds=app.config["SWEEP_INTERVAL_SECONDS"])
    app.context_processor(lambda: {"unread_notifications": _unread_notifications,
                                   "contact_channels": _contact_channels, "failure_text": service.failure_text})
