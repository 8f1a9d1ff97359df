"""Every main page, with the demo data, loads in Chromium without a script error or a CSP violation:
the one stylesheet and script are whole, and no template slipped in inline script or style."""
import pytest

from crisiscomm.demo import DEMO_PASSWORD, create_demo
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident

PAGES = {
    "giamdoc@hanoi.demo": ["/", "/incidents/", "/incidents/{incident}", "/incidents/policy", "/inquiries",
                           "/inquiries/new", "/inquiries/stats", "/briefings", "/contacts/", "/spokespersons/department",
                           "/scenarios/", "/scenarios/exam-paper-leak/playbook", "/statements", "/plans/",
                           "/notifications/", "/account", "/departments/ha-noi", "/admin/rules", "/admin/rules/new",
                           "/incidents/{incident}/report"],
    "truyenthong@moet.demo": ["/overview/", "/overview/scorecard", "/briefings/compliance", "/scenarios/",
                              "/incidents/", "/plans/"],
    "admin@moet.demo": ["/admin/audit/", "/admin/users", "/admin/rules", "/inquiries/refusal-grounds",
                        "/incidents/ministry-office", "/briefings/exams"],
}


@pytest.mark.browser
def test_main_pages_load_without_script_errors_or_csp_violations(page, app, departments, live_server):
    with app.app_context():
        create_demo()
        db.session.commit()
        incident = db.session.scalar(db.select(Incident.id).order_by(Incident.id))
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.on("console", lambda msg: problems.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    for email, paths in PAGES.items():
        page.context.clear_cookies()
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        for path in paths:
            response = page.goto(path.format(incident=incident))
            assert response.status == 200, f"{email} {path}: {response.status}"
            page.wait_for_load_state("load")
    page.goto("/spokespersons/")
    assert problems == []
