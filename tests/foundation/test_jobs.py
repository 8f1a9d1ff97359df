"""One scheduler across processes (a database lease), takeover after the lease expires, persistent jobs."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select, text

from crisiscomm import jobs, registry
from crisiscomm.clock import FrozenClock
from crisiscomm.extensions import db

from ..conftest import make_app

RUNS = []


def _count_job():
    RUNS.append(jobs.now())


@pytest.fixture
def two_apps(app, backend):
    """Two app instances on one database, as two processes would be, sharing a frozen clock."""
    other = make_app(backend)
    clock = FrozenClock(datetime(2026, 6, 26, 1, 0, tzinfo=timezone.utc))
    for a in (app, other):
        a.extensions["clock"] = clock
        registry.job(a, "test.count", _count_job, seconds=3600)
    RUNS.clear()
    runners = []
    yield app, other, clock, runners
    for runner in runners:
        runner._stop_scheduler()
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _stored_job_ids(app):
    with app.app_context():
        if not inspect(db.engine).has_table(jobs.JOBSTORE_TABLE):
            return set()
        with db.engine.connect() as conn:
            return {row[0] for row in conn.execute(text(f"SELECT id FROM {jobs.JOBSTORE_TABLE}"))}


def test_only_one_runner_holds_the_lease_and_runs_jobs(two_apps):
    app, other, clock, runners = two_apps
    a, b = jobs.SchedulerRunner(app, holder="web-1"), jobs.SchedulerRunner(other, holder="web-2")
    runners += [a, b]
    assert a.step() is True
    assert b.step() is False
    assert a.scheduler is not None and b.scheduler is None
    assert a.step() is True and b.step() is False  # renewing keeps it

    assert jobs.run_job("test.count", a.holder) is True
    assert jobs.run_job("test.count", b.holder) is False
    assert len(RUNS) == 1
    with app.app_context():
        run = db.session.get(jobs.JobRun, "test.count")
        assert run.holder == "web-1" and run.last_error is None


def test_standby_takes_over_after_the_lease_expires(two_apps):
    app, other, clock, runners = two_apps
    a, b = jobs.SchedulerRunner(app, holder="web-1"), jobs.SchedulerRunner(other, holder="web-2")
    runners += [a, b]
    assert a.step() and not b.step()
    # web-1 dies: it stops renewing. Before the lease runs out the standby still waits.
    clock.advance(seconds=a.ttl - 1)
    assert b.step() is False
    clock.advance(seconds=2)
    assert b.step() is True and b.scheduler is not None
    # The old holder, should it wake up, no longer runs jobs and stops its scheduler.
    assert jobs.run_job("test.count", a.holder) is False
    assert a.step() is False and a.scheduler is None
    assert jobs.run_job("test.count", b.holder) is True
    assert len(RUNS) == 1
    with app.app_context():
        assert jobs.lease_status().holder == "web-2"


def test_jobs_survive_a_restart(two_apps):
    app, other, clock, runners = two_apps
    first = jobs.SchedulerRunner(app, holder="old-process")
    runners.append(first)
    assert first.step()
    assert _stored_job_ids(app) >= {"test.count", "outbox.sweep"}
    next_run = first.scheduler.get_job("test.count").next_run_time
    first._stop_scheduler()
    with app.app_context():
        jobs.release(first.holder)  # a clean shutdown hands the lease over at once

    second = jobs.SchedulerRunner(other, holder="new-process")
    runners.append(second)
    assert second.step() is True
    assert _stored_job_ids(other) >= {"test.count", "outbox.sweep"}
    job = second.scheduler.get_job("test.count")
    assert job.next_run_time == next_run  # the stored job is reused, not rescheduled
    assert job.args == ("test.count",)
    assert jobs.run_scheduled("test.count") is True and len(RUNS) == 1


def test_a_failing_job_is_recorded_and_rolled_back(app, clock):
    def broken():
        raise RuntimeError("SMTP down")

    registry.job(app, "test.broken", broken, seconds=60)
    results = jobs.run_all_once(app)
    assert results["test.broken"] is False and results["outbox.sweep"] is True
    run = db.session.scalar(select(jobs.JobRun).where(jobs.JobRun.job_id == "test.broken")
                            .execution_options(populate_existing=True))
    assert run.last_error == "RuntimeError: SMTP down"
