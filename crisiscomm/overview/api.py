from flask import jsonify, request

from ..api import api_blueprint, doc
from . import service

bp = api_blueprint("overview_api", __name__)


@bp.get("/overview")
@doc(summary="Every active Department at a glance (Ministry roles): one row per Department, one cell per metric "
             "with its value, display text, severity and a link to the records behind it",
     params={"sort": ({"type": "string"}, "a metric key, 'department' or 'attention' (default)"),
             "dir": ({"type": "string", "enum": ["asc", "desc"]}, "sort direction"),
             "q": ({"type": "string"}, "filter by Department name, code or former name"),
             "cluster": ({"type": "integer"}, "only Departments of this 2022 cluster"),
             "flagged": ({"type": "boolean"}, "only Departments with a red or amber cell")})
def overview():
    data = service.build_overview(sort=request.args.get("sort") or None, direction=request.args.get("dir") or None,
                                  q=request.args.get("q") or None, cluster=request.args.get("cluster") or None,
                                  flagged=request.args.get("flagged") in ("1", "true"))
    ctx = data["context"]
    return jsonify({
        "school_year": ctx["school_year"], "quarter": ctx["quarter"]["label"], "generated_at": ctx["now"].isoformat(),
        "columns": [{"key": m.key, "label": str(m.label)} for m in data["columns"]],
        "total_departments": data["total"],
        "rows": [{"department": r["department"].code, "name": r["department"].name,
                  "cluster_2022": r["department"].cluster_2022, "red": r["red"], "amber": r["amber"],
                  "cells": {k: c.as_dict() for k, c in r["cells"].items()}} for r in data["rows"]]})


@bp.get("/scorecard")
@doc(summary="Communication-work scorecard of a school year (Ministry roles): evidence, points and score per "
             "Department, per 2022 cluster, with the 2021–2022 communication scores as context",
     params={"year": ({"type": "string", "pattern": r"^\d{4}-\d{4}$"}, "school year, e.g. 2025-2026")})
def scorecard():
    card = service.build_scorecard(school_year=request.args.get("year") or None)
    return jsonify({
        "school_year": card["school_year"], "max_points": card["max_points"], "as_of": card["as_of"].isoformat(),
        "criteria": [{**c, "label": str(c["label"])} for c in card["criteria"]],
        "unavailable_criteria": card["unavailable"],
        "departments": [{"department": r["department"].code, "name": r["department"].name,
                         "cluster_2022": r["department"].cluster_2022, "score": r["score"],
                         "evidence": r["evidence"], "history_2021_2022": r["history"]} for r in card["rows"]],
        "clusters": [{"cluster": c["cluster"], "units": [d.code for d in c["units"]],
                      "departments_2022": c["departments_2022"], "mean_score": c["mean_score"],
                      "history_mean_2021_2022": c["history_mean"]} for c in card["clusters"]]})
