"""Background jobs: APScheduler 3 with its job store in the application database, run by
exactly one process.

Domains register periodic jobs with ``registry.job(app, job_id, func, seconds=...)``. A job function
takes no arguments, runs inside an app context, reads time from the injectable clock and must be
idempotent (outbox dedupe keys); the runner commits once after it, or rolls back on error.

Exactly one scheduler: every candidate process (``flask scheduler``, or ``make run``'s
in-process thread) competes for a lease row in ``scheduler_lease``; only the holder starts
APScheduler, renews the lease every few seconds and re-checks it before each job. A holder that
dies stops renewing and a standby takes over after SCHEDULER_LEASE_SECONDS.
"""
import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from . import registry
from .clock import now
from .extensions import db
from .types import UTCDateTime

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
JOBSTORE_TABLE = "apscheduler_jobs"
# The app whose context jobs run in and the lease holder of this process's running scheduler. The job
# store keeps only 'crisiscomm.jobs:run_scheduled' and the job id, so stored jobs outlive a restart
# and are reused by whichever process holds the lease next.
_app = None
_holder = None


class SchedulerLease(db.Model):
    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128), nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    heartbeat_at = mapped_column(UTCDateTime, nullable=False)


class JobRun(db.Model):
    """The last run of each job, for /healthz and the admin page."""

    __tablename__ = "job_run"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at = mapped_column(UTCDateTime)
    last_finished_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(2000))
    holder: Mapped[str | None] = mapped_column(String(128))


def try_acquire(holder, ttl):
    """Take or renew the lease; True when ``holder`` holds it now. Commits."""
    t = now()
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME)
        .where((SchedulerLease.holder == holder) | (SchedulerLease.expires_at < t))
        .values(holder=holder, expires_at=t + timedelta(seconds=ttl), heartbeat_at=t)
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        try:
            db.session.execute(insert(SchedulerLease).values(
                name=LEASE_NAME, holder=holder, expires_at=t + timedelta(seconds=ttl), heartbeat_at=t))
        except IntegrityError:
            db.session.rollback()
            return False
    db.session.commit()
    return True


def release(holder):
    db.session.execute(update(SchedulerLease).where(SchedulerLease.name == LEASE_NAME,
                                                    SchedulerLease.holder == holder)
                       .values(expires_at=now() - timedelta(seconds=1)))
    db.session.commit()


def lease_status():
    return db.session.get(SchedulerLease, LEASE_NAME)


def holds_lease(holder):
    lease = db.session.scalar(select(SchedulerLease).where(SchedulerLease.name == LEASE_NAME)
                              .execution_options(populate_existing=True))
    return lease is not None and lease.holder == holder and lease.expires_at > now()


def run_job(job_id, holder=None):
    """Run one registered job in an app context, once; commit on success."""
    app = _app
    with app.app_context():
        if holder is not None and not holds_lease(holder):
            log.warning("skipping %s: lease lost", job_id)
            return False
        func, _ = registry.items("job", app)[job_id]
        run = db.session.get(JobRun, job_id) or JobRun(job_id=job_id)
        run.last_started_at, run.holder = now(), holder
        db.session.add(run)
        db.session.commit()
        try:
            func()
            db.session.commit()
            error = None
        except Exception as exc:  # one failing job must not stop the others
            db.session.rollback()
            log.exception("job %s failed", job_id)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        run = db.session.get(JobRun, job_id)
        run.last_finished_at, run.last_error = now(), error
        db.session.commit()
        db.session.remove()
        return error is None


def run_scheduled(job_id):
    """What APScheduler calls: run the job if this process still holds the lease."""
    return run_job(job_id, holder=_holder)


def run_all_once(app):
    """Run every registered job once, in this process (tests, `flask jobs run-once`)."""
    global _app
    _app = app
    return {job_id: run_job(job_id) for job_id in registry.items("job", app)}


class SchedulerRunner:
    """Competes for the lease; while holding it runs APScheduler with the persistent job store."""

    def __init__(self, app, holder=None):
        self.app = app
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = app.config["SCHEDULER_LEASE_SECONDS"]
        self.scheduler = None
        self._stop = threading.Event()

    def _start_scheduler(self):
        global _app, _holder
        _app, _holder = self.app, self.holder
        store = SQLAlchemyJobStore(engine=db.engine, tablename=JOBSTORE_TABLE)
        self.scheduler = BackgroundScheduler(jobstores={"default": store}, timezone="UTC",
                                             job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 300})
        self.scheduler.start(paused=True)
        wanted = registry.items("job", self.app)
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:  # a job no longer registered by any domain
                job.remove()
        for job_id, (_func, seconds) in wanted.items():
            stored = self.scheduler.get_job(job_id)
            if (stored is not None and stored.func_ref == "crisiscomm.jobs:run_scheduled"
                    and list(stored.args) == [job_id]
                    and getattr(stored.trigger, "interval", None) == timedelta(seconds=seconds)):
                continue  # kept from the previous holder, with its next run time
            self.scheduler.add_job("crisiscomm.jobs:run_scheduled", "interval", seconds=seconds, id=job_id,
                                   args=[job_id], replace_existing=True)
        self.scheduler.resume()
        log.info("scheduler started by %s with %d jobs", self.holder, len(registry.items("job", self.app)))

    def _stop_scheduler(self):
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None

    def step(self):
        """One lease round: acquire or renew, start or stop APScheduler accordingly. True if leader."""
        with self.app.app_context():
            try:
                leader = try_acquire(self.holder, self.ttl)
            except Exception:
                log.exception("lease check failed")
                db.session.rollback()
                leader = False
            finally:
                db.session.remove()
            if leader and self.scheduler is None:
                self._start_scheduler()
            elif not leader and self.scheduler is not None:
                log.warning("%s lost the scheduler lease; stopping", self.holder)
                self._stop_scheduler()
            return leader

    def run_forever(self):
        try:
            while not self._stop.is_set():
                self.step()
                self._stop.wait(max(self.ttl / 3, 1))
        finally:
            self._stop_scheduler()
            with self.app.app_context():
                release(self.holder)
                db.session.remove()

    def start_thread(self):
        thread = threading.Thread(target=self.run_forever, name="crisiscomm-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self):
        self._stop.set()


def init_app(app):
    if app.config["SCHEDULER_MODE"] == "in-process" and os.environ.get("WERKZEUG_RUN_MAIN") != "false":
        app.extensions["scheduler_runner"] = SchedulerRunner(app)
        app.extensions["scheduler_runner"].start_thread()
