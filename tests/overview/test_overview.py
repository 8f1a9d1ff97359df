from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from crisiscomm.extensions import db

from .seed import YEAR, seed_year

CONFIG = """
max_points: 40
criteria:
  plan_submitted: {weight: 6, target: 1}
  contacts_fresh: {weight: 4, target: 0.8}
  briefings_per_quarter: {weight: 10, target: 1}
  not_on_this_installation: {weight: 10, target: 1}
"""


@pytest.fixture
def seeded(factory, departments, clock):
    return seed_year(factory, clock)


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "scorecard.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_CONFIG", str(path))
    return path


def test_only_ministry_roles_see_the_overview_and_scorecard(factory, seeded):
    for role in ("director", "spokesperson", "viewer"):
        user = factory.user(role, department="ha-noi")
        api, web = factory.api(user), factory.login(user)
        assert api.get("/api/v1/overview").status_code == 404
        assert api.get(f"/api/v1/scorecard?year={YEAR}").status_code == 404
        assert web.get("/overview/").status_code == 404
        assert web.get(f"/overview/scorecard.xlsx?year={YEAR}").status_code == 404
        assert "/overview/" not in web.get("/").get_data(as_text=True)  # no menu entry either
    assert factory.api(seeded["ministry"]).get("/api/v1/overview").status_code == 200


def test_overview_rows_hold_the_seeded_figures_and_link_to_their_records(factory, seeded):
    body = factory.api(seeded["ministry"]).get("/api/v1/overview").get_json()
    assert body["total_departments"] == 34 and len(body["rows"]) == 34
    assert body["school_year"] == YEAR and body["quarter"] == "Q2/2026"
    rows = {r["department"]: r["cells"] for r in body["rows"]}
    hn, hcm, dn = rows["ha-noi"], rows["ho-chi-minh"], rows["da-nang"]
    # 3 open incidents, 2 exam-related (closed and drill left out): red because exam-related
    assert hn["incidents_open"]["value"] == 3 and hn["incidents_open"]["severity"] == "red"
    assert hcm["incidents_open"]["value"] == 1 and hcm["incidents_open"]["severity"] == "amber"
    assert dn["incidents_open"]["value"] == 0 and dn["incidents_open"]["severity"] is None
    assert hn["spokesperson"]["value"] == "Đỗ Minh Tuấn"
    assert hcm["spokesperson"]["value"] is None and hcm["spokesperson"]["severity"] == "red"
    assert hn["contacts_fresh"]["value"] == 0.75 and hn["contacts_fresh"]["display"] == "75 % (3/4)"
    assert hcm["contacts_fresh"]["value"] == 1.0
    assert hn["briefing_quarter"]["value"] == 2 and hn["briefing_quarter"]["severity"] == "green"
    assert hcm["briefing_quarter"]["severity"] == "amber" and dn["briefing_quarter"]["severity"] == "red"
    assert "quarter=2026Q2" in hn["briefing_quarter"]["link"] and "department=ha-noi" in hn["briefing_quarter"]["link"]
    assert hn["plan"]["severity"] == "green" and hcm["plan"]["severity"] == "amber" and dn["plan"]["severity"] == "red"
    for cell in hn.values():
        assert cell["link"] and cell["link"].startswith("/")


def test_overview_sorts_and_filters(factory, seeded):
    api = factory.api(seeded["ministry"])
    rows = api.get("/api/v1/overview?sort=incidents_open").get_json()["rows"]
    assert [r["department"] for r in rows[:2]] == ["ha-noi", "ho-chi-minh"]
    rows = api.get("/api/v1/overview?sort=incidents_open&dir=asc").get_json()["rows"]
    assert [r["department"] for r in rows[-2:]] == ["ho-chi-minh", "ha-noi"]
    rows = api.get("/api/v1/overview?q=ho chi minh").get_json()["rows"]
    assert [r["department"] for r in rows] == ["ho-chi-minh"]
    rows = api.get("/api/v1/overview?cluster=1").get_json()["rows"]
    assert sorted(r["department"] for r in rows) == ["can-tho", "da-nang", "ha-noi", "hai-phong", "ho-chi-minh"]
    r = api.get("/api/v1/overview?sort=nonsense")
    assert r.status_code == 422 and "sort" in r.get_json()["error"]["fields"]
    html = factory.login(seeded["ministry"]).get("/overview/?sort=contacts_fresh&dir=desc").get_data(as_text=True)
    assert html.index('data-department="ho-chi-minh"') < html.index('data-department="ha-noi"')
    assert "<svg" in html and "style=" not in html and "<script>" not in html


def test_overview_queries_do_not_grow_with_the_number_of_departments(app, factory, seeded):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    web = factory.login(seeded["ministry"])
    web.get("/overview/")  # warm up (sessions, caches)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert web.get("/overview/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # 34 Departments × every metric would be hundreds; grouped queries keep it to a handful per metric
    assert len(statements) < 40, len(statements)


