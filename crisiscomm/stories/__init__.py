"""Good stories: a bank of exemplary people and practices, with consent, pitched to the press."""


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from .. import nav
    from ..overview.registry import register_evidence
    from ..web import register_model_label, register_terms
    from . import api, models, service, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals["briefing_stories"] = service.briefing_stories  # the briefing page lists its stories
    nav.register(app, "stories.index", _l("Good stories"), order=58)
    nav.register(app, "stories_public.national", _l("Good stories (public)"), order=92, public=True)
    for name, label in (("Story", _l("Good stories")), ("StoryPerson", _l("People in good stories")),
                        ("StoryConsent", _l("Consents for good stories")), ("StoryPhoto", _l("Story photos")),
                        ("StoryCoverage", _l("Story coverage")), ("StoryPitch", _l("Story pitches")),
                        ("ContactTopicOptOut", _l("Topics a journalist opted out of")),
                        ("BriefingStory", _l("Stories on a briefing agenda"))):
        register_model_label(name, label)
    # The audit log and timelines show stored values in the reader's language.
    register_terms({**service.STATE_LABELS, **service.ROLE_LABELS, **service.TOPIC_LABELS, **service.SCOPE_LABELS})
    register_evidence(app, "stories_approved", _l("Good stories approved"), service.approved_evidence, unit="count",
                      order=70)
    register_evidence(app, "stories_covered", _l("Press coverage of good stories"), service.coverage_evidence,
                      unit="count", order=71)
    from ..demo import register_demo
    from .demo import create_demo

    register_demo(app, create_demo)
