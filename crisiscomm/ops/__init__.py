"""Operations: the health endpoint for load balancers and monitoring, and portable backups.

``/healthz`` (no sign-in) says whether the database answers, whether the scheduler's lease is
alive and how large the outbox backlog is. ``flask backup FILE`` / ``flask restore FILE`` write
and read a consistent JSON-lines dump of every table (gzip when FILE ends with .gz).
``flask demo generate`` fills an empty database with years of synthetic data (crisiscomm/ops/generate.py).
"""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import cli, views


def init_app(app):
    app.register_blueprint(views.bp)
    registry.nav(app, "ops.system", _l("System status"), permission="ops.system", order=94)
    app.cli.add_command(cli.backup_cmd)
    app.cli.add_command(cli.restore_cmd)
    app.cli.add_command(cli.demo_cli)
