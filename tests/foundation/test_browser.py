"""A Department spokesperson on a phone: signs in, opens the ☰ menu, reads Vietnamese, signs out."""
import pytest

from ..factories import PASSWORD


@pytest.mark.browser
def test_spokesperson_signs_in_navigates_on_a_phone_and_signs_out(page, factory, departments):
    user = factory.user("spokesperson", department="ha-noi", name="Đỗ Minh Tuấn", email="phatngon@hanoi.vn")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.url.endswith("/login?next=%2F") or "/login" in page.url
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Xin chào, Đỗ Minh Tuấn"
    assert "Người phát ngôn" in page.locator("main").inner_text()

    menu = page.locator("nav.mainnav")
    assert not menu.is_visible()  # folded away on a phone
    page.locator("label.nav-toggle-label").click()
    assert menu.is_visible()
    assert not menu.get_by_role("link", name="Các Sở GDĐT").is_visible()  # reference pages wait under "Thêm"
    menu.get_by_text("Thêm").click()
    menu.get_by_role("link", name="Các Sở GDĐT").click()
    page.wait_for_url("**/departments/")
    assert page.locator("h1").inner_text() == "Các Sở Giáo dục và Đào tạo"
    page.get_by_role("link", name="Sở GDĐT Hà Nội", exact=True).first.click()
    page.wait_for_url("**/departments/ha-noi")
    assert "Dữ liệu hiện có" in page.locator("main").inner_text()

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.goto("/departments/ha-noi")
    assert "/login" in page.url
