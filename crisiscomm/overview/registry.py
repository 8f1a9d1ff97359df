"""The plug-in points of the Ministry overview and the scorecard.

Overview columns (``register_metric``) and scorecard evidence (``register_evidence``) are computed for every
active Department at once: ``compute(department_ids, context)`` returns ``{department_id: value}`` and must use a
few grouped queries (GROUP BY department_id), never one query per Department. A value is a number, a bool, a
text, None, or a dict ``{"value": v, "display": "…", "severity": "red"|"amber"|"green"|None, "detail": "…"}``.
"""
from dataclasses import dataclass, field
from typing import Any, Callable


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


def register_metric(app, key, label, compute, link=None, order=50, severity=None, display=None, description=None,
                    sort_desc=True, total=False, urgency=None):
    app.extensions.setdefault("crisiscomm_metrics", {})[key] = Metric(
        key, label, compute, link, order, severity, display, description, sort_desc, total, urgency)


def register_evidence(app, key, label, compute, unit="", better="higher", order=50, description=None):
    app.extensions.setdefault("crisiscomm_evidence", {})[key] = Evidence(
        key, label, compute, unit, better, order, description)


def register_chart(app, key, render, order=50):
    """``render(context) -> Markup`` (an SVG from crisiscomm.overview.charts) shown under the overview table."""
    app.extensions.setdefault("crisiscomm_charts", {})[key] = (order, render)


def metrics(app):
    return sorted(app.extensions.get("crisiscomm_metrics", {}).values(), key=lambda m: (m.order, m.key))


def evidence(app):
    return dict(sorted(app.extensions.get("crisiscomm_evidence", {}).items(), key=lambda kv: (kv[1].order, kv[0])))


def charts(app):
    return [(k, r) for k, (o, r) in sorted(app.extensions.get("crisiscomm_charts", {}).items(),
                                            key=lambda kv: (kv[1][0], kv[0]))]
