"""On a phone, a Department's director enters the province's deadline rule and sees it with its source; the fast
report page offers the PDF and the signer."""
import pytest

from crisiscomm.extensions import db
from crisiscomm.rules import service

from ..factories import browser_sign_in


@pytest.mark.browser
def test_director_enters_the_province_rule_on_a_phone(page, factory, departments, clock):
    service.seed_defaults()
    db.session.commit()
    director = factory.user("director", name="Nguyễn Văn Hùng", email="giamdoc@hanoi.vn")
    browser_sign_in(page, director.email, viewport={"width": 390, "height": 844}, next="/admin/rules")
    assert "Mốc tham chiếu của Bộ" in page.content()
    page.get_by_role("link", name="+ Nhập quy định của tỉnh").click()
    page.get_by_label("Tên quy định").fill("Thông tin ban đầu về sự cố (quy chế phát ngôn của Thành phố)")
    page.get_by_label("Văn bản (số, tên)").fill("Quyết định 12/2024/QĐ-UBND")
    page.get_by_label("Điều, khoản").fill("Điều 7")
    page.get_by_label("Ngày ban hành").fill("2024-03-15")
    page.get_by_label("Nội dung quy định").fill("Cung cấp thông tin ban đầu chậm nhất 12 giờ sau khi biết sự việc.")
    page.get_by_label("Thời hạn (phút)").fill("720")
    save = page.get_by_role("button", name="Lưu quy định")
    assert save.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save.click()
    page.wait_for_url("**/admin/rules")
    row = page.locator("tr", has_text="quy chế phát ngôn của Thành phố")
    assert "Quyết định 12/2024/QĐ-UBND, Điều 7, ban hành 15/03/2024" in row.inner_text()
    assert "Quy chế phát ngôn của tỉnh" in row.inner_text()
