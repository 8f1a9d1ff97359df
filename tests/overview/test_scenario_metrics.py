"""Scenario distributions in the overview and the scorecard: acknowledgement of the latest versions."""
import pytest

from crisiscomm.extensions import db

from ..factories import scenario, scenario_distribution
from .seed import YEAR, seed_year, utc

_models = pytest.importorskip("crisiscomm.scenarios.models", reason="the scenarios domain is not installed")
if not hasattr(_models, "ScenarioDistribution"):
    pytest.skip("this installation's scenarios domain has no ScenarioDistribution yet", allow_module_level=True)
Scenario = _models.Scenario
ScenarioDistribution = _models.ScenarioDistribution
ScenarioVersion = _models.ScenarioVersion

CONFIG = """
max_points: 40
criteria:
  plan_submitted: {weight: 6, target: 1}
  scenarios_acknowledged: {weight: 4, target: 1}
"""


@pytest.fixture
def seeded(factory, departments, clock, tmp_path, monkeypatch):
    path = tmp_path / "scorecard.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SCORECARD_CONFIG", str(path))
    data = seed_year(factory, clock)
    hn, hcm = data["hanoi"], data["hcm"]
    s1v1, s1v2 = scenario("lo-de-thi", 2, commit=False)
    (s2v1,) = scenario("gian-lan-thi", 1, commit=False)
    (s3v1,) = scenario("ngo-doc-thuc-pham", 1, commit=False)
    # An older version (not in the overview), then the latest ones.
    scenario_distribution(s1v1, hn, utc(2025, 9, 1), utc(2025, 9, 3), commit=False)
    scenario_distribution(s1v2, hn, utc(2026, 6, 1), utc(2026, 6, 2), commit=False)
    scenario_distribution(s2v1, hn, utc(2026, 2, 1), commit=False)  # never acknowledged
    scenario_distribution(s1v2, hcm, utc(2026, 6, 1), commit=False)
    scenario_distribution(s2v1, hcm, utc(2026, 2, 1), utc(2026, 2, 3), commit=False)
    scenario_distribution(s3v1, hcm, utc(2025, 5, 1), utc(2025, 5, 2), commit=False)  # the previous school year
    db.session.commit()
    return data


def test_acknowledgement_of_the_latest_versions(factory, seeded):
    rows = {r["department"]: r["cells"] for r in
            factory.api(seeded["ministry"]).get("/api/v1/overview").get_json()["rows"]}
    hn, hcm = rows["ha-noi"]["scenarios_acknowledged"], rows["ho-chi-minh"]["scenarios_acknowledged"]
    assert hn["display"] == "1/2" and hn["value"] == 0.5 and hn["severity"] == "amber"
    assert hcm["display"] == "2/3" and hcm["severity"] == "amber"
    assert rows["da-nang"]["scenarios_acknowledged"]["value"] is None
    assert hn["link"].startswith("/scenarios")


def test_scenarios_acknowledged_in_the_scorecard(factory, seeded):
    deps = {d["department"]: d for d in factory.api(seeded["ministry"]).get(
        f"/api/v1/scorecard?year={YEAR}").get_json()["departments"]}
    # Hà Nội: 3 versions sent this school year, 2 acknowledged → 2/3; 40 × (6 + 4 × 2/3) / 10 = 34.7
    assert round(deps["ha-noi"]["evidence"]["scenarios_acknowledged"]["value"], 4) == 0.6667
    assert deps["ha-noi"]["score"] == 34.7
    # TP HCM: 2 sent this school year (last year's left out), 1 acknowledged; no plan: 40 × 4 × 0.5 / 10 = 8.0
    assert deps["ho-chi-minh"]["evidence"]["scenarios_acknowledged"]["value"] == 0.5
    assert deps["ho-chi-minh"]["score"] == 8.0
