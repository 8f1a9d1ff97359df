"""Good stories: a bank of exemplary people and practices, with consent, pitched to the press."""
from flask_babel import lazy_gettext as _l

from .. import registry
from . import api, demo, models, service, views  # noqa: F401

MODEL_LABELS = (("Story", _l("Good stories")), ("StoryPerson", _l("People in good stories")),
                ("StoryConsent", _l("Consents for good stories")), ("StoryPhoto", _l("Story photos")),
                ("StoryCoverage", _l("Story coverage")), ("StoryPitch", _l("Story pitches")),
                ("ContactTopicOptOut", _l("Topics a journalist opted out of")),
                ("BriefingStory", _l("Stories on a briefing agenda")))


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals["briefing_stories"] = service.briefing_stories  # the briefing page lists its stories
    registry.nav(app, "stories.index", _l("Good stories"), order=58)
    registry.nav(app, "stories_public.national", _l("Good stories (public)"), order=92, public=True)
    for name, label in MODEL_LABELS:
        registry.model_label(app, name, label)
    # The audit log and timelines show stored values in the reader's language.
    registry.terms(app, {**service.STATE_LABELS, **service.ROLE_LABELS, **service.TOPIC_LABELS,
                         **service.SCOPE_LABELS})
    registry.evidence(app, "stories_approved", _l("Good stories approved"), service.approved_evidence, unit="count",
                      order=70)
    registry.evidence(app, "stories_covered", _l("Press coverage of good stories"), service.coverage_evidence,
                      unit="count", order=71)
    registry.demo(app, demo.create_demo)
