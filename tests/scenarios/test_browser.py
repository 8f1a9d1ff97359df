"""A spokesperson opens a playbook on a phone: their Department and phone number filled in, a copy button."""
import pytest

from crisiscomm.extensions import db
from crisiscomm.scenarios import service

from ..factories import browser_sign_in
from ..factories import spokesperson_assignment


@pytest.mark.browser
def test_spokesperson_opens_a_playbook_on_a_phone(page, factory, departments):
    report = service.sync()
    assert report.ok
    db.session.commit()
    hanoi = factory.department("ha-noi")
    user = factory.user("spokesperson", name="Đỗ Minh Tuấn", email="phatngon@hanoi.vn", phone="0905 123 405")
    spokesperson_assignment(hanoi, user, raw=True, public_phone="024 3942 0000")

    browser_sign_in(page, user.email, viewport={"width": 390, "height": 844}, next="/scenarios/")
    page.get_by_role("link", name="Lộ, lọt đề thi trước hoặc trong khi thi").click()
    page.wait_for_url("**/scenarios/exam-paper-leak")
    page.locator("main a.btn-primary", has_text="Mở kịch bản").first.click()
    page.wait_for_url("**/scenarios/exam-paper-leak/playbook")

    statement = page.locator("#holding-statement")
    assert statement.is_visible()
    text = statement.inner_text()
    assert "Sở GDĐT Hà Nội" in text
    assert "Đỗ Minh Tuấn, 024 3942 0000" in text
    copy = page.locator("button[data-copy='#holding-statement']")
    assert copy.is_visible()
    box = copy.bounding_box()
    assert box["x"] + box["width"] <= 390  # on screen, not pushed off the side of a phone
    # Nothing spills sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".checklist").first.is_visible()


@pytest.mark.browser
def test_adaptation_editor_counts_key_message_words_live(page, factory, departments):
    assert service.sync().ok
    db.session.commit()
    user = factory.user("comms_officer", email="truyenthong@hanoi.vn")
    browser_sign_in(page, user.email, next="/scenarios/food-poisoning/adaptation")
    counts = page.locator("#key-message-counts li")
    assert counts.count() == 3
    assert page.locator("#key-message-counts li.error").count() == 0
    editor = page.locator("textarea[data-keymessages]")
    text = editor.input_value()
    first = next(line for line in text.split("\n") if line.startswith("### "))
    editor.fill(text.replace(first, first + " " + " ".join(["thêm"] * 30), 1))
    editor.dispatch_event("input")
    assert page.locator("#key-message-counts li.error").count() == 1
    assert page.locator("#key-message-counts li.error").inner_text().split(" / ")[0].isdigit()
