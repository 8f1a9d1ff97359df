"""The request boundary: one transaction per request, committed in one place.

Every view function (pages and API) runs inside ``transaction()`` (``init_app`` wraps them all once the domains
have registered their blueprints), as Indico's ``RH.process`` does:

- the view returns a response under 400: the session is committed once; the outbox sends after that commit
  (``notifications.service`` listens for it), never before;
- the view raises (a ``DomainError`` answered as 4xx, anything else as 500) or returns a 4xx/5xx response: the
  session is rolled back, so a refused request writes nothing;
- a view that must keep what it wrote although it answers 4xx (a refused sign-in counts against the throttle)
  says so with ``keep_changes()``.

Views and API modules therefore hold no ``commit()`` and no ``except ValidationError``: a page form uses
``saving(form)``, which turns a service's ``ValidationError`` into messages under the form's fields.
"""
import functools

from flask import flash, g, session

from .errors import ValidationError
from .extensions import db
from .forms import place_errors

_KEEP = "_boundary_keep_changes"
_FAILED = "_boundary_failed"


def keep_changes():
    """Commit this request's changes even though it answers with an error status."""
    g.setdefault(_KEEP, True)


def _drop_flashes():
    # A message flashed before a commit that then failed ("saved") must not greet the next page.
    session.pop("_flashes", None)


def transaction(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            rv = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        status = _status_of(rv)
        if (status >= 400 and not g.get(_KEEP)) or g.get(_FAILED):
            db.session.rollback()
            return rv
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            _drop_flashes()
            raise
        return rv

    wrapper.request_boundary = True
    return wrapper


def _status_of(rv):
    if isinstance(rv, tuple):
        for item in rv[1:]:
            if isinstance(item, int):
                return item
        rv = rv[0]
    return getattr(rv, "status_code", 200)


class Saving:
    """What ``saving()`` knows after its block: ``bool(outcome)`` is whether the block succeeded."""

    def __init__(self, form, aliases):
        self.form, self.aliases = form, aliases
        self.ok, self.error, self.unplaced = True, None, {}

    def __bool__(self):
        return self.ok


class saving:  # noqa: N801 - used as a context manager, like contextlib's
    """``with saving(form) as saved: service.do(...)``; then ``if saved: redirect``.

    A ``ValidationError`` from the block is kept off the page's 500 path: the session is rolled back (nothing of
    the request is committed), each field's message goes under its form field (``aliases`` renames service
    fields to form fields), and the message of one without a field is flashed unless ``flash_unplaced=False``
    (then ``saved.unplaced`` holds them for the template).
    """

    def __init__(self, form=None, aliases=None, flash_unplaced=True):
        self.outcome = Saving(form, aliases)
        self.flash_unplaced = flash_unplaced

    def __enter__(self):
        return self.outcome

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None or not issubclass(exc_type, ValidationError):
            return False
        db.session.rollback()
        g.setdefault(_FAILED, True)
        outcome = self.outcome
        outcome.ok, outcome.error = False, exc
        outcome.unplaced = place_errors(outcome.form, exc, outcome.aliases) if outcome.form is not None \
            else dict(exc.fields)
        if self.flash_unplaced and (outcome.unplaced or not exc.fields):
            flash(exc.message, "error")
        return True


def init_app(app):
    """Wrap every view function registered so far (call after the domains registered their blueprints)."""
    for endpoint, view in list(app.view_functions.items()):
        if not getattr(view, "request_boundary", False):
            app.view_functions[endpoint] = transaction(view)
