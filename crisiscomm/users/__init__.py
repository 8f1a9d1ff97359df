def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from . import api, cli, views
    from .models import MINISTRY_ADMIN

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.users_cli)
    app.cli.add_command(cli.tokens_cli)
    nav.register(app, "users.admin_users", _l("Users"), roles=(MINISTRY_ADMIN,), order=92)
