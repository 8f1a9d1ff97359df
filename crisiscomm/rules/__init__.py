"""Deadline rules: the legal and local deadlines (national and per Department) with their sources."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import models, service, views  # noqa: F401


def init_app(app):
    registry.setup(app, service.seed_defaults)
    app.register_blueprint(views.bp)
    # templates/rules/_source.html shows a deadline's source the same way everywhere.
    app.jinja_env.globals.update(rule_authority=service.authority_label, rule_confidence=service.confidence_label,
                                 rule_source_line=service.source_line)
    registry.nav(app, "rules.index", _l("Deadline rules"), permission="rule.read", order=90, more=True)
