"""A real HTTP server serving feeds in the shapes of Vietnamese outlets, and a Department with its people."""
import threading
import unicodedata
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from crisiscomm.extensions import db
from crisiscomm.monitoring import settings
from crisiscomm.rules.service import seed_defaults

from .. import factories


class FeedServer:
    """Serves ``routes[path] = (bytes, content type)`` with an ETag; answers 304 to a matching If-None-Match;
    ``/slow`` answers only after the test ends (a timeout); counts requests per path."""

    def __init__(self):
        self.routes, self.hits, self.conditional = {}, {}, {}
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                path = self.path
                server.hits[path] = server.hits.get(path, 0) + 1
                try:
                    if path == "/slow":
                        server.release.wait(10)
                        return
                    if path not in server.routes:
                        self.send_response(404)
                        self.end_headers()
                        return
                    body, ctype = server.routes[path]
                    etag = '"%d"' % hash(body)
                    if self.headers.get("If-None-Match") == etag:
                        server.conditional[path] = server.conditional.get(path, 0) + 1
                        self.send_response(304)
                        self.end_headers()
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", "Thu, 25 Jun 2026 10:00:00 GMT")
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, path, body, ctype="application/rss+xml; charset=utf-8"):
        self.routes[path] = (body if isinstance(body, bytes) else body.encode("utf-8"), ctype)
        return self.url + path

    def start(self):
        self.thread.start()

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def feed_server(app):
    server = FeedServer()
    server.start()
    app.config.update(MONITORING_FEED_TIMEOUT=0.5, MONITORING_FEED_MAX_BYTES=20_000)
    yield server
    server.stop()


def cp1258(text):
    """Vietnamese in Windows-1258: a precomposed base letter where the code page has one, the tone mark after."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            rest = marks[:i] + marks[i + 1:]
            try:
                out += unicodedata.normalize("NFC", base + mark).encode("cp1258") + "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return out


@pytest.fixture
def world(app, factory, clock):
    """The 34 Departments after the 2025 merger with their generated terms and the Ministry's crisis terms;
    Hà Nội's director, spokesperson (official), communication officer and a viewer; an HCM officer; the admin."""
    factory.departments()
    seed_defaults()
    w = SimpleNamespace()
    user = partial(factories.user, quick=True)
    w.hanoi = factory.department("ha-noi")
    w.hcm = factory.department("ho-chi-minh")
    w.director = user("director", email="giamdoc@hanoi.edu.vn", name="Nguyễn Văn Hùng")
    w.spokesperson = user("spokesperson", email="phatngon@hanoi.edu.vn", name="Đỗ Minh Tuấn")
    w.officer = user("comms_officer", email="truyenthong@hanoi.edu.vn", name="Vũ Thị Mai")
    w.board = user("steering_board", email="bcd@hanoi.edu.vn", name="Hoàng Văn Nam")
    w.other = user("comms_officer", department="ho-chi-minh", email="truyenthong@hcm.edu.vn")
    w.admin = user("ministry_admin", department=None, email="admin@moet.gov.vn", name="Trần Quang Minh")
    factories.spokesperson_assignment(w.hanoi, w.spokesperson, raw=True)
    settings.seed()
    db.session.commit()
    return w
