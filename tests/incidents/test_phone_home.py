"""At an exam site, on a phone: the director opens the app and acknowledges the exam incident in one tap;
the officer logging an exam incident gets high severity, the exam playbook, and no drill controls."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.incidents.models import Escalation, Incident

from ..factories import browser_sign_in
from .conftest import incident_body

pytestmark = pytest.mark.browser


def _sign_in(page, email):
    browser_sign_in(page, email, viewport={"width": 390, "height": 844})


def test_director_acknowledges_an_exam_incident_from_the_start_page_in_one_tap(world, factory, page, clock,
                                                                            smtp_server):
    response = factory.api(world.officer).post("/api/v1/incidents", json=incident_body(severity="critical"))
    assert response.status_code == 201
    incident_id = response.get_json()["id"]
    factory.api(world.officer).post("/api/v1/incidents", json=incident_body(
        title="Phụ huynh phản ánh học phí", category="finance", exam_related=False, severity="low"))
    clock.advance(minutes=12)

    _sign_in(page, world.director.email)
    card = page.locator(f"#home-incident-{incident_id}")
    # pinned first, in red, with severity, exam tag and how long ago it was logged, above the fold
    assert page.locator(".incident-card").first.get_attribute("id") == f"home-incident-{incident_id}"
    assert "incident-card-alert" in card.get_attribute("class")
    text = card.inner_text()
    assert "nghiêm trọng" in text and "Kỳ thi tốt nghiệp THPT năm 2026" in text and "12 phút trước" in text
    button = card.get_by_role("button", name="Tôi đã nắm thông tin")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= 844 and box["height"] >= 44 and box["width"] >= 300

    button.click()  # the one tap
    page.wait_for_url("**/")
    assert "Đã xác nhận" in page.locator(".flash").inner_text()
    mine = db.session.scalars(select(Escalation).where(Escalation.incident_id == incident_id,
                                                       Escalation.recipient_id == world.director.id)).all()
    assert mine and all(e.acknowledged_at == clock.now() and e.acknowledged_via == "app" for e in mine)
    assert page.locator(f"#home-incident-{incident_id}").get_by_role("button").count() == 0


def test_officer_logging_an_exam_incident_gets_high_severity_the_exam_playbook_and_no_drill_list(
        world, page, clock, app):
    from crisiscomm.scenarios.service import sync

    sync()
    db.session.commit()
    _sign_in(page, world.officer.email)
    page.get_by_role("link", name="Báo sự cố").click()
    page.wait_for_url("**/incidents/new")
    assert page.locator("#severity").input_value() == "medium"
    assert not page.get_by_text("Người tham gia diễn tập").is_visible()  # drill controls wait for "diễn tập"
    page.locator("#title").fill("Nghi lộ đề thi môn Toán trên mạng xã hội")
    page.get_by_label("Liên quan đến kỳ thi").check()
    assert page.locator("#severity").input_value() == "high"
    assert page.locator("#category").input_value() == "exam"
    assert page.locator("#scenario").input_value() == "exam-paper-leak"
    page.locator("label.check", has_text="DIỄN TẬP").click()
    assert page.get_by_text("Người tham gia diễn tập").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("label.check", has_text="DIỄN TẬP").click()  # not a drill after all
    assert not page.get_by_text("Người tham gia diễn tập").is_visible()
    page.get_by_role("button", name="Lưu và báo tin ngay").click()
    page.wait_for_url(re.compile(r".*/incidents/\d+$"))
    incident = db.session.scalars(select(Incident).order_by(Incident.id.desc())).first()
    assert incident.severity == "high" and incident.scenario_version.scenario.slug == "exam-paper-leak"
    # countdowns say how long is left, in words, with the deadline's local time
    clock_text = page.locator(".statement-clock .countdown").inner_text()
    assert clock_text.startswith("còn ") and " phút" in clock_text
    assert ":" in clock_text.split("·")[-1]
    assert timedelta(0) < incident.first_statement_due_at - clock.now()