def test_scorecard_by_hand_checked_figures(factory, seeded, config):
    body = factory.api(seeded["ministry"]).get(f"/api/v1/scorecard?year={YEAR}").get_json()
    assert body["max_points"] == 40 and body["unavailable_criteria"] == ["not_on_this_installation"]
    deps = {d["department"]: d for d in body["departments"]}
    hn, hcm = deps["ha-noi"], deps["ho-chi-minh"]
    # Hà Nội: plan submitted → 1 (attainment 1); contacts 3/4 = 0.75 → 0.75/0.8 = 0.9375;
    # briefings held in Q3/2025, Q4/2025, Q2/2026 → 3/4 = 0.75 (the cancelled Q1 one and last year's do not count)
    # score = 40 × (6×1 + 4×0.9375 + 10×0.75) / 20 = 40 × 17.25 / 20 = 34.5
    assert hn["evidence"]["plan_submitted"]["value"] == 1
    assert hn["evidence"]["contacts_fresh"]["value"] == 0.75
    assert hn["evidence"]["contacts_fresh"]["points"] == 7.5  # 40 × 4 × 0.9375 / 20
    assert hn["evidence"]["briefings_per_quarter"]["value"] == 0.75
    assert hn["evidence"]["briefings_per_quarter"]["points"] == 15.0  # 40 × 10 × 0.75 / 20
    assert hn["score"] == 34.5
    # Hồ Chí Minh: a draft is not a submitted plan → 0; contacts 1/1 → 1; a planned briefing is not held → 0
    # score = 40 × 4 / 20 = 8.0
    assert hcm["evidence"]["plan_submitted"]["value"] == 0 and hcm["score"] == 8.0
    # a Department with nothing: 0
    assert deps["da-nang"]["score"] == 0.0
    assert [d["department"] for d in body["departments"][:2]] == ["ha-noi", "ho-chi-minh"]
    # history: Hà Nội 35 in 2021–2022; Tuyên Quang 40 with Hà Giang (merged into it) 40 shown under it
    assert hn["history_2021_2022"]["own"] == 35
    tq = deps["tuyen-quang"]["history_2021_2022"]
    assert tq["own"] == 40 and {"code": "ha-giang", "name": "Hà Giang", "communication": 40} in tq["former"]
    # cluster 1 (TP HCM, Hà Nội, Cần Thơ, Hải Phòng, Đà Nẵng): mean score (34.5 + 8 + 0 + 0 + 0) / 5 = 8.5;
    # their 2021–2022 communication scores 35, 35, 40, 40, 30 → 36.0
    c1 = next(c for c in body["clusters"] if c["cluster"] == 1)
    assert c1["mean_score"] == 8.5 and c1["history_mean_2021_2022"] == 36.0 and c1["departments_2022"] == 5


def test_scorecard_of_a_year_without_evidence_and_bad_years(factory, seeded, config):
    api = factory.api(seeded["ministry"])
    deps = {d["department"]: d for d in api.get("/api/v1/scorecard?year=2024-2025").get_json()["departments"]}
    assert deps["ha-noi"]["evidence"]["plan_submitted"]["value"] == 0
    r = api.get("/api/v1/scorecard?year=2025")
    assert r.status_code == 422 and "year" in r.get_json()["error"]["fields"]


def test_scorecard_page_and_xlsx_evidence_file(factory, seeded, config):
    web = factory.login(seeded["ministry"])
    html = web.get(f"/overview/scorecard?year={YEAR}").get_data(as_text=True)
    assert "34.5" in html and "Hà Giang: 40" in html
    r = web.get(f"/overview/scorecard.xlsx?year={YEAR}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert f"scorecard-{YEAR}.xlsx" in r.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(r.data))
    ws = wb.worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    hanoi = next(r for r in rows if r[1] == "ha-noi")
    # columns follow the config order: plan (value, points), contacts, briefings, score, 2021–2022
    assert hanoi[0] == "Sở GDĐT Hà Nội" and hanoi[3:9] == [1, 12.0, 0.75, 7.5, 0.75, 15.0]
    assert hanoi[9] == 34.5 and hanoi[10] == 35
    clusters = [[c.value for c in row] for row in wb.worksheets[1].iter_rows(min_row=2)]
    assert clusters[0][0] == 1 and clusters[0][3] == 8.5


def test_the_shipped_weights_are_all_backed_by_evidence(factory, seeded, monkeypatch):
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    body = factory.api(seeded["ministry"]).get(f"/api/v1/scorecard?year={YEAR}").get_json()
    assert body["unavailable_criteria"] == []
    assert [c["key"] for c in body["criteria"]] == [
        "briefings_per_quarter", "inquiries_on_time", "escalation_ack_median_minutes", "scenarios_acknowledged",
        "plan_submitted", "contacts_fresh", "stories_approved", "stories_covered", "mentions_positive",
        "training_trained"]
    assert sum(c["weight"] for c in body["criteria"]) == 50
