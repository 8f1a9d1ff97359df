from datetime import datetime, timezone

from icalendar import Calendar

from crisiscomm.briefings.models import CalendarFeed
from crisiscomm.extensions import db

from ..factories import briefing
from .helpers import post


def _feed_token(department_id=None):
    db.session.expire_all()
    return db.session.scalars(db.select(CalendarFeed).where(
        CalendarFeed.revoked_at.is_(None),
        CalendarFeed.department_id.is_(None) if department_id is None
        else CalendarFeed.department_id == department_id)).one().calendar_token


def test_department_feed_regenerate_and_revoke(departments, factory, clock):
    hanoi = briefing(starts_at=datetime(2026, 9, 15, 2, 0, tzinfo=timezone.utc), title="Họp báo Hà Nội",
                     place="23 Quang Trung")
    briefing("ho-chi-minh", title="Họp báo TP HCM")
    user = factory.user("comms_officer")
    client = factory.login(user)
    assert "No subscription address yet" in client.get("/briefings/calendar?lang=en").get_data(as_text=True)
    post(client, "/briefings/calendar/regenerate")
    token = _feed_token(user.department_id)
    assert token in client.get("/briefings/calendar").get_data(as_text=True)

    anonymous = factory.app.test_client()
    response = anonymous.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    assert [str(e["summary"]).split(" – ")[0] for e in events] == ["Họp báo Hà Nội"]
    assert events[0].decoded("dtstart").astimezone(timezone.utc) == hanoi.starts_at
    assert str(events[0]["uid"]) == f"briefing-{hanoi.id}@crisiscomm"

    post(client, "/briefings/calendar/regenerate")
    new_token = _feed_token(user.department_id)
    assert new_token != token
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new_token}.ics").status_code == 200
    post(client, "/briefings/calendar/revoke")
    assert anonymous.get(f"/calendar/{new_token}.ics").status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_ministry_wide_feed_lists_every_department(departments, factory, clock):
    briefing(title="Họp báo Hà Nội")
    briefing("ho-chi-minh", title="Họp báo TP HCM")
    client = factory.login(factory.user("ministry_comms"))
    post(client, "/briefings/calendar/regenerate")
    body = factory.app.test_client().get(f"/calendar/{_feed_token(None)}.ics").data
    titles = sorted(str(e["summary"]).split(" – ")[0] for e in Calendar.from_ical(body).walk("VEVENT"))
    assert titles == ["Họp báo Hà Nội", "Họp báo TP HCM"]
    # A viewer in a Department can read the feed address page but not create one.
    viewer = factory.login(factory.user("viewer"))
    assert post(viewer, "/briefings/calendar/regenerate").status_code == 403
