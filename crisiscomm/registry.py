"""Extension points: the one catalogue of what a domain adds to the app, all in one style.

A domain's ``init_app(app)`` calls these (and nothing else registers anything); each stores its item in
``app.extensions["crisiscomm"]`` under its kind, and the one module that uses a kind reads it with ``items()``:

=============  ==========================================================  =====================================
kind           added with                                                  read by
=============  ==========================================================  =====================================
nav            ``nav(app, endpoint, label, permission=, order=)``          nav.py (the header menu)
home_panel     ``home_panel(app, template, permission=, order=)``          web (the start page of each role)
job            ``job(app, "domain.job", func, seconds=)``                  jobs.py (the scheduler process)
setup          ``setup(app, func)``: reference data of ``flask setup``     cli.py
demo           ``demo(app, func)``: demo records after the demo users      demo.py
terms          ``terms(app, {"urgent": _l("urgent"), …})``                 web ``|term`` (audit log, timelines)
model_label    ``model_label(app, "Incident", _l("Incidents"))``           web ``model_label`` (Department page)
merge_hook     ``merge_hook(app, func)``: ``func(old, new, at)``           departments (before records move)
find_incident  ``find_incident(app, func)``: ``func(ident)`` → the         scenarios (a playbook filled with
               incident the user may see, else NotFound                    the incident's title, place, times)
action         ``action(app, name, handler)``: one-tap notification action  notifications (signed links)
metric         ``metric(app, key, label, compute, …)``                     overview (the Ministry's table)
evidence       ``evidence(app, key, label, compute, …)``                   overview (the scorecard)
chart          ``chart(app, key, render, order=)``                         overview (under the table)
offline        ``offline(app, func)``: ``func(user)`` -> page URLs          notifications (the offline copies)
rule_user      ``rule_user(app, func)``: ``func(rule)`` True when a due    rules (a rule in use gets a new
               time was computed from the deadline rule                    version instead of being rewritten)
rule_choices   ``rule_choices(app, group, func)``: ``func()`` → the        rules (the conditions a rule may
               (value, label) pairs of "channels", "priorities", …         set, on its form and list)
incident_      ``incident_section(app, template, order=)``: a section      incidents (the incident page, under
section        of the incident page (gets ``incident``)                    the checklist)
watch_terms    ``watch_terms(app, func)``: ``func(department_ids)`` →      monitoring (matched as the
               ``{department_id: [term text, …]}`` (schools' names)        Departments' terms)
profile        ``profile(app, template, order=)``: a section of a person's  users (the account page, the
               profile; the template reads ``profile_user``                administrator's page of a user)
=============  ==========================================================  =====================================

Overview metrics and scorecard evidence are computed for every active Department at once:
``compute(department_ids, context)`` returns ``{department_id: value}`` from a few grouped queries, never one
query per Department. A value is a number, a bool, a text, None, or ``{"value", "display", "severity", "detail"}``.
"""
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app

_KEY = "crisiscomm"


def _kind(app, kind, container=list):
    return app.extensions.setdefault(_KEY, {}).setdefault(kind, container())


def items(kind, app=None):
    """What was registered under ``kind`` (a list, or a dict for the keyed kinds), in registration order."""
    app = app or current_app
    return app.extensions.get(_KEY, {}).get(kind, {} if kind in _KEYED else [])


@dataclass
class NavEntry:
    endpoint: str
    label: Any
    permission: str | None = None  # None: every signed-in user
    order: int = 50
    icon: str | None = None
    public: bool = False
    more: bool | None = None  # under "More"; by default the settings and reference pages (order 80+)

    def __post_init__(self):
        if self.more is None:
            self.more = self.order >= 80


@dataclass
class Metric:
    key: str
    label: Any
    compute: Callable
    link: Callable | None = None
    order: int = 50
    severity: Any = None  # callable(value) -> "red"|"amber"|"green"|None, or None
    display: Callable | None = None  # callable(value) -> str
    description: Any = None
    sort_desc: bool = True  # the first click on the column puts the largest values first
    total: bool = False  # show the column's sum over all Departments as a headline figure
    # Something to act on today, ranked (1 first: live incidents, escalations, overdue, due soon); None: paperwork
    # (plans, spokesperson, contacts, briefings), shown in the overview's "Hồ sơ" view.
    urgency: int | None = None


