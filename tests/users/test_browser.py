"""On a phone: the Ministry admin deactivates a user; a user creates an API token and sees it once."""
import pytest

from ..factories import PASSWORD


def _sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_admin_deactivates_a_user_on_a_phone(page, factory, departments):
    factory.user("ministry_admin", email="admin@moet.vn", name="Trần Quang Minh")
    factory.user("director", email="giamdoc@hanoi.vn", name="Nguyễn Văn Hùng")
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, "admin@moet.vn")
    page.goto("/admin/users")
    page.get_by_role("link", name="Nguyễn Văn Hùng").click()
    assert page.locator("h1").inner_text() == "Nguyễn Văn Hùng" and _fits_the_phone(page)
    button = page.get_by_role("button", name="Vô hiệu hóa")
    assert button.bounding_box()["height"] >= 44
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    page.wait_for_selector("text=Đã vô hiệu hóa người dùng")
    assert "đã vô hiệu hóa" in page.locator("dl.facts").inner_text()
    assert page.get_by_role("button", name="Kích hoạt lại").is_visible()
    page.goto("/admin/system")
    assert page.locator("h1").inner_text() == "Tình trạng hệ thống" and _fits_the_phone(page)


@pytest.mark.browser
def test_user_creates_a_token_and_sees_it_once_on_a_phone(page, factory, departments):
    factory.user("comms_officer", email="truyenthong@hanoi.vn", name="Lê Thu Hà")
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, "truyenthong@hanoi.vn")
    page.goto("/account")
    page.get_by_label("Nhãn").fill("Cầu nối Zalo")
    page.get_by_label("Hết hạn sau").select_option("30")
    page.get_by_role("button", name="Tạo mã truy cập mới").click()
    token = page.locator("[data-new-token]").inner_text()
    assert token.startswith("cc_") and _fits_the_phone(page)
    page.goto("/account")
    assert page.locator("[data-new-token]").count() == 0
    assert "Cầu nối Zalo" in page.locator("main").inner_text()
