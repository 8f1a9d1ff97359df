"""Pitching, opt-out, coverage, national feature, scorecard evidence and the briefing agenda."""
import re

from crisiscomm.extensions import db
from crisiscomm.stories.models import ContactTopicOptOut

from .. import factories
from ..factories import briefing, contact
from .conftest import consent_all, publish


def _published(factory, officer, director):
    story = factories.story(officer, title="Thư viện số mở cửa cho học sinh")
    consent_all(story, officer)
    publish(story, officer, director)
    return story


def test_pitch_sends_one_email_per_journalist_and_opt_out_works(factory, clock, smtp_server, client):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = _published(factory, officer, director)
    from crisiscomm.stories import service

    from .conftest import jpeg_with_gps

    service.add_photo(story=story, user=officer, data=jpeg_with_gps(), person_ids=[story.people[0].id])
    db.session.commit()
    a = contact(raw=True, name="Nguyễn Thu Trang", email="trang@hanoimoi.example")
    b = contact(raw=True, name="Lê Minh Quân", outlet="VTV", outlet_type="broadcast", email="quan@vtv.example")
    other = contact(raw=True, department="ho-chi-minh", name="Trần Hải", email="hai@tuoitre.example")
    api = factory.api(officer)
    assert api.post(f"/api/v1/stories/{story.id}/pitches", json={"contact_ids": [other.id]}).status_code == 422
    response = api.post(f"/api/v1/stories/{story.id}/pitches", json={"contact_ids": [a.id, b.id]})
    assert response.status_code == 201
    assert sorted(m["to"][0] for m in smtp_server.messages) == ["quan@vtv.example", "trang@hanoimoi.example"]
    for m in smtp_server.messages:
        assert len(m["to"]) == 1 and "," not in m["message"]["To"]
        text = m["message"].get_body(preferencelist=("plain",)).get_content()
        assert "Thư viện số mở cửa cho học sinh" in text and "Không quan tâm chủ đề này?" in text
    # pitching again does not write to the same journalist twice
    api.post(f"/api/v1/stories/{story.id}/pitches", json={"contact_ids": [a.id]})
    assert len(smtp_server.messages) == 2

    trang = next(m for m in smtp_server.messages if m["to"] == ["trang@hanoimoi.example"])
    photo_link = re.search(r"(http\S+/good-stories/photos/\d+\.jpg)", trang["message"].get_body(
        preferencelist=("plain",)).get_content()).group(1)
    photo = client.get(photo_link[photo_link.index("/good-stories"):])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    link = re.search(r"(http\S+/good-stories/not-interested/\S+)", trang["message"].get_body(
        preferencelist=("plain",)).get_content()).group(1)
    page = client.get(link[link.index("/good-stories"):])
    assert page.status_code == 200 and "vượt khó" in page.get_data(as_text=True)
    assert db.session.query(ContactTopicOptOut).filter_by(contact_id=a.id).one().topic == "difficult_circumstances"
    # the next story on that topic is not offered to her, nor can it be sent to her
    second = _published(factory, officer, director)
    refused = api.post(f"/api/v1/stories/{second.id}/pitches", json={"contact_ids": [a.id]})
    assert refused.status_code == 422
    listing = factory.login(officer).get(f"/stories/{second.id}/pitch").get_data(as_text=True)
    assert "Lê Minh Quân" in listing and "Nguyễn Thu Trang" not in listing
    assert client.get("/good-stories/not-interested/forged-token").status_code == 404


def test_pitch_refused_after_consent_withdrawn(factory, clock):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = _published(factory, officer, director)
    c = contact(raw=True)
    api = factory.api(officer)
    consent = story.people[0].consents[0]
    api.post(f"/api/v1/stories/{story.id}/consents/{consent.id}/withdraw", json={"reason": "gia đình chuyển trường"})
    assert api.post(f"/api/v1/stories/{story.id}/pitches", json={"contact_ids": [c.id]}).status_code == 409


def test_coverage_feature_figures_and_scorecard(factory, clock):
    officer, director = factory.user("comms_officer"), factory.user("director")
    ministry = factory.user("ministry_comms")
    story = _published(factory, officer, director)
    api = factory.api(officer)
    bad = api.post(f"/api/v1/stories/{story.id}/coverage", json={"outlet": "Báo Tuổi Trẻ", "url": "tuoitre",
                                                                 "published_on": "2026-06-25"})
    assert bad.status_code == 422 and "url" in bad.get_json()["error"]["fields"]
    ok = api.post(f"/api/v1/stories/{story.id}/coverage", json={
        "outlet": "Báo Tuổi Trẻ", "url": "https://tuoitre.vn/thu-vien-so.htm", "published_on": "2026-06-25"})
    assert ok.status_code == 201 and ok.get_json()["coverage"][0]["outlet"] == "Báo Tuổi Trẻ"
    assert "Báo Tuổi Trẻ" in factory.login(officer).get(f"/stories/{story.id}").get_data(as_text=True)

    anon = factory.app.test_client()
    assert "Thư viện số" not in anon.get("/good-stories/").get_data(as_text=True)
    assert api.post(f"/api/v1/stories/{story.id}/feature", json={}).status_code == 403
    assert factory.api(ministry).post(f"/api/v1/stories/{story.id}/feature", json={"featured": True}).status_code == 200
    assert "Thư viện số" in anon.get("/good-stories/").get_data(as_text=True)

    figures = factory.login(ministry).get("/stories/figures?year=2025-2026").get_data(as_text=True)
    row = re.search(r'data-department="ha-noi">(.*?)</tr>', figures).group(1)
    assert re.findall(r'class="num">(\d+)<', row) == ["1", "1", "1"]
    card = factory.api(ministry).get("/api/v1/scorecard?year=2025-2026").get_json()
    hanoi = next(r for r in card["departments"] if r["department"] == "ha-noi")
    assert hanoi["evidence"]["stories_approved"]["value"] == 1 and hanoi["evidence"]["stories_covered"]["value"] == 1


def test_briefing_agenda_lists_stories_in_the_invitation(factory, clock, smtp_server):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = _published(factory, officer, director)
    journalist = contact(raw=True)
    b = briefing(contacts=[journalist])
    client = factory.login(officer)
    from ..factories import csrf_token

    token = csrf_token(client.get(f"/stories/{story.id}"))
    assert client.post(f"/stories/{story.id}/briefing", data={"csrf_token": token, "briefing_id": b.id}).status_code == 302
    assert "Thư viện số mở cửa cho học sinh" in client.get(f"/briefings/{b.id}").get_data(as_text=True)
    from crisiscomm.briefings import invitations as briefing_invitations

    briefing_invitations.send_invitations(briefing=b)
    db.session.commit()
    from crisiscomm.notifications.models import Notification

    invitation = db.session.query(Notification).filter_by(kind="briefing_invitation").one()
    assert "Thư viện số mở cửa cho học sinh" in invitation.body_text
