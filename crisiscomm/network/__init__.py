"""The communication network inside the sector: schools and units, their focal points, groups; a focal point's
light account (network member) and the incidents it reports from its school."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import registry
from ..incidents import school_reports
from . import api, demo, models, service, views  # noqa: F401
from .terms import school_terms

MODEL_LABELS = (("School", _l("Schools and units")), ("FocalPoint", _l("Communication focal points")),
                ("NetworkGroup", _l("Network groups")))


def _member_focal_point():
    return service.focal_point_of(current_user)


def _member_reports():
    return school_reports.reports_by(current_user) if current_user.is_authenticated else []


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    # The network member's start-page panel reads its school and reports.
    app.jinja_env.globals.update(network_focal_point=_member_focal_point, network_reports=_member_reports,
                                 levels_label=lambda v: service.LEVEL_LABELS.get(v, v),
                                 kinds_label=lambda v: service.KIND_LABELS.get(v, v))
    registry.nav(app, "network.index", _l("Communication network"), permission="network.read", order=57)
    registry.nav(app, "network.my_school", _l("My school"), permission="network.member", order=10)
    registry.home_panel(app, "network/_member_panel.html", permission="network.member", order=1)
    for name, label in MODEL_LABELS:
        registry.model_label(app, name, label)
    registry.terms(app, {**service.LEVEL_LABELS, **service.OWNERSHIP_LABELS, **service.KIND_LABELS})
    registry.demo(app, demo.create_demo)
    registry.watch_terms(app, school_terms)
