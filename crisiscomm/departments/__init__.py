def init_app(app):
    from .. import nav
    from . import api, cli, views  # noqa: F401  (models are imported through views)
    from flask_babel import lazy_gettext as _l

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.departments_cli)
    nav.register(app, "departments.index", _l("Departments"), order=80)
    from . import service

    app.jinja_env.globals.update(department_public_contact=service.public_contact,
                                 can_edit_public_contact=service.can_edit_public_contact)
