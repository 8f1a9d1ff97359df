"""The Ministry overview (every active Department at a glance) and the communication-work scorecard."""
import json
import os
from functools import lru_cache

import yaml
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import figures
from ..clock import now
from ..departments.models import ACTIVE, MERGED, Department, OfficeScore
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..plans.years import bounds, current_quarter, current_school_year, parse_school_year, quarters
from ..scoping import is_ministry
from ..text import fold
from . import catalogue

DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scorecard.yaml")
HISTORY_YEAR = "2021-2022"
SEVERITY_RANK = {"red": 3, "amber": 2, "green": 0, None: 1}


def require_ministry():
    """Overview and scorecard are for Ministry roles; a Department user gets a 404 (no hint it exists)."""
    if not is_ministry():
        raise NotFound()


class Cell:
    __slots__ = ("value", "display", "severity", "link", "detail", "urgency")

    def __init__(self, value, display, severity, link, detail=None, urgency=None):
        self.value, self.display, self.severity, self.link, self.detail = value, display, severity, link, detail
        self.urgency = urgency

    def as_dict(self):
        return {"value": self.value, "display": self.display, "severity": self.severity, "link": self.link,
                "detail": self.detail}


def _default_display(value):
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{round(value * 100)} %" if 0 <= value <= 1 else f"{value:.1f}"
    return str(value)


def _cell(metric, department, raw):
    urgency = None
    if isinstance(raw, dict) and "value" in raw:
        value, display, severity, detail = raw["value"], raw.get("display"), raw.get("severity"), raw.get("detail")
        urgency = raw.get("urgency")
    else:
        value, display, severity, detail = raw, None, None, None
    if urgency is None:
        urgency = value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
    if display is None:
        display = metric.display(value) if metric.display else _default_display(value)
    if severity is None and metric.severity is not None:
        severity = metric.severity(value) if callable(metric.severity) else (metric.severity if value else None)
    return Cell(value, str(display), severity, metric.link(department) if metric.link else None, detail, urgency)


def active_departments():
    return db.session.scalars(select(Department).where(Department.status == ACTIVE)
                              .order_by(Department.sort_name)).all()


def context():
    label, q_start, q_end = current_quarter()
    year = current_school_year()
    return {"now": now(), "school_year": year, "year_bounds": bounds(year),
            "quarter": {"label": label, "start": q_start, "end": q_end}}


VIEWS = ("today", "records")


def urgency_key(row, urgent_columns):
    """Live incidents (exam ones first), then unacknowledged escalations, overdue and due-soon inquiries."""
    return tuple(row["cells"][m.key].urgency or 0 for m in urgent_columns)


