"""The Ministry admin edits a feed (address, outlet, interval, on/off) and links it to an outlet of the press
contacts: a pick from the outlets that exist there; the feed shows that outlet's journalists and they show it back."""
import pytest
from sqlalchemy import select

from crisiscomm.errors import ValidationError
from crisiscomm.extensions import db
from crisiscomm.monitoring import settings
from crisiscomm.monitoring.models import Feed

from .. import factories
from ..factories import csrf_token


def _feed(url="https://tuoitre.example/rss/giao-duc.rss", outlet="Tuổi Trẻ"):
    feed = Feed(url=url, outlet=outlet, interval_minutes=30)
    db.session.add(feed)
    db.session.commit()
    return feed


def _edit(client, feed, **changes):
    page = client.get(f"/monitoring/feeds/{feed.id}")
    data = {"url": feed.url, "outlet": feed.outlet, "contact_outlet": feed.contact_outlet or "",
            "interval_minutes": str(feed.interval_minutes), "active": "1" if feed.active else "",
            "csrf_token": csrf_token(page), **changes}
    return client.post(f"/monitoring/feeds/{feed.id}", data=data)


def test_the_admin_edits_a_feed_and_links_it_to_a_press_contact_outlet(world, factory, clock):
    journalist = factories.contact("ha-noi", name="Lê Minh Khoa", outlet="Báo Tuổi Trẻ", email="khoa@tuoitre.example")
    factories.contact("ho-chi-minh", name="Phan Thị Hạnh", outlet="Báo Tuổi Trẻ", email="hanh@tuoitre.example")
    factories.contact("ha-noi", name="Người đã nghỉ", outlet="Báo Tuổi Trẻ", email="cu@tuoitre.example", raw=True,
                      archived=True)
    feed = _feed()
    feed.failures, feed.etag, feed.last_error = 3, '"abc"', "HTTP 500"
    db.session.commit()
    client = factory.login(world.admin)
    picker = client.get(f"/monitoring/feeds/{feed.id}").get_data(as_text=True)
    assert '<option value="Báo Tuổi Trẻ"' in picker and '<option value="Báo Hànộimới"' not in picker
    r = _edit(client, feed, url="https://tuoitre.example/rss/giao-duc-moi.rss", outlet="Báo Tuổi Trẻ",
              contact_outlet="bao tuoi tre", interval_minutes="15", active="")  # typed without diacritics
    assert r.status_code == 303
    db.session.refresh(feed)
    assert (feed.url, feed.outlet, feed.contact_outlet, feed.interval_minutes, feed.active) == (
        "https://tuoitre.example/rss/giao-duc-moi.rss", "Báo Tuổi Trẻ", "Báo Tuổi Trẻ", 15, False)
    assert feed.etag is None and feed.failures == 0 and feed.last_error is None  # a new address is read afresh
    page = client.get(f"/monitoring/feeds/{feed.id}").get_data(as_text=True)
    assert "Lê Minh Khoa" in page and "Phan Thị Hạnh" in page and "Người đã nghỉ" not in page
    assert f"/contacts/{journalist.id}" in page
    # and back: the journalist's page names the feed of the outlet, a link for the admin
    contact_page = client.get(f"/contacts/{journalist.id}").get_data(as_text=True)
    assert f"/monitoring/feeds/{feed.id}" in contact_page
    officer_view = factory.login(world.officer).get(f"/contacts/{journalist.id}").get_data(as_text=True)
    assert 'id="contact-feeds"' in officer_view and f"/monitoring/feeds/{feed.id}" not in officer_view
    assert "/monitoring/feeds" in client.get("/monitoring/feeds").get_data(as_text=True)


def test_an_outlet_that_is_not_in_the_press_contacts_is_refused(world, factory, clock):
    feed = _feed()
    client = factory.login(world.admin)
    r = _edit(client, feed, contact_outlet="Báo Không Tồn Tại", interval_minutes="2")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "không phải cơ quan báo chí trong danh bạ" in html and "số nguyên từ 5 đến 1440" in html
    db.session.refresh(feed)
    assert feed.contact_outlet is None and feed.interval_minutes == 30  # nothing half-written
    r = factory.login(world.admin).post("/monitoring/feeds", data={
        "url": "https://x.example/rss", "outlet": "X", "contact_outlet": "Báo Không Tồn Tại",
        "interval_minutes": "30", "csrf_token": csrf_token(client.get("/monitoring/feeds"))})
    assert db.session.scalar(select(Feed).where(Feed.url == "https://x.example/rss")) is None


def test_only_the_ministry_admin_edits_feeds(world, factory, clock):
    feed = _feed()
    assert factory.login(world.officer).get(f"/monitoring/feeds/{feed.id}").status_code == 403
    assert factory.login(world.admin).get("/monitoring/feeds/999999").status_code == 404


def test_one_helper_adds_both_kinds_of_terms_and_refuses_a_repeat(world, clock):
    settings.add_department_term(user=world.officer, department=world.hanoi, text="Trường Amsterdam")
    settings.add_department_term(user=world.other, department=world.hcm, text="Trường Amsterdam")  # other list
    settings.add_crisis_term(user=world.admin, text="đánh hội đồng", severity="high")
    with pytest.raises(ValidationError) as refused:
        settings.add_department_term(user=world.officer, department=world.hanoi, text="truong amsterdam")
    assert refused.value.fields == {"text": "đã có trong danh sách"}
    with pytest.raises(ValidationError) as refused:
        settings.add_crisis_term(user=world.admin, text="Đánh hội đồng")
    assert refused.value.fields == {"text": "đã có trong danh sách"}
