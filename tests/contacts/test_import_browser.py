"""A communication officer imports the office's Excel list on a phone (390 px) in Chromium: upload, the
column-mapping step, the preview, the import."""
import pytest

from crisiscomm.contacts.models import Contact
from crisiscomm.extensions import db

from ..factories import browser_sign_in


@pytest.mark.browser
def test_officer_maps_the_columns_and_imports_on_a_phone(page, factory, departments, clock, office_files):
    officer = factory.user("comms_officer", department="ha-noi")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_sign_in(page, officer.email)
    page.goto("/contacts/import")
    page.set_input_files("input[name=file]", files=[{
        "name": "DS phóng viên thường trú.xlsx", "buffer": office_files.xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/columns")
    assert page.locator("h1").inner_text() == "Các cột của danh sách"
    assert page.locator("#header_row").input_value() == "4"
    assert page.locator("#col_D").input_value() == "position" and page.locator("#col_A").input_value() == ""
    # phone first: nothing wider than the screen, controls big enough for a thumb
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for control in ("#header_row", "#col_B", "#id_default_outlet_type, #default_outlet_type",
                    "button[value=columns]"):
        assert page.locator(control).first.bounding_box()["height"] >= 44, control
    page.locator("#col_G").select_option("beat")  # this office writes the journalist's beat under "Ghi chú"
    page.get_by_role("button", name="Kiểm tra các dòng").click()
    page.wait_for_url("**/contacts/import/*")
    assert "Số dòng: 5 · hợp lệ: 5 · lỗi: 0" in page.content()
    assert page.get_by_text("Người lập biểu").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.wait_for_url("**/contacts/")
    assert "5" in page.locator(".flash").inner_text()
    db.session.expire_all()
    assert db.session.query(Contact).filter_by(full_name="Trần Thị Bích Ngọc").one().beat == "Phụ trách giáo dục"
