"""Good stories: workflow, consent rules, photos, scoping, public pages and the Atom feed."""
import io

import feedparser
from PIL import Image
from playwright.sync_api import expect

from crisiscomm import images
from crisiscomm.extensions import db
from crisiscomm.stories import service
from crisiscomm.stories.models import PUBLISHED, SUSPENDED, Story

from .. import factories
from ..factories import csrf_token
from .conftest import consent_all, jpeg_with_gps, publish


def test_approval_refused_until_everyone_named_consented(factory, clock):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = factories.story(officer)
    api = factory.api(director)
    factory.api(officer).post(f"/api/v1/stories/{story.id}/transitions", json={"action": "verify",
                                                                               "note": "Đã gọi điện cho nhà trường."})
    refused = api.post(f"/api/v1/stories/{story.id}/transitions", json={"action": "approve"})
    assert refused.status_code == 422
    assert "Phạm Minh Đức" in refused.get_json()["error"]["fields"]["consent"]
    # the student is 14: the child's own consent does not count, a parent's does
    person = story.people[0]
    own = factory.api(officer).post(f"/api/v1/stories/{story.id}/people/{person.id}/consents",
                                    json={"given_by": "Phạm Minh Đức", "given_as": "self", "scope": ["name", "school"],
                                          "consented_on": "2026-06-01"})
    assert own.status_code == 422 and "given_as" in own.get_json()["error"]["fields"]
    parent = factory.api(officer).post(f"/api/v1/stories/{story.id}/people/{person.id}/consents",
                                       json={"given_by": "Phạm Văn Tài", "given_as": "parent",
                                             "scope": ["name", "school"], "consented_on": "2026-06-01"})
    assert parent.status_code == 201
    approved = api.post(f"/api/v1/stories/{story.id}/transitions", json={"action": "approve"})
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    assert approved.get_json()["approved_by"] == director.name


def test_a_photo_of_someone_without_photo_consent_blocks_approval(factory, clock):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = factories.story(officer)
    consent_all(story, officer, scope=("name", "school"))
    response = factory.api(officer).post(f"/api/v1/stories/{story.id}/photos", data={
        "photo": (io.BytesIO(jpeg_with_gps()), "lop5a.jpg"), "person_ids": str(story.people[0].id)},
        content_type="multipart/form-data")
    assert response.status_code == 201
    service.transition(story=story, user=officer, action="verify", note="ok")
    db.session.commit()
    refused = factory.api(director).post(f"/api/v1/stories/{story.id}/transitions", json={"action": "approve"})
    assert refused.status_code == 422 and "consent" in refused.get_json()["error"]["fields"]


def test_workflow_is_audited_and_illegal_steps_are_409(factory, clock):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = factories.story(officer, student=False)
    early = factory.api(officer).post(f"/api/v1/stories/{story.id}/transitions", json={"action": "publish"})
    assert early.status_code == 409
    no_reason = factory.api(director).post(f"/api/v1/stories/{story.id}/transitions", json={"action": "reject"})
    assert no_reason.status_code == 422 and "note" in no_reason.get_json()["error"]["fields"]
    publish(story, officer, director)
    page = factory.login(director).get(f"/stories/{story.id}").get_data(as_text=True)
    assert "Đã xác minh với Ban giám hiệu." in page
    from crisiscomm.audit.models import AuditEntry
    from sqlalchemy import select

    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "Story",
                                                                     AuditEntry.entity_id == story.id)))
    assert {"story.proposed", "story.verify", "story.approve", "story.publish"} <= actions


def test_another_departments_story_is_a_404(factory, clock):
    officer = factory.user("comms_officer")
    story = factories.story(officer)
    other = factory.user("comms_officer", department="ho-chi-minh")
    assert factory.api(other).get(f"/api/v1/stories/{story.id}").status_code == 404
    assert factory.login(other).get(f"/stories/{story.id}").status_code == 404
    assert factory.api(other).post(f"/api/v1/stories/{story.id}/transitions",
                                   json={"action": "verify", "note": "x"}).status_code == 404
    assert factory.api(factory.user("ministry_comms")).get(f"/api/v1/stories/{story.id}").status_code == 200


