"""Incident escalations in the overview and the scorecard: unacknowledged ones in red, median time to acknowledge."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from crisiscomm.extensions import db

from ..factories import escalation, incident
from .seed import YEAR, seed_year, utc

_models = pytest.importorskip("crisiscomm.incidents.models", reason="the incidents domain is not installed")
if not hasattr(_models, "Escalation"):
    pytest.skip("this installation's incidents domain has no Escalation yet", allow_module_level=True)
Incident = _models.Incident

CONFIG = """
max_points: 40
criteria:
  plan_submitted: {weight: 6, target: 1}
  escalation_ack_median_minutes: {weight: 6, target: 30, better: lower}
"""


def escalate(inc, notified, *acks):
    """One level-1 escalation row per acknowledgement delay in minutes (None: not acknowledged)."""
    db.session.flush()
    for n, minutes in enumerate(acks):
        escalation(inc, notified, n, None if minutes is None else notified + timedelta(minutes=minutes), commit=False)


def by_title(title):
    return db.session.scalar(select(Incident).where(Incident.title == title))


@pytest.fixture
def seeded(factory, departments, clock, tmp_path, monkeypatch):
    path = tmp_path / "scorecard.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_CONFIG", str(path))
    data = seed_year(factory, clock)
    escalate(by_title("Nghi lộ đề thi môn Ngữ văn"), utc(2026, 6, 20, 3), None, None)  # nobody acknowledged
    escalate(by_title("Thí sinh mang điện thoại vào phòng thi"), utc(2026, 5, 10, 2), 30, 12)  # first: 12 min
    escalate(by_title("Tin giả về lịch thi"), utc(2025, 10, 1, 0), 30)  # closed since; 30 min
    escalate(by_title("Sập mái hiên trường tiểu học"), utc(2026, 6, 21, 3), 6)
    escalate(by_title("Diễn tập lộ đề"), utc(2026, 6, 22, 3), None)  # a drill: never counted
    escalate(incident(data["hanoi"], "Sự cố năm học trước", at=utc(2025, 3, 1), commit=False), utc(2025, 3, 1, 1), 300)
    escalate(by_title("Ngộ độc thực phẩm bán trú"), utc(2026, 4, 2, 5), 45)
    db.session.commit()
    return data


def test_unacknowledged_escalations_are_red(factory, seeded):
    rows = {r["department"]: r["cells"] for r in
            factory.api(seeded["ministry"]).get("/api/v1/overview").get_json()["rows"]}
    cell = rows["ha-noi"]["escalations_unacknowledged"]
    assert cell["value"] == 1 and cell["severity"] == "red" and "department=ha-noi" in cell["link"]
    assert rows["ho-chi-minh"]["escalations_unacknowledged"]["value"] == 0
    html = factory.login(seeded["ministry"]).get("/overview/").get_data(as_text=True)
    assert 'class="cell cell-red" data-metric="escalations_unacknowledged"' in html


def test_median_time_to_acknowledge_in_the_scorecard(factory, seeded):
    deps = {d["department"]: d for d in factory.api(seeded["ministry"]).get(
        f"/api/v1/scorecard?year={YEAR}").get_json()["departments"]}
    # Hà Nội this school year: 12, 30, 6 minutes (unacknowledged, drill and last year's left out) → median 12
    # ≤ 30 target → attainment 1; score = 40 × (6 + 6) / 12 = 40.0
    assert deps["ha-noi"]["evidence"]["escalation_ack_median_minutes"]["value"] == 12
    assert deps["ha-noi"]["score"] == 40.0
    # TP HCM: 45 minutes → attainment 30/45; no plan: 40 × 6 × (2/3) / 12 = 13.3
    assert deps["ho-chi-minh"]["evidence"]["escalation_ack_median_minutes"]["value"] == 45
    assert deps["ho-chi-minh"]["score"] == 13.3
    assert deps["da-nang"]["evidence"]["escalation_ack_median_minutes"]["value"] is None


def test_time_to_acknowledge_chart(factory, seeded):
    html = factory.login(seeded["ministry"]).get("/overview/").get_data(as_text=True)
    assert 'id="chart-escalation_ack"' in html
    assert "06/26: 6′</title>" in html and "05/26: 12′</title>" in html and "04/26: 45′</title>" in html
