"""Media monitoring (nắm bắt dư luận): news feeds and captured posts matched to Departments, triaged into incidents
and press inquiries, with alerts on high-severity terms and bursts."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, demo, figures, models, poller, service, settings, views  # noqa: F401

MODEL_LABELS = (("Mention", _l("Press mentions")), ("DepartmentTerm", _l("Watch terms")))


def init_app(app):
    app.config.setdefault("MONITORING_BURST_COUNT", 5)
    app.config.setdefault("MONITORING_BURST_MINUTES", 30)
    app.config.setdefault("MONITORING_FEED_TIMEOUT", 10)
    app.config.setdefault("MONITORING_FEED_MAX_BYTES", 2 * 1024 * 1024)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    registry.nav(app, "monitoring.index", _l("Press mentions"), permission="mention.read", order=22)
    registry.nav(app, "monitoring.terms", _l("Watch terms"), permission="mention.terms", order=86)
    registry.nav(app, "monitoring.feeds", _l("News feeds"), permission="monitoring.admin", order=87)
    for name, label in MODEL_LABELS:
        registry.model_label(app, name, label)
    registry.terms(app, {**service.STATE_LABELS, **service.TONE_LABELS, **service.SOURCE_LABELS,
                         **settings.KIND_LABELS, **settings.ORIGIN_LABELS})
    registry.metric(app, "mentions_negative_24h", _l("Negative mentions (24 h)"), figures.negative_last_day,
                    order=24, total=True, urgency=5, severity=figures.severity,
                    link=lambda d: url_for("monitoring.index", department=d.code),
                    description=_l("Press mentions an officer marked negative or false information, published in "
                                   "the last 24 hours."))
    registry.evidence(app, "mentions_positive", _l("Positive press coverage"), figures.positive_coverage,
                      unit="count", order=72,
                      description=_l("Press mentions of the Department published in the school year that an "
                                     "officer marked positive."))
    registry.job(app, "monitoring.poll_feeds", poller.poll_due_feeds, seconds=60)
    registry.setup(app, settings.seed)
    registry.merge_hook(app, settings.carry_terms_over)
    registry.demo(app, demo.create_demo)