def build_overview(*, sort=None, direction=None, q=None, cluster=None, flagged=False, view=None):
    """{"columns": [Metric], "rows": [{"department", "cells": {key: Cell}, "flags"}], "context"}.

    ``view`` "today" (default) shows what needs action today, ranked by urgency; "records" the paperwork
    (plan, spokesperson, contacts, briefing, scenarios) ranked by how much is missing. The API gets every column."""
    require_ministry()
    app = current_app._get_current_object()
    columns = catalogue.metrics(app)
    urgent = sorted((m for m in columns if m.urgency is not None), key=lambda m: m.urgency)
    if view not in (None, *VIEWS):
        raise ValidationError(_("Unknown view."), fields={"view": _("today or records")})
    departments = active_departments()
    ids = [d.id for d in departments]

    def compute():
        ctx = context()
        values = {m.key: m.compute(ids, ctx) if ids else {} for m in columns}
        cells = {d.id: {m.key: _cell(m, d, values[m.key].get(d.id)) for m in columns} for d in departments}
        return ctx, cells, [(key, render(ctx)) for key, render in catalogue.charts(app)]

    # Shared by every Ministry reader for FIGURES_CACHE_SECONDS; the page shows ctx["now"], when it was computed.
    # The cells (with their links) are cached too: building 400 links was most of a cached overview's time.
    (ctx, cells_of, chart_list), _at = figures.cached(("overview", tuple(ids), str(get_locale())), compute)
    rows = []
    for d in departments:
        cells = cells_of[d.id]
        shown = [cells[m.key] for m in columns if view is None or (m.urgency is None) == (view == "records")]
        reds = sum(1 for c in shown if c.severity == "red")
        ambers = sum(1 for c in shown if c.severity == "amber")
        rows.append({"department": d, "cells": cells, "red": reds, "amber": ambers})
    total = len(rows)
    if q:
        wanted = fold(q)
        rows = [r for r in rows if wanted in fold(r["department"].name) or wanted in r["department"].code
                or any(wanted in fold(n) for n in (r["department"].former_names or []))]
    if cluster not in (None, ""):
        try:
            cluster = int(cluster)
        except (TypeError, ValueError):
            raise ValidationError(_("Unknown cluster."), fields={"cluster": _("a 2022 cluster number")})
        rows = [r for r in rows if r["department"].cluster_2022 == cluster]
    if flagged:
        rows = [r for r in rows if r["red"] or r["amber"]]
    keys = {m.key: m for m in columns}
    if sort and sort not in keys and sort not in ("department", "attention", "urgency"):
        raise ValidationError(_("Unknown column."),
                              fields={"sort": _("one of department, urgency, attention, %(v)s", v=", ".join(keys))})
    sort = sort or ("attention" if view == "records" else "urgency")
    if direction not in (None, "asc", "desc"):
        raise ValidationError(_("Unknown direction."), fields={"dir": _("asc or desc")})
    if sort == "department":
        rows.sort(key=lambda r: r["department"].sort_name, reverse=direction == "desc")
    elif sort == "urgency":
        rows.sort(key=lambda r: r["department"].sort_name)
        rows.sort(key=lambda r: urgency_key(r, urgent), reverse=direction != "asc")
    elif sort == "attention":
        rows.sort(key=lambda r: r["department"].sort_name)
        rows.sort(key=lambda r: (r["red"], r["amber"]), reverse=direction != "asc")
    else:
        metric = keys[sort]
        desc = metric.sort_desc if direction is None else direction == "desc"
        present = [r for r in rows if _sortable(r["cells"][sort].value) is not None]
        absent = [r for r in rows if _sortable(r["cells"][sort].value) is None]
        present.sort(key=lambda r: r["department"].sort_name)
        present.sort(key=lambda r: _sortable(r["cells"][sort].value), reverse=desc)
        rows = present + absent if desc else absent + present
        direction = "desc" if desc else "asc"
    clusters = sorted({d.cluster_2022 for d in departments if d.cluster_2022 is not None})
    if view is not None:
        columns = [m for m in columns if (m.urgency is None) == (view == "records")]
    return {"columns": columns, "rows": rows, "view": view or "today", "context": ctx, "total": total, "sort": sort,
            "direction": direction or "desc", "clusters": clusters, "charts": chart_list,
            "totals": _totals(columns, rows), "live": sum(1 for r in rows if r["cells"].get("incidents_open")
                                                          and r["cells"]["incidents_open"].value)}


def overview_page(**options):
    """The overview as the page asks for it, or today's view when the address holds a sort, direction, view or
    cluster the overview does not know (a hand-edited address never breaks the page)."""
    try:
        return build_overview(**options)
    except ValidationError:
        return build_overview(view="today")


def needs_action_today(limit=5):
    """For a Ministry user's start page: the Departments with something live (incident, unanswered
    escalation, overdue or due-soon inquiry), most urgent first, and the columns that say what."""
    data = build_overview(view="today")
    urgent = [m for m in data["columns"] if m.urgency is not None]
    rows = [r for r in data["rows"] if any(r["cells"][m.key].value for m in urgent)]
    return {"rows": rows[:limit], "more": max(0, len(rows) - limit), "columns": urgent}


def _sortable(value):
    if value is None:
        return None
    if isinstance(value, (int, float, bool)):
        return float(value)
    return 0.5  # a text (e.g. a name): present, between "missing" (0) and numbers above


def _totals(columns, rows):
    out = {}
    for m in columns:
        vals = [r["cells"][m.key].value for r in rows]
        if m.total:
            out[m.key] = sum(v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool))
        out[m.key + ".red"] = sum(1 for r in rows if r["cells"][m.key].severity == "red")
        out[m.key + ".flagged"] = sum(1 for r in rows if r["cells"][m.key].severity in ("red", "amber"))
    return out


# ---------------------------------------------------------------- scorecard
def load_config(path=None):
    path = path or os.environ.get("SCORECARD_CONFIG") or current_app.config.get("SCORECARD_CONFIG") or DEFAULT_CONFIG
    return _read_config(path, os.path.getmtime(path))


