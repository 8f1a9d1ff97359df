"""Training (tập huấn) for spokespersons, communication staff and the school network: courses, materials,
attendance, each person's training history (drills included), and who is still untrained."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, demo, figures, models, service, views  # noqa: F401

MODEL_LABELS = (("Course", _l("Training courses")), ("CourseMaterial", _l("Training materials")),
                ("CourseParticipant", _l("Training participants")))


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals["training_history"] = service.history
    registry.nav(app, "training.index", _l("Training"), permission="training.read", order=62)
    registry.profile(app, "training/_profile.html", order=50)
    for name, label in MODEL_LABELS:
        registry.model_label(app, name, label)
    registry.terms(app, {**service.TOPIC_LABELS, **service.ATTENDANCE_LABELS, **service.KIND_LABELS})
    registry.metric(app, "training_trained", _l("Trained (2 school years)"), figures.trained_metric, order=85,
                    link=figures.link, sort_desc=False,
                    description=_l("Share of the spokespersons and communication staff who attended a training "
                                   "course in this or the last school year."))
    registry.evidence(app, "training_trained", _l("Spokespersons and communication staff trained"),
                      figures.trained_evidence, unit="share", order=75)
    registry.merge_hook(app, service.merge_courses)
    registry.demo(app, demo.create_demo)
