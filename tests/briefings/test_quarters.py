from datetime import date, datetime, timezone

import pytest

from crisiscomm.briefings import quarters
from crisiscomm.errors import ValidationError

from ..factories import briefing


def test_quarter_is_counted_in_local_time(app):
    # 23:30 on 31 March in Hà Nội is 16:30 UTC the same day: Q1.
    assert quarters.quarter_key(datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc)) == "2026Q1"
    # 00:30 on 1 April in Hà Nội is still 31 March in UTC: already Q2.
    assert quarters.quarter_key(datetime(2026, 3, 31, 17, 30, tzinfo=timezone.utc)) == "2026Q2"
    # New Year's Eve 23:00 local is Q4 of the old year; 00:30 local on 1 January is Q1 of the new one.
    assert quarters.quarter_key(datetime(2025, 12, 31, 16, 0, tzinfo=timezone.utc)) == "2025Q4"
    assert quarters.quarter_key(datetime(2025, 12, 31, 17, 30, tzinfo=timezone.utc)) == "2026Q1"
    start, end = quarters.quarter_bounds("2026Q2")
    assert start == datetime(2026, 3, 31, 17, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 6, 30, 17, 0, tzinfo=timezone.utc)
    assert quarters.quarter_dates("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize("bad", ["2026Q5", "2026-Q1", "Q1", "", "26Q1", "2026Q0"])
def test_bad_quarter_strings_are_refused(app, bad):
    with pytest.raises(ValidationError) as exc:
        quarters.parse_quarter(bad)
    assert "quarter" in exc.value.fields


def test_briefing_late_on_31_march_is_listed_in_q1_through_the_api(departments, factory):
    late = briefing(starts_at=datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc), title="Cuối quý I")
    early_april = briefing(starts_at=datetime(2026, 3, 31, 17, 30, tzinfo=timezone.utc), title="Đầu quý II")
    api = factory.api(factory.user("comms_officer"))
    q1 = api.get("/api/v1/briefings?department=ha-noi&quarter=2026Q1").get_json()["items"]
    q2 = api.get("/api/v1/briefings?department=ha-noi&quarter=2026q2").get_json()["items"]
    assert [b["id"] for b in q1] == [late.id] and q1[0]["quarter"] == "2026Q1"
    assert [b["id"] for b in q2] == [early_april.id] and q2[0]["quarter"] == "2026Q2"


def test_bad_quarter_in_the_api_is_a_422_naming_quarter(departments, factory):
    api = factory.api(factory.user("ministry_comms"))
    for url in ("/api/v1/briefings?quarter=2026-4", "/api/v1/briefings/compliance?quarter=Q4",
                "/api/v1/briefings/compliance"):
        response = api.get(url)
        assert response.status_code == 422, url
        assert "quarter" in response.get_json()["error"]["fields"]
