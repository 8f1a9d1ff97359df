"""Incident creation under load: gunicorn + a real SMTP sink, 50 concurrent readers in the background,
incidents created over HTTP one after another.

    python bench/incidents.py [--database-url URL] [--years 10 [--reuse]] [--incidents 30] [--readers 50]

Prints p50/p95 of the POST itself and of request start → the level-1 emails accepted by the SMTP sink
(an email belongs to incident N when its subject or body names /incidents/N or #N; the last one
arriving within --settle seconds of the POST closes the measurement). The level-1 people also have a confirmed
Web Push subscription and an Apprise json:// channel pointing at a local HTTP sink: request start → the last
push (decrypted to find its incident) and the last Apprise message of each incident are reported per channel.
Writes JSON to bench/results/.
"""
import argparse
import asyncio
import email
import email.policy
import json
import multiprocessing
import os
import re
import time
from datetime import datetime, timezone

from common import (HTTPConnection, SMTPSink, database_arguments, database_url, percentiles, prepare_database, start_gunicorn,
                    worker_rss_mb, write_result)


async def readers(base, tokens, n, stop, count):
    """``n`` clients reading inquiry lists back to back, each on its own keep-alive connection, until ``stop``."""

    async def loop(i):
        conn = HTTPConnection(base)
        officers = tokens["officer"]
        headers = {"Authorization": f"Bearer {officers[i % len(officers)]}"}
        try:
            while not stop.is_set():
                try:
                    await conn.request("GET", "/api/v1/inquiries?department=ha-noi", headers=headers)
                    with count.get_lock():
                        count.value += 1
                except ConnectionError:
                    pass  # reconnects on the next request
        finally:
            conn.close()

    await asyncio.gather(*(loop(i) for i in range(n)))


def reader_process(base, tokens, n, stop, count):
    """The readers run in a process of their own, as 50 phones are not the reporter's phone: the reporter's
    request and the sinks' clocks do not wait for the readers' event loop."""
    asyncio.run(readers(base, tokens, n, stop, count))


def _text(content):
    """Subject and every text part of a raw message, decoded (Vietnamese bodies travel base64 or QP)."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def emails_for(smtp, incident_id, since):
    pattern = re.compile(r"(/incidents/%d\b|#%d\b)" % (incident_id, incident_id))
    with smtp.lock:
        arrived = [(t, content) for t, content in smtp.messages if t >= since]
    return [t for t, content in arrived if pattern.search(_text(content))]


class ChannelSink:
    """A local push service and Apprise json:// target in one: records (arrival time, path, body)."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.messages.append((time.monotonic(), self.path, body))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.messages = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.keys = {}  # push path -> (private key, auth secret)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()

    def incident_of(self, path, body):
        import json

        if path.startswith("/push/"):
            import http_ece

            private_key, auth = self.keys[path]
            url = json.loads(http_ece.decrypt(body, private_key=private_key, auth_secret=auth,
                                              version="aes128gcm")).get("url", "")
        else:
            url = json.loads(body).get("message", "")
        match = re.search(r"/incidents/(\d+)", url)
        return int(match.group(1)) if match else None

    def arrivals(self, incident_id, since, prefix):
        with self.lock:
            rows = [(t, path, body) for t, path, body in self.messages if t >= since and path.startswith(prefix)]
        return [t for t, path, body in rows if self.incident_of(path, body) == incident_id]


def add_channels(url, sink):
    """A confirmed push subscription and Apprise json:// channel for each bench level-1 person."""
    import base64
    import hashlib
    import os as _os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from sqlalchemy import select

    from crisiscomm import create_app
    from crisiscomm.clock import now
    from crisiscomm.extensions import db
    from crisiscomm.notifications.models import ContactMethod
    from crisiscomm.notifications.push import current_key
    from crisiscomm.users.models import User

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "NOTIFY_DISPATCH": "off"})
    with app.app_context():
        current_key(create=True)
        for address_of in ("director@bench.example.vn", "bcd1@bench.example.vn", "bcd2@bench.example.vn"):
            user = db.session.scalar(select(User).where(User.email == address_of))
            for method in db.session.scalars(select(ContactMethod).where(ContactMethod.user_id == user.id)):
                method.removed_at = method.removed_at or now()
            private_key, auth = ec.generate_private_key(ec.SECP256R1()), _os.urandom(16)
            point = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                          serialization.PublicFormat.UncompressedPoint)
            path = f"/push/{user.id}"
            sink.keys[path] = (private_key, auth)
            for kind, address, keys in (("push", sink.url + path, {"p256dh": b64(point), "auth": b64(auth)}),
                                        ("apprise", "json://" + sink.url.split("://")[1] + f"/hook/{user.id}", {})):
                unique = hashlib.sha256(f"{address}:{time.time()}".encode()).hexdigest()
                db.session.add(ContactMethod(user_id=user.id, kind=kind, label="bench", address=address,
                                             address_hash=unique,
                                             keys=keys, short_form=False, created_at=now(), verified_at=now(),
                                             code_attempts=0))
        db.session.commit()


