from datetime import datetime, timezone
from io import BytesIO

from openpyxl import load_workbook

from crisiscomm.extensions import db

from ..factories import briefing, contact


def _seed_year():
    """2026Q1: Hà Nội held (2 outlets invited, 1 came); TP HCM planned at 23:30 on 31 March (still Q1);
    Đà Nẵng cancelled (so missing); Hải Phòng held at 00:30 on 1 April (Q2, so missing in Q1)."""
    provincial = contact(raw=True)
    central = contact(raw=True, name="Trần Đức Anh", outlet="Báo Tuổi Trẻ", outlet_type="central_resident",
                      email="anh@tuoitre.example")
    held = briefing(starts_at=datetime(2026, 2, 10, 2, 0, tzinfo=timezone.utc), status="held",
                    contacts=[provincial, central], title="Quý I Hà Nội")
    held.invitations[0].attended = True
    db.session.commit()
    briefing("ho-chi-minh", starts_at=datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc), title="Quý I TP HCM")
    briefing("da-nang", starts_at=datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc), status="cancelled",
             status_reason="Bão số 3", title="Quý I Đà Nẵng")
    briefing("hai-phong", starts_at=datetime(2026, 3, 31, 17, 30, tzinfo=timezone.utc), status="held",
             title="Quý II Hải Phòng")
    return held


def test_compliance_of_a_seeded_quarter_through_the_api(departments, factory):
    _seed_year()
    api = factory.api(factory.user("ministry_comms"))
    body = api.get("/api/v1/briefings/compliance?quarter=2026Q1").get_json()
    assert body["quarter"] == "2026Q1"
    items = {i["department"]: i for i in body["items"]}
    assert len(items) == 34  # every active Department after the 2025 merger
    assert items["ha-noi"]["status"] == "held"
    assert (items["ha-noi"]["outlets_invited"], items["ha-noi"]["outlets_present"]) == (2, 1)
    assert [b["title"] for b in items["ha-noi"]["briefings"]] == ["Quý I Hà Nội"]
    assert items["ho-chi-minh"]["status"] == "planned"
    assert items["da-nang"]["status"] == "missing"
    assert items["da-nang"]["briefings"][0]["status"] == "cancelled"
    assert items["hai-phong"]["status"] == "missing" and items["hai-phong"]["briefings"] == []
    counts = {s: sum(1 for i in body["items"] if i["status"] == s) for s in ("held", "planned", "missing")}
    assert counts == {"held": 1, "planned": 1, "missing": 32}

    q2 = {i["department"]: i["status"] for i in api.get("/api/v1/briefings/compliance?quarter=2026Q2")
          .get_json()["items"]}
    assert q2["hai-phong"] == "held" and list(q2.values()).count("missing") == 33

    missing = api.get("/api/v1/briefings/compliance?quarter=2026Q1&status=missing").get_json()["items"]
    assert len(missing) == 32 and {"ha-noi", "ho-chi-minh"}.isdisjoint(i["department"] for i in missing)


def test_compliance_page_filters_and_exports_xlsx(departments, factory):
    _seed_year()
    client = factory.login(factory.user("ministry_admin"))
    page = client.get("/briefings/compliance?quarter=2026Q1&status=held").get_data(as_text=True)
    assert "Quý I Hà Nội" in page and "Quý I TP HCM" not in page
    response = client.get("/briefings/compliance?quarter=2026Q1&format=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response.content_type
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 35
    hanoi = next(r for r in rows if r[1] == "ha-noi")
    assert hanoi[3] == "10/02/2026 09:00" and hanoi[4] == "Quý I Hà Nội" and hanoi[5:] == (2, 1)
    assert client.get("/briefings/compliance?quarter=2026Q9").status_code == 422


def test_compliance_is_for_ministry_roles_only(departments, factory):
    director = factory.user("director")
    assert factory.api(director).get("/api/v1/briefings/compliance?quarter=2026Q1").status_code == 403
    assert factory.login(director).get("/briefings/compliance").status_code == 403
