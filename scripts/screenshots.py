"""Screenshots for README: the main pages, as the demo users see them.

    .venv/bin/python scripts/screenshots.py [OUTPUT_DIR [FILE.png ...]]   (default: docs/screenshots, all of them)

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
SHOTS = [  # (file, viewport, demo user or None, path or a function that leads there; {incident}: the exam incident)
    ("login.png", DESKTOP, None, "/login"),
    # the start page of each role on a phone; the director's during an exam incident nobody has acknowledged yet
    ("home-director-phone.png", PHONE, "giamdoc@hanoi.demo", "/"),
    ("home-steering-board-phone.png", PHONE, "bcd@hanoi.demo", "/"),
    ("home-officer-phone.png", PHONE, "truyenthong@hanoi.demo", "/"),
    ("home-spokesperson-phone.png", PHONE, "phatngon@hanoi.demo", "/"),
    ("home-ministry-phone.png", PHONE, "truyenthong@moet.demo", "/"),
    ("overview-phone.png", PHONE, "truyenthong@moet.demo", "/overview/"),
    ("incident.png", DESKTOP, "giamdoc@hanoi.demo", "/incidents/{incident}"),
    ("playbook-phone.png", PHONE, "phatngon@hanoi.demo", "/scenarios/exam-paper-leak/playbook"),
    ("inquiry-intake-phone.png", PHONE, "truyenthong@hanoi.demo", "/inquiries/new"),
    ("inquiries.png", DESKTOP, "truyenthong@hanoi.demo", "/inquiries"),
    ("contacts.png", DESKTOP, "truyenthong@hanoi.demo", "/contacts/"),
    ("contacts-import-columns-phone.png", PHONE, "truyenthong@hanoi.demo", lambda page: upload_office_list(page)),
    ("briefings-compliance.png", DESKTOP, "truyenthong@moet.demo", "/briefings/compliance"),
    ("scenario-distribution.png", DESKTOP, "truyenthong@moet.demo", "/scenarios/"),
    ("overview.png", DESKTOP, "truyenthong@moet.demo", "/overview/"),
    ("spokespersons-public.png", DESKTOP, None, "/spokespersons/"),
    ("push-phone.png", PHONE, "giamdoc@hanoi.demo", "/account"),
    ("story.png", DESKTOP, "phatngon@hanoi.demo", "/stories/2"),
    ("stories-public-phone.png", PHONE, None, "/good-stories/ha-noi"),
    ("mentions-phone.png", PHONE, "truyenthong@hanoi.demo", "/monitoring/"),
    # the school network: the Department's schools, an orientation message's acknowledgements, a focal point's
    # own start page, who is trained
    ("network-phone.png", PHONE, "truyenthong@hanoi.demo", "/network/"),
    ("orientation-phone.png", PHONE, "truyenthong@hanoi.demo", "/orientation/{orientation}"),
    ("home-network-member-phone.png", PHONE, "hieupho@kimlien.demo", "/"),
    ("training-people.png", DESKTOP, "giamdoc@hanoi.demo", "/training/people"),
]
# Shots of one part of a long page: the viewport with this element scrolled to the top.
FOCUS = {"push-phone.png": "[data-push-prompt]", "mentions-phone.png": "#mention-counts"}


def upload_office_list(page):
    """Upload an office-style Excel list (the tests' own builder: title, header on row 4, merged cells,
    signature block) and return the path of its column-mapping step."""
    from tests.contacts.conftest import office_xlsx

    page.goto("/contacts/import")
    page.set_input_files("input[name=file]", files=[{
        "name": "DS phóng viên thường trú.xlsx", "buffer": office_xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("form button.btn-primary")
    page.wait_for_url("**/columns")
    return "/" + page.url.split("/", 3)[3]


def _live_exam_incident(app):
    """An exam incident logged a quarter of an hour ago that the director and the steering board have not
    acknowledged yet: what their phones show at the moment of truth."""
    from datetime import timedelta

    from crisiscomm.clock import now
    from crisiscomm.incidents import service
    from crisiscomm.scoping import resolve_department
    from crisiscomm.users.service import find_by_email

    with app.test_request_context():
        officer = find_by_email("truyenthong@hanoi.demo")
        department = resolve_department("ha-noi", user=officer)
        service.create_incident(actor=officer, department=department, data={
            "title": "Nghi lộ đề thi môn Toán trên mạng xã hội", "category": "exam", "severity": "critical",
            "exam_related": True, "exam": "Kỳ thi tốt nghiệp THPT năm 2026",
            "occurred_at": now() - timedelta(minutes=15), "place": "Điểm thi THPT Chu Văn An",
            "description": "Ảnh chụp đề thi môn Toán xuất hiện trên một nhóm Facebook lúc 8h05.",
            "scenario": "exam-paper-leak"})
        db.session.commit()


def main(out_dir, only=()):
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
        from crisiscomm.orientation.models import OrientationMessage

        orientation = db.session.scalar(db.select(OrientationMessage.id).order_by(OrientationMessage.id)) or 1
        _live_exam_incident(app)
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
                if only and name not in only:
                    continue
                context = browser.new_context(base_url=base, viewport=viewport, locale="vi-VN",
                                              timezone_id="Asia/Ho_Chi_Minh")
                page = context.new_page()
                if email:
                    page.goto("/login")
                    page.fill("input[name=email]", email)
                    page.fill("input[name=password]", DEMO_PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_url(base + "/")
                target_path = path(page) if callable(path) else path.format(incident=incident, orientation=orientation)
                response = page.goto(target_path)
                if response is None or response.status >= 400:
                    print("skipped", name, "(", path, "answered", response and response.status, ")")
                    context.close()
                    continue
                target = os.path.join(out_dir, name)
                if name in FOCUS:
                    page.wait_for_selector(FOCUS[name] + ":not([hidden])")
                    page.eval_on_selector(FOCUS[name], "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 8)")
                # phone homes as the first screen a person sees; other phone pages whole
                page.screenshot(path=target, full_page=viewport is PHONE and name not in FOCUS
                                and not name.startswith("home-"))
                print("wrote", os.path.relpath(target, PROJECT_DIR))
                context.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(PROJECT_DIR, "docs", "screenshots"), sys.argv[2:])
