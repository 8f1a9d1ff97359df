"""In Chromium: a communication officer logs an exam-paper leak; the director acknowledges from the real email."""
import re

import pytest
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.incidents.models import Incident

from ..factories import PASSWORD


@pytest.mark.browser
def test_officer_logs_exam_paper_leak_and_director_acknowledges_from_the_email(world, page, live_server,
                                                                              smtp_server):
    page.goto("/login")
    page.fill("#email", world.officer.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))

    page.goto("/incidents/new?exam=1")
    page.fill("#title", "Đề thi môn Toán bị chụp và phát tán lên mạng")
    page.select_option("#severity", "critical")
    page.fill("#place", "Điểm thi Trường THPT Việt Đức")
    page.fill("#exam", "Kỳ thi tốt nghiệp THPT năm 2026")
    page.fill("#description", "Phát hiện ảnh chụp đề thi môn Toán trên một nhóm Zalo lúc 7h55.")
    assert page.is_checked("#exam_related")
    page.click("main form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/\d+$"))
    assert "Đề thi môn Toán bị chụp" in page.inner_text("h1")
    table = page.inner_text("#escalation")
    assert "Nguyễn Văn Hùng" in table and "Hoàng Văn Nam" in table and "Trần Thị Bích" in table

    [mail] = smtp_server.to(world.director.email)
    body = mail.get_body(("plain",)).get_content()
    link = re.search(r"(http://127\.0\.0\.1:\d+/incidents/ack/\S+)", body).group(1)
    incident_url = page.url

    page.goto(link)
    page.click("#ack-confirm")
    page.wait_for_selector("#ack-done")

    page.goto(incident_url)
    row = page.inner_text("#escalation tr:has-text('Nguyễn Văn Hùng')")
    assert "✓" in row
    db.session.expire_all()
    incident = db.session.scalar(select(Incident))
    director_row = next(e for e in incident.escalations if e.recipient_id == world.director.id)
    assert director_row.acknowledged_via == "link"
    # Exam incident: the steering board has not acknowledged yet, so level 1 is still waiting.
    assert incident.level1_acknowledged_at is None
    assert "Ban Chỉ đạo thi" in page.inner_text("#ack-state") or "steering board" in page.inner_text("#ack-state")
