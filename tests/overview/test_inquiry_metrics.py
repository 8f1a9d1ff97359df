"""Press inquiries in the overview and the scorecard: overdue inquiries, answered on time, inquiries per month."""

import pytest

from crisiscomm.extensions import db

from ..factories import inquiry
from .seed import YEAR, seed_year, utc

_models = pytest.importorskip("crisiscomm.inquiries.models", reason="the inquiries domain is not installed")
if not hasattr(_models, "Inquiry"):
    pytest.skip("this installation's inquiries domain has no Inquiry yet", allow_module_level=True)
Inquiry = _models.Inquiry

CONFIG = """
max_points: 40
criteria:
  plan_submitted: {weight: 6, target: 1}
  inquiries_on_time: {weight: 10, target: 0.9}
"""


# Inquiries taken by phone, written directly (received a day before they are due, closed when answered).
PHONED = {"channel": "phone", "journalist_name": "PV", "outlet": "Báo Tuổi Trẻ", "questions": "", "answer_draft": "",
          "raw": True, "commit": False}


@pytest.fixture
def seeded(factory, departments, clock, tmp_path, monkeypatch):
    path = tmp_path / "scorecard.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_CONFIG", str(path))
    data = seed_year(factory, clock)
    hn, hcm = data["hanoi"], data["hcm"]
    inquiry(department=hn, subject="Lịch thi", due_at=utc(2026, 3, 10, 3), answered_at=utc(2026, 3, 10, 1),
            state="answered", **PHONED)  # on time
    inquiry(department=hn, subject="Học phí", due_at=utc(2026, 4, 1, 3), answered_at=utc(2026, 4, 2, 3),
            state="answered", **PHONED)  # late
    inquiry(department=hn, subject="Hồ sơ cá nhân", due_at=utc(2026, 2, 1, 3), state="declined",
            closed_at=utc(2026, 1, 31, 3), **PHONED)  # on time
    inquiry(department=hn, subject="Chính sách toàn quốc", due_at=utc(2026, 2, 5, 3), state="referred_to_ministry",
            closed_at=utc(2026, 2, 6, 3), **PHONED)  # the Ministry answers: left out
    inquiry(department=hn, subject="Đề thi Ngữ văn", due_at=utc(2026, 6, 25, 10), state="drafting",
            **PHONED)  # overdue (now 26/06 01:00 UTC)
    inquiry(department=hn, subject="Điểm chuẩn", due_at=utc(2026, 6, 27, 3), state="received",
            **PHONED)  # not yet due: left out
    inquiry(department=hn, subject="Năm học trước", due_at=utc(2025, 5, 1, 3), answered_at=utc(2025, 5, 2, 3),
            state="answered", **PHONED)  # another school year
    inquiry(department=hcm, subject="Bán trú", due_at=utc(2026, 5, 5, 3), answered_at=utc(2026, 5, 4, 3),
            state="answered", **PHONED)  # on time
    db.session.commit()
    return data


def test_overdue_inquiries_are_counted_in_red_and_link_to_the_list(factory, seeded):
    rows = {r["department"]: r["cells"] for r in
            factory.api(seeded["ministry"]).get("/api/v1/overview").get_json()["rows"]}
    cell = rows["ha-noi"]["inquiries_overdue"]
    assert cell["value"] == 1 and cell["severity"] == "red"
    assert "overdue=1" in cell["link"] and "department=ha-noi" in cell["link"]
    assert rows["ho-chi-minh"]["inquiries_overdue"]["value"] == 0
    assert rows["ho-chi-minh"]["inquiries_overdue"]["severity"] is None


def test_inquiries_answered_on_time_in_the_scorecard(factory, seeded):
    deps = {d["department"]: d for d in factory.api(seeded["ministry"]).get(
        f"/api/v1/scorecard?year={YEAR}").get_json()["departments"]}
    # Hà Nội: due in the year so far 4 (referral, not-yet-due and last year's left out); on time 2 → 0.5
    # score = 40 × (6×1 + 10×(0.5/0.9)) / 16 = 28.9
    assert deps["ha-noi"]["evidence"]["inquiries_on_time"]["value"] == 0.5
    assert deps["ha-noi"]["score"] == 28.9
    # TP HCM: 1/1 on time → attainment 1; no plan submitted → 40 × 10 / 16 = 25.0
    assert deps["ho-chi-minh"]["evidence"]["inquiries_on_time"]["value"] == 1.0
    assert deps["ho-chi-minh"]["score"] == 25.0
    # no inquiry at all: the criterion does not apply (not a zero)
    assert deps["da-nang"]["evidence"]["inquiries_on_time"]["value"] is None
    assert deps["da-nang"]["evidence"]["inquiries_on_time"]["points"] is None


def test_inquiries_per_month_chart(factory, seeded):
    html = factory.login(seeded["ministry"]).get("/overview/").get_data(as_text=True)
    assert 'id="chart-inquiries_per_month"' in html
    # June 2026: two received (the one due 25/06 and the one due 27/06), one of them overdue
    assert "06/26: 2</title>" in html and "06/26: 1</title>" in html
    # March 2026: one received (due 10/03), answered on time
    assert "03/26: 1</title>" in html and "03/26: 0</title>" in html
