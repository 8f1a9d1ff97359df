"""On a phone: a focal point acknowledges from their start page in one tap; one without an account from the
email's link, without signing in."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.orientation.models import OrientationRecipient

from .. import factories
from ..factories import PASSWORD, browser_sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_member_acknowledges_from_the_start_page(hanoi, page, smtp_server):
    factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    member = hanoi["member"]
    browser_sign_in(page, member.email, PASSWORD, viewport=PHONE)
    panel = page.locator("#home-orientation")
    assert "Định hướng thông tin về đề thi" in panel.inner_text()
    button = panel.get_by_role("button", name="Đã nhận và sẽ thực hiện")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["y"] + box["height"] <= 844
    button.click()
    page.wait_for_selector("#ack-state")
    assert "Đã xác nhận lúc" in page.locator("#ack-state").inner_text()
    db.session.expire_all()
    row = db.session.scalar(select(OrientationRecipient).where(OrientationRecipient.user_id == member.id))
    assert row.ack_channel == "app"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_email_link_on_a_phone_without_signing_in(hanoi, page, live_server, smtp_server):
    factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    address = hanoi["schools"][1].focal_points[0].email
    [mail] = smtp_server.to(address)
    link = re.search(r"http\S+/orientation/ack/\S+", mail.get_body(("plain",)).get_content()).group(0)
    page.set_viewport_size(PHONE)
    page.goto(urlsplit(link).path)
    assert "Không bình luận về đề thi." in page.inner_text("main")
    page.click("#ack-confirm")
    page.wait_for_selector("#ack-done")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    db.session.expire_all()
    row = db.session.scalar(select(OrientationRecipient).where(OrientationRecipient.email == address))
    assert row.acknowledged_at is not None and row.ack_channel == "email"
