"""The communication network inside the sector: schools and units, their focal points, groups."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import models  # noqa: F401
from .terms import school_terms

MODEL_LABELS = (("School", _l("Schools and units")), ("FocalPoint", _l("Communication focal points")),
                ("NetworkGroup", _l("Network groups")))


def init_app(app):
    for name, label in MODEL_LABELS:
        registry.model_label(app, name, label)
    registry.watch_terms(app, school_terms)
