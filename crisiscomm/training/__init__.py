"""Training (tập huấn) for spokespersons, communication staff and the school network."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import models  # noqa: F401

MODEL_LABELS = (("Course", _l("Training courses")), ("CourseMaterial", _l("Training materials")),
                ("CourseParticipant", _l("Training participants")))


def init_app(app):
    for name, label in MODEL_LABELS:
        registry.model_label(app, name, label)
