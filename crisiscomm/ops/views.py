"""/healthz: cheap checks only (a primary-key lookup and one indexed count), no sign-in."""
import functools
import logging
from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, jsonify
from sqlalchemy import func, select, text

from ..clock import now
from ..extensions import db, csrf

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)
csrf.exempt(bp)


@functools.cache  # reading package metadata costs ~2 ms; the version does not change while running
def app_version():
    try:
        return version("crisiscomm")
    except PackageNotFoundError:
        return "unknown"


def health():
    """The health report and its HTTP status (200 when the database answers, else 503)."""
    from ..jobs import LEASE_NAME, SchedulerLease
    from ..notifications.models import OPEN_STATES, Notification

    report = {"status": "ok", "database": "ok", "version": app_version(),
              "scheduler": {"holder": None, "lease_expires_at": None, "alive": False},
              "outbox": {"backlog": None, "oldest_pending_age_seconds": None}}
    try:
        db.session.execute(text("SELECT 1"))
        lease = db.session.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                                   .where(SchedulerLease.name == LEASE_NAME)).first()
        t = now()
        if lease is not None:
            report["scheduler"] = {"holder": lease.holder, "lease_expires_at": lease.expires_at.isoformat(),
                                   "alive": lease.expires_at > t}
        backlog = db.session.scalar(select(func.count(Notification.id))
                                    .where(Notification.state.in_(OPEN_STATES)))
        # The oldest message not yet delivered (pending, being sent, or waiting for a retry).
        oldest = db.session.scalar(select(func.min(Notification.created_at))
                                   .where(Notification.state.in_(OPEN_STATES)))
        report["outbox"] = {"backlog": backlog,
                            "oldest_pending_age_seconds": None if oldest is None
                            else max(0, int((t - oldest).total_seconds()))}
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - any database failure means "unhealthy", never a 500
        log.error("health check: database unavailable: %s", exc)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            db.session.remove()
        report["status"], report["database"] = "error", "error"
        return report, 503
    if not report["scheduler"]["alive"]:
        report["status"] = "degraded"
    return report, 200


@bp.get("/healthz")
def healthz():
    report, status = health()
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
