"""The Ministry's communication centre opens the overview in Chromium and reads the seeded figures."""

import pytest

from ..factories import PASSWORD, browser_sign_in
from .seed import seed_year



@pytest.mark.browser
def test_ministry_user_reads_the_overview_and_its_numbers(page, factory, departments, clock, backend):
    from crisiscomm.extensions import db

    from .test_escalation_metrics import by_title, escalate
    from ..factories import inquiry
    from .test_inquiry_metrics import PHONED
    from .seed import utc

    data = seed_year(factory, clock)
    escalate(by_title("Nghi lộ đề thi môn Ngữ văn"), utc(2026, 6, 26, 0, 30), None, None)  # nobody answered yet
    inquiry(department=data["hanoi"], subject="Đề thi Ngữ văn bị lộ?", due_at=utc(2026, 6, 25, 10), state="drafting",
            **PHONED)  # overdue
    db.session.commit()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto("/login")
    page.get_by_label("Email").fill(data["ministry"].email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    page.locator("nav.mainnav").get_by_role("link", name="Tổng quan").click() if page.locator(
        "nav.mainnav").is_visible() else page.goto("/overview/")
    page.wait_for_url("**/overview/")
    assert page.locator("h1").inner_text() == "Toàn cảnh các Sở GDĐT"
    assert page.locator("#kpi-departments strong").inner_text() == "34"
    assert page.locator("#kpi-incidents_open strong").inner_text() == "4"  # 3 in Hà Nội + 1 in TP HCM
    assert page.locator("#kpi-escalations_unacknowledged strong").inner_text() == "1"
    assert page.locator("#kpi-inquiries_overdue strong").inner_text() == "1"

    # ranked by urgency: Hà Nội (live exam incidents, an unacknowledged escalation, an overdue inquiry) first,
    # TP HCM (one open incident) second, whatever paperwork other Departments miss
    rows = page.locator("#overview tbody tr")
    assert [rows.nth(i).get_attribute("data-department") for i in range(2)] == ["ha-noi", "ho-chi-minh"]
    hanoi = page.locator('tr[data-department="ha-noi"]')
    assert hanoi.locator('[data-metric="incidents_open"]').inner_text() == "2 liên quan thi · 3"
    assert "cell-red" in hanoi.locator('[data-metric="incidents_open"]').get_attribute("class")
    assert "cell-red" in hanoi.locator('[data-metric="escalations_unacknowledged"]').get_attribute("class")
    assert hanoi.locator('[data-metric="escalations_unacknowledged"]').inner_text() == "1"
    assert hanoi.locator('[data-metric="inquiries_overdue"]').inner_text() == "1"
    assert page.locator('#overview [data-metric="spokesperson"]').count() == 0  # paperwork is under "Hồ sơ"
    for chart in ("incidents_per_month", "inquiries_per_month", "escalation_ack", "briefing_compliance"):
        assert page.locator(f"#chart-{chart} svg").count() == 1

    # the paperwork view: the rows missing most come first: a Department with no spokesperson, contacts,
    # briefing or plan (4 red cells; An Giang first by name)
    page.get_by_role("link", name="Hồ sơ").click()
    page.wait_for_url("**view=records**")
    hanoi = page.locator('tr[data-department="ha-noi"]')
    assert hanoi.locator('[data-metric="spokesperson"]').inner_text() == "Đỗ Minh Tuấn"
    assert hanoi.locator('[data-metric="contacts_fresh"]').inner_text() == "75 % (3/4)"
    assert hanoi.locator('[data-metric="briefing_quarter"]').inner_text() == "đã tổ chức"
    hcm = page.locator('tr[data-department="ho-chi-minh"]')
    assert hcm.locator('[data-metric="spokesperson"]').inner_text() == "chưa có"
    assert hcm.locator('[data-metric="plan"]').inner_text() == "bản nháp"
    rows = page.locator("#overview tbody tr")
    assert rows.first.get_attribute("data-department") == "an-giang"
    assert rows.first.locator("td.num .badge-red").inner_text() == "4"
    assert page.locator("#overview [data-metric='incidents_open']").count() == 0

    # every cell links to the records behind it: the plan cell opens the plans of the year
    hanoi.locator('[data-metric="plan"] a').click()
    page.wait_for_url("**/plans/2025-2026#plan-status")
    assert "Sở GDĐT Hà Nội" in page.locator("#plan-status").inner_text()

    # sorting by a column from its header
    page.goto("/overview/?view=records&sort=contacts_fresh&dir=desc")
    assert page.locator("#overview tbody tr").first.get_attribute("data-department") == "ho-chi-minh"


@pytest.mark.browser
def test_ministry_ticks_two_plans_and_reads_them_side_by_side(page, factory, departments, clock):
    from crisiscomm.plans import service as plans

    data = seed_year(factory, clock)
    plans.save_department_plan(department=data["hcm"], school_year="2025-2026", title="Kế hoạch TP HCM",
                               body="Tọa đàm báo chí **mỗi tháng**.", themes=["Sách giáo khoa mới"],
                               user=data["writer_hcm"], submit=True)
    from crisiscomm.extensions import db

    db.session.commit()
    page.goto("/login")
    page.get_by_label("Email").fill(data["ministry"].email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/")
    page.goto("/plans/2025-2026")
    assert page.locator("#plan-submitted-count").inner_text() == "2/34 Sở đã gửi kế hoạch."
    page.locator('tr[data-department="ha-noi"] input[name="d"]').check()
    page.locator('tr[data-department="ho-chi-minh"] input[name="d"]').check()
    page.get_by_role("button", name="Đọc đối chiếu các kế hoạch đã chọn").click()
    page.wait_for_url("**/compare?d=ha-noi&d=ho-chi-minh")
    columns = page.locator("article.plan-column")
    assert columns.count() == 2
    assert "Họp báo hằng quý." in columns.nth(0).inner_text()
    assert "Tọa đàm báo chí mỗi tháng." in columns.nth(1).inner_text()
    # side by side on a desktop screen
    a, b = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"] - 1


@pytest.mark.browser
def test_on_a_phone_the_department_with_a_live_exam_incident_comes_first(page, factory, departments, clock):
    """Hà Nội has live exam incidents; An Giang only misses paperwork: on the Ministry's phone Hà Nội is first,
    in red, and the page fits the screen."""
    from crisiscomm.extensions import db
    from crisiscomm.incidents.models import Incident

    from .seed import seed_year

    data = seed_year(factory, clock)
    assert db.session.scalar(db.select(db.func.count()).select_from(Incident).where(
        Incident.department_id == data["hanoi"].id, Incident.exam_related.is_(True),
        Incident.status != "closed")) >= 1
    browser_sign_in(page, data["ministry"].email, viewport={"width": 390, "height": 844})
    page.goto("/overview/")
    first = page.locator("#overview tbody tr").first
    assert first.get_attribute("data-department") == "ha-noi"
    assert "cell-red" in first.locator('[data-metric="incidents_open"]').get_attribute("class")
    assert first.bounding_box()["y"] < 844 * 2  # within two screens of the top, not second to last
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the charts' labels stay legible: at least 11 px on the phone, and the last axis label is not cut
    sizes = page.eval_on_selector_all("svg.chart text", "els => els.map(t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 11
    cut = page.eval_on_selector_all(
        "svg.chart", "svgs => svgs.filter(s => [...s.querySelectorAll('text')].some(t => "
        "t.getBoundingClientRect().right > s.getBoundingClientRect().right + 1)).length")
    assert cut == 0
