"""The provincial Departments: reference data (63 of 2022), the 2025 merger into 34 units, public contacts."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, cli, service, views


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.departments_cli)
    registry.nav(app, "departments.index", _l("Departments"), order=80)
    app.jinja_env.globals.update(department_public_contact=service.public_contact,
                                 can_edit_public_contact=service.can_edit_public_contact)
