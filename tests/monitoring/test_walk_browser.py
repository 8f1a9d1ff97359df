"""The `make run` walk in Chromium at phone width, on the demo data: Hà Nội's communication officer opens the
mention inbox, picks the negative leaked-paper story, turns it into an exam incident in one step, and the
escalation runs (the director's email reaches the SMTP server; the incident page shows who was alerted and links
back to the mention)."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crisiscomm import registry
from crisiscomm.demo import DEMO_PASSWORD, create_demo
from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident
from crisiscomm.monitoring.demo import EXAM_STORY

from ..factories import browser_sign_in


@pytest.mark.browser
def test_an_officer_turns_a_negative_demo_mention_into_an_exam_incident_that_escalates(app, page, departments,
                                                                                       live_server, smtp_server):
    with app.app_context():  # what `make run` does: `flask setup --demo`
        for hook in registry.items("setup"):
            hook()
        create_demo()
        db.session.commit()
    title = EXAM_STORY[1]
    browser_sign_in(page, "truyenthong@hanoi.demo", DEMO_PASSWORD, viewport={"width": 390, "height": 844})

    page.goto("/monitoring/")
    page.select_option("#mention-tone", "negative")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*tone=negative.*"))
    page.click(f"#mention-list a:has-text('{title[:40]}')")
    page.wait_for_url(re.compile(r".*/monitoring/mentions/\d+$"))
    mention_url = page.url
    expect(page.locator("#mention-state")).to_contain_text("tiêu cực")

    incident_form = page.locator("#mention-incident")
    assert incident_form.locator("#incident-category").input_value() == "exam"
    assert incident_form.locator("input[name=exam_related]").is_checked()
    incident_form.locator("button.btn-danger").click()
    page.wait_for_url(re.compile(r".*/incidents/\d+$"))
    expect(page.locator("h1")).to_contain_text(title[:40])
    expect(page.locator("#escalation")).to_contain_text("Nguyễn Văn Hùng")  # the director, alerted
    expect(page.locator("#escalation")).to_contain_text("Hoàng Văn Nam")  # the exam steering board
    back = page.locator("#mentions a")
    assert back.get_attribute("href") == mention_url.removeprefix(live_server.url)

    about = [m for m in smtp_server.to("giamdoc@hanoi.demo") if title[:30] in m.get_body(("plain",)).get_content()]
    assert len(about) == 1  # the director's level-1 escalation email, once
    db.session.expire_all()
    incident = db.session.scalar(select(Incident).where(Incident.title == title))
    assert incident.exam_related and incident.category == "exam"