@dataclass
class Evidence:
    key: str
    label: Any
    compute: Callable  # (department_ids, year_context) -> {department_id: value or None}
    unit: str = ""  # "share" (0..1), "count", "minutes", "bool"
    better: str = "higher"  # or "lower"
    order: int = 50
    description: Any = None
    extra: dict = field(default_factory=dict)


_KEYED = {"job", "terms", "model_label", "action", "metric", "evidence", "chart"}


def nav(app, endpoint, label, permission=None, order=50, icon=None, public=False, more=None):
    _kind(app, "nav").append(NavEntry(endpoint, label, permission, order, icon, public, more))


def home_panel(app, template, permission=None, order=50):
    """A template on the start page of the holders of ``permission`` (everyone when None), lowest order first;
    the template decides itself what the user may see."""
    _kind(app, "home_panel").append((order, template, permission))


def job(app, job_id, func, seconds):
    """``func()`` every ``seconds`` in the scheduler: no arguments, reads ``clock.now()``, idempotent."""
    _kind(app, "job", dict)[job_id] = (func, seconds)


def setup(app, func):
    _kind(app, "setup").append(func)


def demo(app, func):
    _kind(app, "demo").append(func)


def terms(app, mapping):
    _kind(app, "terms", dict).update(mapping)


def model_label(app, name, label):
    _kind(app, "model_label", dict)[name] = label


def merge_hook(app, func):
    """``func(old, new, at)`` runs during a merger before records move (to close what must not carry over)."""
    _kind(app, "merge_hook").append(func)


def find_incident(app, func):
    """``func(ident)`` → the incident ``ident`` if the current user may see it, else NotFound: the incidents domain
    (above scenarios) says how a playbook finds the incident it is filled for."""
    _kind(app, "find_incident").append(func)


def action(app, name, handler):
    """``handler(notification)`` does the action for the row's recipient (only flushes) and returns a dict for
    the confirmation page: {"title", "message", "url"}."""
    _kind(app, "action", dict)[name] = handler


def metric(app, key, label, compute, link=None, order=50, severity=None, display=None, description=None,
           sort_desc=True, total=False, urgency=None):
    _kind(app, "metric", dict)[key] = Metric(key, label, compute, link, order, severity, display, description,
                                             sort_desc, total, urgency)


def evidence(app, key, label, compute, unit="", better="higher", order=50, description=None):
    _kind(app, "evidence", dict)[key] = Evidence(key, label, compute, unit, better, order, description)


def offline(app, func):
    """``func(user) -> [url, …]``: pages the service worker keeps readable offline for ``user`` (already scoped)."""
    _kind(app, "offline").append(func)


def chart(app, key, render, order=50):
    """``render(context) -> Markup`` (an SVG from crisiscomm.overview.charts) shown under the overview table."""
    _kind(app, "chart", dict)[key] = (order, render)


def rule_user(app, func):
    """``func(rule)`` is True when a record's due time was computed from the deadline ``rule``."""
    _kind(app, "rule_user").append(func)


def rule_choices(app, group, func):
    """``func()`` returns the (value, label) pairs a deadline rule may be limited to in ``group`` (the name of a
    list column of DeadlineRule: "channels", "priorities", "severities")."""
    _kind(app, "rule_choices").append((group, func))


def incident_section(app, template, order=50):
    """A template included in the incident page (it gets ``incident`` and decides itself what the user may see),
    lowest order first."""
    _kind(app, "incident_section").append((order, template))
def watch_terms(app, func):
    """``func(department_ids)`` → ``{department_id: [text, …]}``: more names monitoring matches as naming each
    Department (an upper package's records, e.g. its schools), read live at each match."""
    _kind(app, "watch_terms").append(func)


def profile(app, template, order=50):
    """A template on a person's profile page; it reads ``profile_user`` and decides itself what to show."""
    _kind(app, "profile").append((order, template))
