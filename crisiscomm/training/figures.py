"""The overview column and the scorecard evidence: the share of each Department's spokespersons and communication
staff trained in the last two school years, for all Departments at once."""
from flask import url_for
from flask_babel import gettext as _

from . import service


def _share(total, trained):
    return trained / total if total else None


def trained_metric(ids, ctx):
    counts = service.trained_counts(ids, ctx["now"])
    out = {}
    for i in ids:
        total, trained = counts.get(i, (0, 0))
        share = _share(total, trained)
        if share is None:
            out[i] = {"value": None, "display": _("no spokesperson or communication staff"), "severity": None}
            continue
        severity = "green" if share >= 0.8 else ("amber" if share >= 0.5 else "red")
        out[i] = {"value": share, "display": f"{round(share * 100)}% ({trained}/{total})", "severity": severity}
    return out


def trained_evidence(ids, yc):
    counts = service.trained_counts(ids, yc["as_of"])
    return {i: _share(*counts.get(i, (0, 0))) for i in ids}


def link(department):
    return url_for("training.people", department=department.code)
