"""The overview's columns, the scorecard's evidence and the charts, as the domains registered them with
``registry.metric`` / ``registry.evidence`` / ``registry.chart`` (crisiscomm/registry.py says how to compute
one), in the order they are shown."""
from .. import registry


def metrics(app):
    return sorted(registry.items("metric", app).values(), key=lambda m: (m.order, m.key))


def evidence(app):
    return dict(sorted(registry.items("evidence", app).items(), key=lambda kv: (kv[1].order, kv[0])))


def charts(app):
    return [(k, r) for k, (o, r) in sorted(registry.items("chart", app).items(), key=lambda kv: (kv[1][0], kv[0]))]