def test_photo_is_reencoded_without_exif_or_location(factory, clock):
    officer = factory.user("comms_officer")
    story = factories.story(officer)
    original = jpeg_with_gps((3000, 2000))
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    client = factory.login(officer)
    page = client.get(f"/stories/{story.id}")
    response = client.post(f"/stories/{story.id}/photos", data={
        "csrf_token": csrf_token(page), "photo": (io.BytesIO(original), "anh.jpg"), "caption": "Giờ học"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.get(Story, story.id).photos[0]
    stored = client.get(f"/stories/{story.id}/photos/{photo.id}.jpg")
    img = Image.open(io.BytesIO(stored.data))
    assert dict(img.getexif()) == {} and "exif" not in img.info
    assert max(img.size) == images.MAX_SIDE
    bad = client.post(f"/stories/{story.id}/photos", data={
        "csrf_token": csrf_token(page), "photo": (io.BytesIO(b"<svg></svg>"), "x.jpg")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "ảnh JPEG, PNG hoặc WebP" in bad.get_data(as_text=True)
    assert len(db.session.get(Story, story.id).photos) == 1


def test_decompression_bomb_is_refused(factory, clock):
    officer = factory.user("comms_officer")
    story = factories.story(officer)
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # tiny file, 81 million pixels
    response = factory.api(officer).post(f"/api/v1/stories/{story.id}/photos", data={
        "photo": (io.BytesIO(out.getvalue()), "bomb.png")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "photo" in response.get_json()["error"]["fields"]


def test_public_page_and_feed_show_only_published_consented_stories(factory, clock, client):
    officer, director = factory.user("comms_officer"), factory.user("director")
    published = factories.story(officer, title="Thư viện số mở cửa cho học sinh")
    consent_all(published, officer)
    publish(published, officer, director)
    draft = factories.story(officer, title="Câu chuyện chưa xác minh")
    page = client.get("/good-stories/ha-noi").get_data(as_text=True)
    assert "Thư viện số mở cửa cho học sinh" in page and "Câu chuyện chưa xác minh" not in page
    assert "Phạm Minh Đức" in client.get(f"/good-stories/s/{published.id}").get_data(as_text=True)
    assert client.get(f"/good-stories/s/{draft.id}").status_code == 404
    feed = feedparser.parse(client.get("/good-stories/ha-noi/feed.atom").data)
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["Thư viện số mở cửa cho học sinh"]
    assert feed.entries[0].link.endswith(f"/good-stories/s/{published.id}")

    # the parent withdraws consent: off the public page and the feed, the owner is told
    consent = published.people[0].consents[0]
    response = factory.api(director).post(f"/api/v1/stories/{published.id}/consents/{consent.id}/withdraw",
                                          json={"reason": "Phụ huynh không đồng ý nữa"})
    assert response.status_code == 200 and response.get_json()["state"] == SUSPENDED
    assert "Thư viện số" not in client.get("/good-stories/ha-noi").get_data(as_text=True)
    assert client.get(f"/good-stories/s/{published.id}").status_code == 404
    assert feedparser.parse(client.get("/good-stories/ha-noi/feed.atom").data).entries == []
    from crisiscomm.notifications.models import Notification
    from sqlalchemy import select

    alerts = db.session.scalars(select(Notification).where(Notification.kind == "story.consent_withdrawn")).all()
    assert {n.recipient_id for n in alerts} == {officer.id}


def test_public_page_hides_a_students_name_without_name_consent(factory, clock, client):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = factories.story(officer)
    story.people[0].shows_name = story.people[0].shows_school = False  # "a student", unnamed
    db.session.commit()
    publish(story, officer, director)
    html = client.get(f"/good-stories/s/{story.id}").get_data(as_text=True)
    assert story.state == PUBLISHED and "Phạm Minh Đức" not in html


def test_browser_flow_from_proposal_to_coverage(page, factory, clock):
    officer = factory.user("spokesperson", password="correct-horse-battery")
    page.goto("/login")
    page.fill("input[name=email]", officer.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("form .btn-primary")
    page.wait_for_url("**/")
    page.goto("/stories/new")
    page.fill("#title", "Đội tình nguyện Tiếp sức mùa thi")
    page.fill("#summary", "120 học sinh hỗ trợ thí sinh tại 6 điểm thi.")
    page.fill("#unit", "Trường THPT Kim Liên")
    page.click("form.card button[type=submit]")
    page.click("summary:has-text('Thêm nhân vật')")
    page.fill("#person-name", "Trần Thu Trang")
    page.select_option("#person-role", "school_leader")
    page.click("#add-person button")
    expect(page.locator("#consent-missing")).to_be_visible()  # waits for the page the form answered with
    page.click(".story-person summary")
    page.fill(".story-person input[name=given_by]", "Trần Thu Trang")
    page.fill(".story-person input[name=consented_on]", "2026-06-20")
    page.click(".story-person form button.btn-primary")
    page.fill("#story-note", "Đã xác minh với Đoàn trường.")
    page.click("#story-actions button[value=verify]")
    page.click("#story-actions button[value=approve]")
    page.click("#story-actions button[value=publish]")
    expect(page.locator("#story-state")).to_contain_text("đã xuất bản")
    page.fill("#cov-outlet", "Báo Tiền Phong")
    page.fill("#cov-url", "https://tienphong.vn/tiep-suc-mua-thi.html")
    page.fill("#cov-date", "2026-06-26")
    page.click("#story-coverage button")
    expect(page.locator("#story-coverage")).to_contain_text("Báo Tiền Phong")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/good-stories/ha-noi")
    assert "Đội tình nguyện Tiếp sức mùa thi" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_name_written_in_the_text_needs_consent_too(factory, clock):
    officer, director = factory.user("comms_officer"), factory.user("director")
    story = factories.story(officer)
    person = story.people[0]
    person.shows_name = person.shows_school = False
    story.body = "Em Phạm Minh Đức lớp 5A đã giúp bạn vượt lũ."
    db.session.commit()
    service.transition(story=story, user=officer, action="verify", note="ok")
    db.session.commit()
    refused = factory.api(director).post(f"/api/v1/stories/{story.id}/transitions", json={"action": "approve"})
    assert refused.status_code == 422 and "Phạm Minh Đức" in refused.get_json()["error"]["fields"]["consent"]
