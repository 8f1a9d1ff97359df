"""Screenshots for README: the sign-in page and the start page of a Department spokesperson.

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
SHOTS = [  # (file, viewport, signed in)
    ("login.png", {"width": 1280, "height": 800}, False),
    ("start.png", {"width": 1280, "height": 800}, True),
    ("start-phone.png", {"width": 390, "height": 844}, True),
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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for name, viewport, signed_in in SHOTS:
                context = browser.new_context(base_url=base, viewport=viewport, locale="vi-VN",
                                              timezone_id="Asia/Ho_Chi_Minh")
                page = context.new_page()
                page.goto("/login")
                if signed_in:
                    page.fill("input[name=email]", "phatngon@hanoi.demo")
                    page.fill("input[name=password]", DEMO_PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_url(base + "/")
                path = os.path.join(out_dir, name)
                page.screenshot(path=path, full_page=True)
                print("wrote", os.path.relpath(path, PROJECT_DIR))
                context.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(PROJECT_DIR, "docs", "screenshots"))
