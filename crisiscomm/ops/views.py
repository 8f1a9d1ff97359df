"""/healthz: cheap checks only (a primary-key lookup and a few indexed counts), no sign-in.

Anonymous callers learn only up or down; the details (scheduler holder, outbox backlog, failing email) are for
loopback callers, the monitoring token (HEALTH_TOKEN) and the Ministry admin."""
import functools
import hmac
import logging
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import func, select, text

from .. import permissions
from ..clock import now
from ..extensions import csrf, db
from ..jobs import LEASE_NAME, JobRun, SchedulerLease
from ..notifications.models import EMAIL, FAILED_TEMPORARY, OPEN_STATES, SENT, Notification

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
        # The backlog and its oldest message not yet delivered (pending, being sent, or waiting for a retry), in one
        # pass over the open rows.
        backlog, oldest = db.session.execute(select(func.count(Notification.id), func.min(Notification.created_at))
                                             .where(Notification.state.in_(OPEN_STATES))).one()
        report["outbox"] = {"backlog": backlog,
                            "oldest_pending_age_seconds": None if oldest is None
                            else max(0, int((t - oldest).total_seconds()))}
        report["email"] = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in email_health(t).items()}
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - any database failure means "unhealthy", never a 500
        log.error("health check: database unavailable: %s", exc)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            db.session.remove()
        report["status"], report["database"] = "error", "error"
        return report, 503
    if not report["scheduler"]["alive"] or report["email"]["status"] == "failing":
        report["status"] = "degraded"
    return report, 200


def email_health(t):
    """Whether email is leaving: "failing" when a message has waited for a retry for more than
    SMTP_DEGRADED_MINUTES and no email was accepted by the mail server since it was first tried."""
    failing_since = db.session.scalar(select(func.min(Notification.created_at)).where(
        Notification.state == FAILED_TEMPORARY, Notification.channel == EMAIL))
    last_sent = db.session.scalar(select(func.max(Notification.sent_at)).where(
        Notification.state == SENT, Notification.channel == EMAIL))
    if failing_since is not None and last_sent is not None and last_sent > failing_since:
        failing_since = None  # the server accepts mail again; the retries will follow
    long_enough = timedelta(minutes=current_app.config["SMTP_DEGRADED_MINUTES"])
    status = "failing" if failing_since is not None and t - failing_since > long_enough else "ok"
    last_error = None
    if failing_since is not None:
        last_error = db.session.scalar(select(Notification.last_error).where(
            Notification.state == FAILED_TEMPORARY, Notification.channel == EMAIL)
            .order_by(Notification.id.desc()).limit(1))
    return {"status": status, "failing_since": failing_since, "last_sent_at": last_sent, "last_error": last_error}


def may_see_details():
    """Loopback callers (not forwarded by a proxy), the monitoring token, and the Ministry admin."""
    if request.remote_addr in ("127.0.0.1", "::1") and "X-Forwarded-For" not in request.headers:
        return True
    expected = current_app.config.get("HEALTH_TOKEN")
    given = request.headers.get("Authorization", "")
    if expected and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(),
                                                                         expected.encode()):
        return True
    return permissions.can(current_user, "ops.system")


@bp.get("/healthz")
def healthz():
    report, status = health()
    if not may_see_details():
        report = {"status": "up" if status == 200 else "down"}
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/admin/system")
@permissions.required("ops.system")
def system():
    report, status = health()
    return render_template("ops/system.html", report=report, jobs=job_runs()), status


def job_runs():
    return db.session.scalars(select(JobRun).order_by(JobRun.job_id)).all()


@bp.app_context_processor
def system_alert_processor():
    def system_alert():
        """For the Ministry admin: a line about email failing, shown on every page until it recovers."""
        if not permissions.can(current_user, "ops.system"):
            return None
        try:
            state = email_health(now())
        except Exception:  # noqa: BLE001 - a banner must never break the page
            log.exception("system alert")
            return None
        return state if state["status"] == "failing" else None

    return {"system_alert": system_alert}
