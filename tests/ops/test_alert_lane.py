"""The alert lane: with every ordinary thread of the only gunicorn worker held by a reader, an exam incident is
still accepted and escalated, and its acknowledgement goes through; the reader behind them waits its turn."""
import json
import os
import re
import socket
import subprocess
import time

import pytest

from crisiscomm import PROJECT_DIR
from crisiscomm.lanes import is_alert_request

from .. import factories
from ..conftest import database_url, free_port
from ..gunicorn import Gunicorn
from ..waiting import wait_until


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


def test_nginx_sends_the_same_requests_to_the_alert_instance():
    """Production routes the alert path to its own gunicorn (deploy/): nginx's map and the workers' lane agree."""
    with open(os.path.join(PROJECT_DIR, "deploy", "nginx-crisiscomm.conf"), encoding="utf-8") as fh:
        nginx = fh.read()
    block = re.search(r'map "\$request_method \$uri" \$crisiscomm_upstream \{(.*?)\n\}', nginx, re.S).group(1)
    patterns = [re.compile(m) for m in re.findall(r'"~(.+?)"\s+crisiscomm_alert;', block)]
    assert patterns and "proxy_pass http://$crisiscomm_upstream;" in nginx
    with open(os.path.join(PROJECT_DIR, "deploy", "crisiscomm-alert.service"), encoding="utf-8") as fh:
        assert "-b 127.0.0.1:8001" in fh.read() and "server 127.0.0.1:8001;" in nginx
    for method, path in [("POST", "/api/v1/incidents"), ("POST", "/api/v1/incidents/12/acknowledge"),
                         ("POST", "/incidents/new"), ("POST", "/incidents/7/acknowledge"),
                         ("GET", "/incidents/ack/abc.def"), ("POST", "/n/12.abcdefgh"), ("GET", "/n/12.ab"),
                         ("GET", "/api/v1/incidents"), ("GET", "/incidents/new"), ("GET", "/incidents/7"),
                         ("POST", "/api/v1/incidents/12/statement"), ("POST", "/api/v1/inquiries")]:
        by_nginx = any(p.match(f"{method} {path}") for p in patterns)
        assert by_nginx is is_alert_request(f"{method} {path} HTTP/1.1\r\n".encode()), (method, path)


