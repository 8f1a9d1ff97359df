"""The spokesperson opens the exam-paper-leak playbook on a phone: the holding statement, then the key messages,
then the actions; the spokesperson's number dials with a tap; the Department's portal is flagged as missing until
the Department fills it in, then quoted."""
import pytest

from crisiscomm.demo import DEMO_PASSWORD, create_demo
from crisiscomm.extensions import db

from ..factories import browser_sign_in

pytestmark = pytest.mark.browser


def test_playbook_on_a_phone_reads_in_order_dials_and_fills_the_departments_details(page, app, departments,
                                                                                    live_server):
    with app.app_context():
        create_demo()
        db.session.commit()
    browser_sign_in(page, "phatngon@hanoi.demo", DEMO_PASSWORD, viewport={"width": 390, "height": 844})
    page.goto("/scenarios/exam-paper-leak/playbook")

    tops = [page.locator(sel).bounding_box()["y"] for sel in
            ("#holding-statement", "#key-messages", ".playbook-phases", ".playbook-body")]
    assert tops == sorted(tops)
    assert tops[1] < 844 * 3  # key messages within three screens, not 5,700 px down
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    dial = page.locator('#holding-statement a[href^="tel:"]')
    assert dial.count() >= 1 and dial.first.get_attribute("href") == "tel:02438251234"

    missing = page.locator("#playbook-missing")
    assert "Cổng thông tin điện tử của Sở" in missing.inner_text()
    missing.get_by_role("link", name="Bổ sung thông tin của Sở").click()
    page.wait_for_url("**/departments/ha-noi/contact**")
    page.get_by_label("Cổng thông tin điện tử").fill("không phải địa chỉ")
    page.get_by_role("button", name="Lưu").click()
    assert "https://" in page.locator(".field.has-error").inner_text()  # named, nothing saved
    page.get_by_label("Cổng thông tin điện tử").fill("https://hanoi.edu.vn")
    page.get_by_label("Đường dây nóng kỳ thi").fill("024 3942 1234")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/scenarios/exam-paper-leak/playbook**")  # back where the spokesperson was
    assert "https://hanoi.edu.vn" in page.locator(".playbook-body").inner_text()
    missing = page.locator("#playbook-missing")
    assert missing.count() == 0 or "Cổng thông tin điện tử" not in missing.inner_text()
