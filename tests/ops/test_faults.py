"""Faults on exam day: the mail server down, a worker killed mid-dispatch, the database dropping
connections, two scheduler processes. Every notification arrives once; nothing is half-written."""
import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, event, func, select, text

from crisiscomm import PROJECT_DIR
from crisiscomm.clock import FrozenClock
from crisiscomm.extensions import db
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import EMAIL, FAILED_TEMPORARY, SENDING, SENT, Notification
from crisiscomm.users.models import ApiToken

from ..conftest import database_url
from ..factories import csrf_token
from ..smtp import SMTPServer, _Handler


def queue_emails(n, prefix="alert"):
    rows = [outbox.enqueue(kind="incident.alert", channel=EMAIL, subject=f"Sự cố #{i}: lộ đề thi",
                           body_text="Đề nghị xác nhận", address=f"{prefix}{i}@so-gddt.example.vn") for i in range(n)]
    db.session.commit()
    return [row.id for row in rows]


def message_ids_per_recipient(server):
    seen = {}
    for m in server.messages:
        for rcpt in m["to"]:
            seen.setdefault(rcpt, []).append(m["message"]["Message-ID"])
    return seen


@pytest.mark.slow
def test_smtp_down_then_back_every_notification_delivered_once(app, clock, smtp_server):
    smtp_server.stop()
    ids = queue_emails(20)  # NOTIFY_DISPATCH=sync: each send is tried right after commit and fails
    states = dict(db.session.execute(select(Notification.id, Notification.state)).all())
    assert set(states[i] for i in ids) == {FAILED_TEMPORARY}
    assert smtp_server.messages == []
    assert outbox.sweep() == 0  # still inside the backoff: nothing is hammered

    smtp_server.start()  # back on the same port
    clock.advance(seconds=31)
    assert outbox.sweep() == 20
    clock.advance(hours=1)
    assert outbox.sweep() == 0  # done means done: no second copy later

    per_recipient = message_ids_per_recipient(smtp_server)
    assert len(per_recipient) == 20
    assert all(len(mids) == 1 for mids in per_recipient.values())
    assert len({mid for mids in per_recipient.values() for mid in mids}) == 20
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.id.in_(ids))).all()
    assert {r.state for r in rows} == {SENT} and {r.attempts for r in rows} == {2}


class _StallingHandler(_Handler):
    """Accepts the first ``accept`` messages; the next one is received but never acknowledged
    (until released), so the sending process is stuck between 'server has it' and 'row is sent'."""

    def __init__(self, server, accept):
        super().__init__(server)
        self.accept = accept
        self.stalled = threading.Event()

    async def handle_DATA(self, smtp_server, session, envelope):
        answer = await super().handle_DATA(smtp_server, session, envelope)
        if self.accept is not None and len(self.server.messages) > self.accept:
            self.accept = None
            self.stalled.set()
            await asyncio.sleep(120)  # the worker is killed while it waits for this reply
        return answer


class StallingSMTPServer(SMTPServer):
    def __init__(self, accept):
        super().__init__()
        self.handler = _StallingHandler(self, accept)

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()


WORKER = """
import sys
from crisiscomm import create_app
from crisiscomm.config import TestConfig
config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
config.update(SQLALCHEMY_DATABASE_URI=sys.argv[1], MAIL_SERVER="127.0.0.1", MAIL_PORT=int(sys.argv[2]),
              NOTIFY_DISPATCH="off", MAIL_TIMEOUT=300)
app = create_app(config)
with app.app_context():
    from crisiscomm.notifications import service
    print("sent", service.sweep(), flush=True)
"""