async def run(base, tokens, smtp, args, sink=None, alert_base=None):
    context = multiprocessing.get_context("spawn")
    stop, count = context.Event(), context.Value("q", 0)
    background = context.Process(target=reader_process, args=(base, tokens, args.readers, stop, count))
    background.start()
    await asyncio.sleep(2)  # the readers hold the worker threads before the first incident
    post_ms, email_ms, missing = [], [], 0
    channel_ms = {"push": [], "apprise": []}
    client = HTTPConnection(alert_base or base)
    for i in range(-args.warmup, args.incidents):
        start = time.monotonic()
        status, body = await client.request(
            "POST", "/api/v1/incidents", headers={"Authorization": f"Bearer {tokens['officer'][0]}"}, json_body={
                "department": "ha-noi", "title": f"Lộ đề thi (đo tải {i})", "category": "exam",
                "severity": "critical", "exam_related": True, "description": "Bài đo tải",
                "occurred_at": datetime.now(timezone.utc).isoformat(), "place": "Điểm thi đo tải"})
        elapsed_ms = (time.monotonic() - start) * 1000
        if status not in (200, 201):
            raise SystemExit(f"POST /api/v1/incidents answered {status}: {body[:300]!r}")
        incident_id = json.loads(body)["id"]
        await asyncio.sleep(args.settle)
        if i < 0:
            continue  # warm-up: the worker's first incident compiles its queries and templates
        post_ms.append(elapsed_ms)
        arrived = emails_for(smtp, incident_id, start)
        if arrived:
            email_ms.append((max(arrived) - start) * 1000)
        else:
            missing += 1
        if sink is not None:
            for channel, prefix in (("push", "/push/"), ("apprise", "/hook/")):
                times = sink.arrivals(incident_id, start, prefix)
                if times:
                    channel_ms[channel].append((max(times) - start) * 1000)
    client.close()
    stop.set()
    background.join(30)
    reads = count.value
    return post_ms, email_ms, missing, reads, channel_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    database_arguments(parser)
    parser.add_argument("--incidents", type=int, default=30)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=2, help="incidents reported first and not counted")
    parser.add_argument("--alert-instance", action="store_true",
                        help="report the incidents to a gunicorn of their own, as nginx routes the alert path in "
                             "production (deploy/crisiscomm-alert.service); the readers keep the main one")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to wait for emails after each POST")
    args = parser.parse_args()
    url = database_url(args, "bench-incidents")
    tokens = prepare_database(url, years=args.years, reuse=args.reuse)
    sink = ChannelSink()
    add_channels(url, sink)
    with SMTPSink() as smtp:
        # As deploy/crisiscomm-web.service: the readers' instance yields the CPU to the alert instance.
        proc, base, cmd = start_gunicorn(url, args.workers, smtp.port, nice=10 if args.alert_instance else 0,
                                         threads=args.threads)
        alert = start_gunicorn(url, 1, smtp.port) if args.alert_instance else None
        try:
            print(f"gunicorn: {' '.join(cmd)}  ({os.cpu_count()} cores)"
                  + ("; incidents to a second gunicorn -w 1 (the alert instance)" if alert else ""))
            post_ms, email_ms, missing, reads, channel_ms = asyncio.run(
                run(base, tokens, smtp, args, sink, alert_base=alert[1] if alert else None))
            rss = worker_rss_mb(proc.pid) + (worker_rss_mb(alert[0].pid) if alert else [])
        finally:
            for process in (proc, alert[0] if alert else None):
                if process is not None:
                    process.terminate()
                    process.wait(30)
            sink.close()
    result = {"command": cmd, "database": url.split("@")[-1], "years": args.years, "readers": args.readers,
              "incidents": args.incidents, "alert_instance": args.alert_instance,
              "post_ms": percentiles(post_ms), "start_to_emails_ms": percentiles(email_ms),
              "incidents_without_email": missing, "background_reads": reads, "rss_mb": rss,
              "start_to_push_ms": percentiles(channel_ms["push"]),
              "start_to_apprise_ms": percentiles(channel_ms["apprise"])}
    print(f"POST /api/v1/incidents: {result['post_ms']}")
    print(f"request start → level-1 emails accepted: {result['start_to_emails_ms']} (none for {missing})")
    print(f"request start → level-1 push delivered: {result['start_to_push_ms']}")
    print(f"request start → level-1 Apprise (json://) delivered: {result['start_to_apprise_ms']}")
    print(f"background reads: {reads}; RSS per worker (MB): {rss}")
    print(f"result: {write_result('incidents', result)}")


if __name__ == "__main__":
    main()
