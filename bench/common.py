"""Shared pieces of the benchmarks: a prepared database, gunicorn on loopback, an SMTP sink."""
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
sys.path.insert(0, PROJECT)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPSink:
    """A real local SMTP server (aiosmtpd) that records when each message was accepted."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((time.monotonic(), envelope.content))
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class HTTPConnection:
    """A lean keep-alive HTTP/1.1 client connection on asyncio streams.

    The load client shares the two cores with the server it measures; httpx spends 2–5 ms of CPU per request,
    this about a tenth of that, so the figures show the server, not the client."""

    def __init__(self, base):
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port or 80)
        self.reader = self.writer = None

    async def request(self, method, path, headers=None, json_body=None):
        """(status, body bytes). A dropped connection raises ConnectionError; the next call reconnects."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = json.dumps(json_body).encode() if json_body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if json_body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionError("server closed the connection")
            status = int(status_line.split()[1])
            length, chunked, close = 0, False, False
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding":
                    chunked = "chunked" in value
                elif name == "connection":
                    close = value == "close"
            if chunked:
                parts = []
                while size := int((await self.reader.readline()).split(b";")[0], 16):
                    parts.append(await self.reader.readexactly(size))
                    await self.reader.readline()
                await self.reader.readline()
                data = b"".join(parts)
            else:
                data = await self.reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            self.close()
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
        if close:
            self.close()
        return status, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def prepare_database(url, users=4, years=0, reuse=False):
    """Migrate, `flask setup` (63 → 34 Departments, default rules), `flask demo generate --years YEARS` when
    asked, and bench users with API tokens: comms officers of ha-noi, the level-1 audience of an exam
    incident (director, two steering-board members) and a Ministry communication user.

    Returns {"officer": [tokens...], "ministry": token}. With ``reuse`` an already generated database is
    kept (generation of ten years takes minutes) and only the tokens are issued again."""
    from sqlalchemy import delete, func, select

    from crisiscomm import create_app
    from crisiscomm.extensions import db
    from crisiscomm.clock import now
    from crisiscomm.inquiries.models import Inquiry
    from crisiscomm.notifications.models import OPEN_STATES, ContactMethod, Notification
    from crisiscomm.users import service as users_service
    from crisiscomm.users.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "NOTIFY_DISPATCH": "off"})
    runner = app.test_cli_runner()

    def flask(*args):
        result = runner.invoke(args=list(args))
        if result.exit_code:
            raise SystemExit(f"flask {' '.join(args)} failed: {result.output} {result.exception!r}")
        return result.output

    with app.app_context():
        flask("db", "upgrade")
        flask("setup")
        # An earlier run's undelivered messages (its sinks are gone, no scheduler retries them here) are not this
        # run's backlog: /healthz and the outbox would carry them from run to run.
        db.session.execute(delete(Notification).where(Notification.state.in_(OPEN_STATES)))
        db.session.commit()
        if url.startswith("postgresql"):  # and the dead row versions earlier runs left are not this run's either
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE notification")
        have = db.session.scalar(select(func.count(Inquiry.id)))
        if years and not (reuse and have):
            started = time.monotonic()
            print(flask("demo", "generate", "--years", str(years)).rstrip())
            print(f"generated {years} years of data in {time.monotonic() - started:.0f} s")

        def user(email, role, department="ha-noi"):
            found = db.session.scalar(select(User).where(User.email == email))
            return found or users_service.create_user(email=email, name=email.split("@")[0], role=role,
                                                      password="bench-password-123", department_code=department)

        officers = [users_service.issue_token(user=user(f"bench{i}@bench.example.vn", "comms_officer"),
                                              label="bench") for i in range(users)]
        for email, role in (("director@bench.example.vn", "director"), ("bcd1@bench.example.vn", "steering_board"),
                            ("bcd2@bench.example.vn", "steering_board")):
            # Push and Apprise channels are bench/incidents.py's own (pointing at its sinks): another run of
            # any benchmark on this database starts without them.
            for method in db.session.scalars(select(ContactMethod).where(
                    ContactMethod.user_id == user(email, role).id, ContactMethod.removed_at.is_(None))):
                method.removed_at = now()
        ministry = users_service.issue_token(user=user("ministry@bench.example.vn", "ministry_comms", None),
                                             label="bench")
        db.session.commit()
    return {"officer": officers, "ministry": ministry}


def database_arguments(parser):
    """The options every benchmark shares: where the data lives and how much history it holds."""
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file in bench/results/)")
    parser.add_argument("--years", type=int, default=0, help="generate this many years of history first")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated database")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")


def database_url(args, name):
    """The database of this run: --database-url, else bench/results/<name>-<years>y.db (fresh unless --reuse)."""
    os.makedirs(RESULTS, exist_ok=True)
    sqlite_file = os.path.join(RESULTS, f"{name}-{args.years}y.db")
    if not args.database_url and os.path.exists(sqlite_file) and not args.reuse:
        os.remove(sqlite_file)
    return args.database_url or "sqlite:///" + sqlite_file


def start_gunicorn(url, workers, smtp_port, port=None, nice=0, threads=4):
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret", "CRISISCOMM_SCHEDULER": "off",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "NOTIFY_DISPATCH": "thread",
           "PYTHONPATH": PROJECT}
    # As behind nginx (deploy/): upstream connections are kept alive longer than gunicorn's 2 s default.
    cmd = (["nice", "-n", str(nice)] if nice else []) + [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
           "--worker-class", "crisiscomm.lanes.AlertLaneWorker", "--threads", str(threads), "--keep-alive", "30", "--log-level", "warning", "wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=PROJECT, env=env)
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 503):
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}", cmd


def worker_rss_mb(master_pid):
    """Resident memory of each gunicorn worker (children of the master), from /proc."""
    out = []
    for pid in worker_pids(master_pid):
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        except OSError:
            pass
    return out


def worker_pids(master_pid):
    try:
        return [int(p) for p in open(f"/proc/{master_pid}/task/{master_pid}/children").read().split()]
    except OSError:
        return []


def cpu_seconds(pids):
    """User + system CPU seconds used so far by each of ``pids`` (from /proc; 0 for a process gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = []
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            out.append((int(fields[11]) + int(fields[12])) / tick)
        except (OSError, IndexError, ValueError):
            out.append(0.0)
    return out


def postgres_pids():
    """The PostgreSQL server's processes on this machine (its backends do the mix's SQL work)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if open(f"/proc/{entry}/comm").read().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (all cores, every process), from /proc/stat."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentiles(samples_ms):
    if not samples_ms:
        return {"n": 0}
    s = sorted(samples_ms)
    pick = lambda q: round(s[min(len(s) - 1, int(q * len(s)))], 1)  # noqa: E731
    return {"n": len(s), "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "mean": round(statistics.fmean(s), 1)}


def write_result(name, data):
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
    return path


def default_workers():
    # gunicorn's rule of thumb is 2×cores+1; on a 2-core laptop that many processes plus the load
    # generator fight over the CPU, so use one worker per core (min 2) with 4 threads each.
    return max(2, os.cpu_count() or 2)