@pytest.mark.slow
def test_worker_killed_mid_dispatch_nothing_lost_nothing_doubled(app, backend):
    app.config["NOTIFY_DISPATCH"] = "off"
    server = StallingSMTPServer(accept=7)
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    try:
        ids = queue_emails(15, prefix="spokesperson")
        worker = subprocess.Popen([sys.executable, "-c", WORKER, database_url(backend), str(server.port)],
                                  cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert server.handler.stalled.wait(60), worker.stderr.read().decode()[-2000:] if worker.poll() else ""
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.wait(30)
            worker.stdout.close()
            worker.stderr.close()
        assert worker.returncode == -signal.SIGKILL
        assert len(server.messages) == 8  # 7 acknowledged + the 8th received, its reply never sent

        db.session.expire_all()
        states = Counter(db.session.scalars(select(Notification.state).where(Notification.id.in_(ids))))
        # The sweep claimed its batch in one transaction: the 8 not yet confirmed wait for the lease.
        assert states[SENT] == 7 and states[SENDING] == 8

        # "Restart": the next sweep, once the killed worker's claim has lapsed.
        lease = app.config["NOTIFY_SENDING_LEASE_SECONDS"]
        app.extensions["clock"] = FrozenClock(datetime.now(timezone.utc) + timedelta(seconds=lease + 5))
        assert outbox.sweep() == 8
        assert outbox.sweep() == 0

        per_recipient = message_ids_per_recipient(server)
        assert sorted(per_recipient) == sorted(f"spokesperson{i}@so-gddt.example.vn" for i in range(15))
        # The stalled message reached the server twice, with the same Message-ID: one message for the reader.
        assert all(len(set(mids)) == 1 for mids in per_recipient.values())
        assert sum(len(mids) for mids in per_recipient.values()) == 16
        db.session.expire_all()
        assert set(db.session.scalars(select(Notification.state).where(Notification.id.in_(ids)))) == {SENT}
    finally:
        app.extensions.pop("clock", None)
        server.stop()


def _swap_engine(app, engine):
    db.session.remove()
    old = db._app_engines[app][None]
    db._app_engines[app][None] = engine
    return old


def _unreachable_engine(backend, tmp_path):
    if backend == "postgresql":
        return create_engine("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")
    return create_engine(f"sqlite:///{tmp_path}/missing-dir/none.db")


def test_database_unavailable_gives_a_clear_503_and_the_app_recovers(app, backend, factory, tmp_path):
    user = factory.user()
    api = factory.api(user)
    browser = factory.login(user)
    with app.app_context():
        token = csrf_token(browser.get("/account"))
    before = db.session.scalar(select(func.count(ApiToken.id)))

    good = _swap_engine(app, _unreachable_engine(backend, tmp_path))
    try:
        with app.app_context():
            response = api.get("/api/v1/me")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert response.headers["Retry-After"] == "5"
        with app.app_context():
            page = browser.post("/account/tokens", data={"label": "x", "csrf_token": token})
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert "503" in page.get_data(as_text=True) or page.get_data(as_text=True).strip()
    finally:
        _swap_engine(app, good)

    with app.app_context():
        assert api.get("/api/v1/me").status_code == 200  # no restart needed
    assert db.session.scalar(select(func.count(ApiToken.id))) == before


def test_connection_killed_mid_request_rolls_back_and_the_pool_recovers(app, backend, factory):
    if backend != "postgresql":
        pytest.skip("terminating server connections is a PostgreSQL scenario")
    from ..conftest import _pg_admin

    user = factory.user()
    browser = factory.login(user)
    with app.app_context():
        token = csrf_token(browser.get("/account"))
    counts = lambda: (db.session.scalar(select(func.count(ApiToken.id))),  # noqa: E731
                      db.session.scalar(text("SELECT count(*) FROM audit_entry")))
    before = counts()
    db.session.remove()

    def kill_on_token_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO API_TOKEN"):
            _pg_admin(f"SELECT pg_terminate_backend({conn.connection.dbapi_connection.info.backend_pid})")

    event.listen(db.engine, "before_cursor_execute", kill_on_token_insert)
    try:
        with app.app_context():
            response = browser.post("/account/tokens", data={"label": "exam day", "csrf_token": token})
    finally:
        event.remove(db.engine, "before_cursor_execute", kill_on_token_insert)
    assert response.status_code == 503
    db.session.remove()
    assert counts() == before  # nothing half-written

    # Every pooled connection dropped by the server (a PostgreSQL restart): pool_pre_ping reconnects.
    # Only this app's own pooled connections are terminated (other test runs share the server).
    db.session.remove()
    held = [db.engine.connect() for _ in range(3)]
    pids = [c.connection.dbapi_connection.info.backend_pid for c in held]
    for c in held:
        c.close()  # back into the pool, soon dead
    _pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (%s)"
              % ", ".join(str(p) for p in pids))
    with app.app_context():
        response = browser.post("/account/tokens", data={"label": "exam day", "csrf_token": token})
    assert response.status_code == 200 and "data-new-token" in response.get_data(as_text=True)  # shown once, here
    db.session.remove()
    assert counts()[0] == before[0] + 1


SCHEDULER = """
import sys
from sqlalchemy import text
from crisiscomm import create_app, jobs, registry
from crisiscomm.config import Config
from crisiscomm.extensions import db
config = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
config.update(SQLALCHEMY_DATABASE_URI=sys.argv[1], SCHEDULER_LEASE_SECONDS=3, SCHEDULER_MODE="off",
              NOTIFY_DISPATCH="off")
app = create_app(config)
registry.items("job", app).clear()
def tick():
    db.session.execute(text("INSERT INTO ops_tick (holder, at) VALUES (:h, CURRENT_TIMESTAMP)"),
                       {"h": runner.holder})
registry.job(app, "ops.tick", tick, seconds=1)
runner = jobs.SchedulerRunner(app, holder=sys.argv[2])
import signal
signal.signal(signal.SIGTERM, lambda *_: runner.stop())
print("ready", flush=True)
runner.run_forever()
"""


def _ticks():
    return db.session.execute(text("SELECT holder FROM ops_tick ORDER BY id")).scalars().all()


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.slow
def test_two_scheduler_processes_run_each_job_once(app, backend):
    if backend != "postgresql":
        pytest.skip("the multi-host scheduler scenario runs against PostgreSQL")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE ops_tick (id SERIAL PRIMARY KEY, holder TEXT, at TIMESTAMP)"))
    procs = {name: subprocess.Popen([sys.executable, "-c", SCHEDULER, database_url(backend), name],
                                    cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name in ("worker-a", "worker-b")}
    try:
        _wait_for(lambda: (db.session.rollback() or len(_ticks()) >= 4), 30)
        leader = _ticks()[0]
        standby = "worker-b" if leader == "worker-a" else "worker-a"
        assert set(_ticks()) == {leader}  # the standby never ran the job
        window = _ticks()
        assert len(window) <= 6  # one run per second, not two

        os.kill(procs[leader].pid, signal.SIGKILL)  # the leader's host dies
        procs[leader].wait(10)
        cut = len(_ticks())
        _wait_for(lambda: (db.session.rollback() or standby in _ticks()), 30)
        _wait_for(lambda: (db.session.rollback() or _ticks().count(standby) >= 3), 30)
        after = _ticks()[cut:]
        assert set(after) <= {leader, standby} and after[-3:] == [standby] * 3
        # Once the standby took over, the dead leader never ticked again.
        first = after.index(standby)
        assert leader not in after[first:]
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(20)
            proc.stdout.close()
            proc.stderr.close()
        db.session.rollback()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS ops_tick"))
