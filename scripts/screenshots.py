"""Screenshots for README: the main pages, as the demo users see them.

    .venv/bin/python scripts/screenshots.py [OUTPUT_DIR]   (default: docs/screenshots)

Builds a throw-away SQLite database with the reference and demo data, serves the app on a free local
port and drives Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) through Playwright.
"""
import os
import socket
import sys
import tempfile
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT_DIR)

from crisiscomm import create_app  # noqa: E402
from crisiscomm.demo import DEMO_PASSWORD  # noqa: E402
from crisiscomm.extensions import db  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SHOTS = [  # (file, viewport, demo user or None, path; {incident} is the demo exam incident's id)
    ("login.png", DESKTOP, None, "/login"),
    ("start.png", DESKTOP, "giamdoc@hanoi.demo", "/"),
    ("incident.png", DESKTOP, "giamdoc@hanoi.demo", "/incidents/{incident}"),
    ("playbook-phone.png", PHONE, "phatngon@hanoi.demo", "/scenarios/exam-paper-leak/playbook"),
    ("inquiry-intake-phone.png", PHONE, "truyenthong@hanoi.demo", "/inquiries/new"),
    ("inquiries.png", DESKTOP, "truyenthong@hanoi.demo", "/inquiries"),
    ("contacts.png", DESKTOP, "truyenthong@hanoi.demo", "/contacts/"),
    ("briefings-compliance.png", DESKTOP, "truyenthong@moet.demo", "/briefings/compliance"),
    ("scenario-distribution.png", DESKTOP, "truyenthong@moet.demo", "/scenarios/"),
    ("overview.png", DESKTOP, "truyenthong@moet.demo", "/overview/"),
    ("spokespersons-public.png", DESKTOP, None, "/spokespersons/"),
    ("story.png", DESKTOP, "phatngon@hanoi.demo", "/stories/2"),
    ("stories-public-phone.png", PHONE, None, "/good-stories/ha-noi"),
]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="crisiscomm-shots-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tmp, "shots.db"),
                      "NOTIFY_DISPATCH": "off", "SCHEDULER_MODE": "off"})
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["setup", "--demo"])
        if result.exit_code:
            raise SystemExit(f"setup failed: {result.output} {result.exception!r}")
        from crisiscomm.incidents.models import Incident

        incident = db.session.scalar(db.select(Incident.id).where(Incident.exam_related.is_(True))
                                     .order_by(Incident.id)) or 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for name, viewport, email, path in SHOTS:
                context = browser.new_context(base_url=base, viewport=viewport, locale="vi-VN",
                                              timezone_id="Asia/Ho_Chi_Minh")
                page = context.new_page()
                if email:
                    page.goto("/login")
                    page.fill("input[name=email]", email)
                    page.fill("input[name=password]", DEMO_PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_url(base + "/")
                response = page.goto(path.format(incident=incident))
                if response is None or response.status >= 400:
                    print("skipped", name, "(", path, "answered", response and response.status, ")")
                    context.close()
                    continue
                target = os.path.join(out_dir, name)
                page.screenshot(path=target, full_page=viewport is PHONE)
                print("wrote", os.path.relpath(target, PROJECT_DIR))
                context.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(PROJECT_DIR, "docs", "screenshots"))