@lru_cache(maxsize=8)
def _read_config(path, mtime):
    with open(path, "rb") as fh:
        data = json.load(fh) if path.endswith(".json") else yaml.safe_load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), dict) or not data["criteria"]:
        raise RuntimeError(f"{path}: a scorecard config needs a 'criteria' mapping")
    criteria = {}
    for key, spec in data["criteria"].items():
        spec = spec or {}
        weight, target = float(spec.get("weight", 0)), float(spec.get("target", 1))
        better = spec.get("better", "higher")
        if weight < 0 or target <= 0 or better not in ("higher", "lower"):
            raise RuntimeError(f"{path}: criterion {key}: weight >= 0, target > 0, better higher|lower")
        criteria[key] = {"weight": weight, "target": target, "better": better}
    return {"max_points": float(data.get("max_points", 40)), "criteria": criteria, "path": path}


def attainment(value, target, better):
    if value is None:
        return None
    value = float(value)
    if better == "lower":
        return 1.0 if value <= target else (target / value if value > 0 else 1.0)
    return max(0.0, min(value / target, 1.0))


def year_context(school_year):
    start, end = bounds(school_year)
    at = now()
    return {"school_year": school_year, "start": start, "end": end, "quarters": quarters(school_year),
            "as_of": min(at, end), "now": at}


def build_scorecard(*, school_year=None):
    """Evidence and score per active Department, per current unit (with the former units' 2021–2022 scores)
    and per 2022 cluster."""
    require_ministry()
    school_year = parse_school_year(school_year or current_school_year())
    app = current_app._get_current_object()
    config = load_config()
    available = catalogue.evidence(app)
    criteria = [(key, spec, available[key]) for key, spec in config["criteria"].items() if key in available]
    unavailable = [key for key in config["criteria"] if key not in available]
    departments = active_departments()
    ids = [d.id for d in departments]
    yc = year_context(school_year)
    evidence = {key: (ev.compute(ids, yc) if ids else {}) for key, _spec, ev in criteria}
    all_deps = db.session.scalars(select(Department)).all()
    history = {s.department_id: s for s in db.session.scalars(
        select(OfficeScore).where(OfficeScore.school_year == HISTORY_YEAR)).all()}
    by_successor = {}
    for d in all_deps:
        if d.status == MERGED:
            top = d
            while top.merged_into is not None and top.status == MERGED:
                top = top.merged_into
            by_successor.setdefault(top.id, []).append(d)
    rows = []
    for d in departments:
        items, num, den = {}, 0.0, 0.0
        for key, spec, ev in criteria:
            value = evidence[key].get(d.id)
            att = attainment(value, spec["target"], spec["better"])
            points = None
            if att is not None:
                num += spec["weight"] * att
                den += spec["weight"]
                points = config["max_points"] * spec["weight"] * att
            items[key] = {"value": value, "attainment": att, "points_raw": points}
        score = round(config["max_points"] * num / den, 1) if den else None
        for key in items:
            raw = items[key].pop("points_raw")
            items[key]["points"] = round(raw / den, 2) if (raw is not None and den) else None
        own = history.get(d.id)
        former = [{"code": f.code, "name": f.province,
                   "communication": history[f.id].communication if f.id in history else None}
                  for f in sorted(by_successor.get(d.id, []), key=lambda f: f.province)]
        hist_values = [v for v in ([own.communication if own else None] + [f["communication"] for f in former])
                       if v is not None]
        rows.append({"department": d, "evidence": items, "score": score,
                     "history": {"own": own.communication if own else None, "former": former,
                                 "unit_mean": round(sum(hist_values) / len(hist_values), 1) if hist_values else None}})
    clusters = {}
    for d in all_deps:
        if d.cluster_2022 is not None:
            c = clusters.setdefault(d.cluster_2022, {"cluster": d.cluster_2022, "units": [], "departments_2022": 0,
                                                     "history": []})
            c["departments_2022"] += 1
            if d.id in history and history[d.id].communication is not None:
                c["history"].append(history[d.id].communication)
    for r in rows:
        c = clusters.get(r["department"].cluster_2022)
        if c is not None:
            c["units"].append(r)
    cluster_rows = []
    for number in sorted(clusters):
        c = clusters[number]
        scores = [r["score"] for r in c["units"] if r["score"] is not None]
        cluster_rows.append({"cluster": number, "units": [r["department"] for r in c["units"]],
                             "departments_2022": c["departments_2022"],
                             "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
                             "history_mean": round(sum(c["history"]) / len(c["history"]), 1) if c["history"] else None})
    rows.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1), r["department"].sort_name))
    return {"school_year": school_year, "max_points": config["max_points"], "config_path": config["path"],
            "criteria": [{"key": key, "label": ev.label, "unit": ev.unit, **spec} for key, spec, ev in criteria],
            "unavailable": unavailable, "rows": rows, "clusters": cluster_rows, "as_of": yc["as_of"],
            "bounds": (yc["start"], yc["end"])}
