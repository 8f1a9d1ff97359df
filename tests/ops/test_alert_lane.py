"""The alert lane: with every ordinary thread of the only gunicorn worker held by a reader, an exam incident is
still accepted and escalated, and its acknowledgement goes through; the reader behind them waits its turn."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from crisiscomm import PROJECT_DIR
from crisiscomm.lanes import is_alert_request

from .. import factories
from ..conftest import database_url, free_port


@pytest.mark.parametrize("line, alert", [
    (b"POST /api/v1/incidents HTTP/1.1\r\n", True),
    (b"POST /api/v1/incidents/12/acknowledge HTTP/1.1\r\n", True),
    (b"POST /incidents/new HTTP/1.1\r\n", True),
    (b"POST /incidents/7/acknowledge HTTP/1.0\r\n", True),
    (b"GET /incidents/ack/abc.def?x=1 HTTP/1.1\r\n", True),
    (b"POST /n/12.abcdefgh HTTP/1.1\r\n", True),
    (b"GET /api/v1/incidents HTTP/1.1\r\n", False),  # the list is reading
    (b"GET /incidents/new HTTP/1.1\r\n", False),  # the empty form too
    (b"POST /api/v1/incidents/12/statement HTTP/1.1\r\n", False),
    (b"POST /api/v1/incidentsX HTTP/1.1\r\n", False),
    (b"POST /api/v1/incidents", False),  # the request line has not arrived whole
])
def test_the_request_line_decides_the_lane(line, alert):
    assert is_alert_request(line) is alert


def _unread_bytes(server_port, client_port):
    """Bytes the server has not read yet on the connection from ``client_port`` (Linux's /proc/net/tcp)."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    with open("/proc/net/tcp") as fh:
        for line in fh.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return int(fields[4].split(":")[1], 16)
    return None


def _wait_until(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _open(port, data):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(data)
    return sock


def _response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed before a response"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), b"0"))
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split(b" ")[1]), body


def _request(method, path, token, payload=None):
    body = json.dumps(payload).encode() if payload is not None else b""
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode() + body


@pytest.mark.slow
def test_an_exam_incident_is_accepted_while_every_reader_thread_is_held(app, backend):
    department = factories.department()
    officer = factories.user("comms_officer", department)
    director = factories.user("director", department)
    officer_token, director_token = factories.token(officer), factories.token(director)

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(backend), "SECRET_KEY": "alert-lane-test",
           "CRISISCOMM_SCHEDULER": "off", "NOTIFY_DISPATCH": "off", "ALERT_LANE_THREADS": "1"}
    # One worker with ONE ordinary thread: a single slow reader holds all the read capacity there is.
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-k", "crisiscomm.lanes.AlertLaneWorker",
                             "--threads", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                            cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    held = []
    try:
        def answers():
            try:
                with _open(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") as probe:
                    return _response(probe)[0] == 200
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
                return False

        _wait_until(answers, "gunicorn did not answer")

        # A reader whose headers never end: the ordinary thread that takes it waits on it.
        slow = _open(port, b"GET /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held.append(slow)
        _wait_until(lambda: _unread_bytes(port, slow.getsockname()[1]) == 0, "no thread took the slow reader")
        # A second reader now has no thread: its request stays unread.
        reader = _open(port, _request("GET", "/api/v1/incidents", officer_token))
        held.append(reader)

        with _open(port, _request("POST", "/api/v1/incidents", officer_token, {
                "title": "Ảnh đề thi môn Toán lan truyền trên mạng", "category": "exam", "severity": "high",
                "exam_related": True, "occurred_at": "2026-06-26T08:10"})) as report:
            status, body = _response(report)
        assert status == 201, body
        incident = json.loads(body)
        assert incident["status"] == "open" and incident["escalations"], incident

        with _open(port, _request("POST", f"/api/v1/incidents/{incident['id']}/acknowledge",
                                  director_token, {})) as ack:
            status, body = _response(ack)
        assert status == 200, body

        # Both went through while the reader still waits for a thread.
        assert _unread_bytes(port, reader.getsockname()[1]) > 0
        slow.sendall(b"\r\n")  # the slow reader finishes (no token: refused), and the thread is free again
        assert _response(slow)[0] == 401
        status, body = _response(reader)
        assert status == 200 and any(i["id"] == incident["id"] for i in json.loads(body)["items"])
    finally:
        for sock in held:
            sock.close()
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
