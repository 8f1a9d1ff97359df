def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import jobs, nav
    from . import api, cli, throttle, views
    from .models import MINISTRY_ADMIN

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.users_cli)
    app.cli.add_command(cli.tokens_cli)
    jobs.register(app, "users.throttle_cleanup", throttle.cleanup, seconds=3600)
    nav.register(app, "users.admin_users", _l("Users"), roles=(MINISTRY_ADMIN,), order=92)
