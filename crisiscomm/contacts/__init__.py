"""Press contacts: journalists and outlets, imports of contact lists, verification, the Ministry's directory."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, cli, demo, imports, models, views  # noqa: F401


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.contacts_cli)
    registry.nav(app, "contacts.index", _l("Press contacts"), order=40)
    registry.demo(app, demo.create_demo_contacts)
    registry.job(app, "contacts.purge_imports", imports.purge_expired, seconds=900)
    registry.model_label(app, "Contact", _l("Press contacts"))
