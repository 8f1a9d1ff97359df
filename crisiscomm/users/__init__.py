"""Users: sign-in (throttled), sessions, passwords, API tokens, and the Ministry admin's user pages."""
from flask_babel import lazy_gettext as _l

from .. import registry
from ..extensions import login_manager
from . import api, cli, loaders, throttle, views


def init_app(app):
    loaders.init_app(login_manager)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.users_cli)
    app.cli.add_command(cli.tokens_cli)
    registry.job(app, "users.throttle_cleanup", throttle.cleanup, seconds=3600)
    registry.nav(app, "users.admin_users", _l("Users"), permission="user.manage", order=92)
    # What other domains add to a person's profile (registry.profile), lowest order first.
    app.jinja_env.globals["profile_sections"] = lambda: [t for _o, t in sorted(registry.items("profile", app),
                                                                               key=lambda p: p[0])]