def _unread_bytes(server_port, client_port):
    """Bytes the server has not read yet on the connection from ``client_port`` (Linux's /proc/net/tcp)."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    with open("/proc/net/tcp") as fh:
        for line in fh.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return int(fields[4].split(":")[1], 16)
    return None


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
    # One worker with ONE ordinary thread: a single slow reader holds all the read capacity there is.
    server = Gunicorn(database_url(backend), port, threads=1, NOTIFY_DISPATCH="off", ALERT_LANE_THREADS=1)
    held = []
    try:
        server.wait_until_serving()

        # A reader whose headers never end: the ordinary thread that takes it waits on it.
        slow = _open(port, b"GET /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held.append(slow)
        wait_until(lambda: _unread_bytes(port, slow.getsockname()[1]) == 0, "no thread took the slow reader")
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
        server.stop()


def _echo_server(name):
    """A stand-in upstream that answers every request with its own name (the routing is nginx's work)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Echo(BaseHTTPRequestHandler):
        def _answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_nginx_with_the_shipped_site_sends_the_alert_path_to_the_alert_instance(tmp_path):
    import shutil
    import ssl
    import urllib.request

    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx_bin):
        message = "Debian's nginx is not installed: the routing of deploy/nginx-crisiscomm.conf is checked with it"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI installs it in .ci/run)")
        pytest.skip(message)
    os.chmod(tmp_path, 0o755)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    web, alert = _echo_server("web"), _echo_server("alert")
    https_port, http_port = free_port(), free_port()
    with open(os.path.join(PROJECT_DIR, "deploy", "nginx-crisiscomm.conf"), encoding="utf-8") as fh:
        site = fh.read()
    # The shipped site with this machine's ports, a throwaway certificate and logs in the test's folder.
    for old, new in [("127.0.0.1:8000", f"127.0.0.1:{web.server_port}"),
                     ("127.0.0.1:8001", f"127.0.0.1:{alert.server_port}"),
                     ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("/etc/ssl/crisiscomm/fullchain.pem", str(tmp_path / "cert.pem")),
                     ("/etc/ssl/crisiscomm/privkey.pem", str(tmp_path / "key.pem")),
                     ("/var/log/nginx/", f"{tmp_path}/")]:
        assert old in site, old
        site = site.replace(old, new)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = re.sub(r"\n\s*http2 on;", "", site)  # Debian 12's nginx 1.22 predates the directive
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"{'user root;' if os.geteuid() == 0 else ''}\nevents {{}}\n"
        f"http {{ include {tmp_path}/site.conf; }}\n", encoding="utf-8")
    proc = subprocess.Popen([nginx_bin, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    context = ssl._create_unverified_context()

    def upstream(method, path):
        request = urllib.request.Request(f"https://127.0.0.1:{https_port}{path}", method=method,
                                         data=b"{}" if method == "POST" else None,
                                         headers={"Host": "crisiscomm.example.gov.vn"})
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.read().decode()

    try:
        def started():
            assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_until(started, "nginx did not start")
        routes = {(m, p): upstream(m, p) for m, p in [
            ("POST", "/api/v1/incidents"), ("POST", "/api/v1/incidents/12/acknowledge"), ("POST", "/incidents/new"),
            ("GET", "/incidents/ack/abc.def"), ("GET", "/n/12.abcdefgh?x=1"),
            ("GET", "/api/v1/incidents"), ("GET", "/incidents/new"), ("POST", "/api/v1/inquiries"), ("GET", "/")]}
        assert routes == {key: "alert" if is_alert_request(f"{key[0]} {key[1]} HTTP/1.1\r\n".encode()) else "web"
                          for key in routes}
        assert list(routes.values()).count("alert") == 5
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        for server in (web, alert):
            server.shutdown()
            server.server_close()


@pytest.mark.slow
def test_new_readers_wait_while_an_incident_is_being_reported(app, backend):
    """crisiscomm/priority.py: while the alert path runs in a worker, a fresh reader of that worker waits before it
    starts (it would share the interpreter lock with the alert), and is answered once the incident is in."""
    department = factories.department()
    officer = factories.user("comms_officer", department)
    token = factories.token(officer)
    port = free_port()
    server = Gunicorn(database_url(backend), port, threads=2, NOTIFY_DISPATCH="off", ALERT_LANE_THREADS=1,
                      ALERT_GATE_SECONDS=30)
    held = []
    try:
        server.wait_until_serving()
        report = _request("POST", "/api/v1/incidents", token, {
            "title": "Nghi lộ đề thi môn Ngữ văn", "category": "exam", "severity": "critical", "exam_related": True,
            "occurred_at": "2026-06-26T07:40"})
        # The report arrives slowly: its body is still on the way while the alert thread handles it.
        alert = _open(port, report[:-10])
        held.append(alert)
        wait_until(lambda: _unread_bytes(port, alert.getsockname()[1]) == 0, "the alert lane did not take it")
        reader = _open(port, _request("GET", "/api/v1/incidents", token))
        held.append(reader)
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:  # an ordinary thread is free, yet the reader does not start
            assert _unread_bytes(port, reader.getsockname()[1]) > 0, "the reader started during the alert"
            time.sleep(0.05)
        alert.sendall(report[-10:])
        status, body = _response(alert)
        assert status == 201, body
        incident_id = json.loads(body)["id"]
        status, body = _response(reader)  # started after the incident was in: it lists it
        assert status == 200 and any(i["id"] == incident_id for i in json.loads(body)["items"])
    finally:
        for sock in held:
            sock.close()
        server.stop()
