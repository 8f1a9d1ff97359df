"""The feed poller against a real local HTTP server: RSS with CDATA HTML, Atom, Windows-1258, relative links,
304 on conditional requests, a timeout, a broken and an oversized feed; the same story in two feeds is one mention."""
from datetime import timedelta

from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.monitoring import poller
from crisiscomm.monitoring.models import Feed, Mention

from .conftest import cp1258

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Giáo dục - VnExpress</title><link>https://vnexpress.example/giao-duc</link>
{items}
</channel></rss>"""
ITEM = """<item><title><![CDATA[{title}]]></title>
<description><![CDATA[<a href="/bai-1.html"><img src="/anh.jpg" alt=""></a></br><p>{text}</p><script>alert(1)</script>]]></description>
<link>{link}</link><guid isPermaLink="false">{guid}</guid><pubDate>Thu, 25 Jun 2026 09:30:00 +0700</pubDate></item>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tuổi Trẻ Giáo dục</title><id>urn:tt</id>
<updated>2026-06-25T03:00:00Z</updated>
<entry><title>Nghi ngộ độc ở trường tiểu học tại Hà Nội</title><id>urn:tt:1</id>
<link href="/giao-duc/ngo-doc.htm"/><updated>2026-06-25T03:00:00Z</updated>
<summary type="html">&lt;b&gt;Hơn 20 học sinh&lt;/b&gt; nhập viện</summary></entry></feed>"""


def _feed(url, outlet="VnExpress", minutes=30):
    feed = Feed(url=url, outlet=outlet, interval_minutes=minutes)
    db.session.add(feed)
    db.session.commit()
    return feed


def _run():
    n = poller.poll_due_feeds()
    db.session.commit()
    return n


def _mentions():
    return db.session.scalars(select(Mention).order_by(Mention.id)).all()


def test_rss_with_cdata_html_and_relative_links(world, feed_server, clock):
    url = feed_server.serve("/rss", RSS.format(items=ITEM.format(
        title="Sở GDĐT Hà Nội bác tin lộ đề thi lớp 10", text="Thông tin <b>sai sự thật</b> &amp; bị xử lý",
        link="/giao-duc/bac-tin-lo-de.html?utm_source=fb&amp;id=7", guid="vne-1")))
    feed = _feed(url)
    _run()
    (m,) = _mentions()
    assert m.department.code == "ha-noi" and m.outlet == "VnExpress"
    assert m.link == f"{feed_server.url}/giao-duc/bac-tin-lo-de.html?id=7"  # absolute, tracking stripped
    assert m.excerpt == "Thông tin sai sự thật & bị xử lý"  # plain text: no tags, no script
    assert "lộ đề" in m.terms and m.severity == "high"
    assert m.published_at.isoformat() == "2026-06-25T02:30:00+00:00"
    db.session.refresh(feed)
    assert feed.etag and feed.last_error is None and feed.failures == 0


def test_atom_feed(world, feed_server, clock):
    _feed(feed_server.serve("/atom", ATOM, "application/atom+xml"), outlet="Báo Tuổi Trẻ")
    _run()
    (m,) = _mentions()
    assert m.title == "Nghi ngộ độc ở trường tiểu học tại Hà Nội"
    assert m.link == f"{feed_server.url}/giao-duc/ngo-doc.htm" and m.excerpt == "Hơn 20 học sinh nhập viện"
    assert m.terms == ["Hà Nội", "ngộ độc"]


def test_windows_1258_declared_feed(world, feed_server, clock):
    body = cp1258(RSS.replace('encoding="UTF-8"', 'encoding="windows-1258"').format(items=ITEM.format(
        title="Học sinh Bình Dương thiếu chỗ học lớp 6", text="Phụ huynh lo lắng", link="/a.html", guid="g1")))
    _feed(feed_server.serve("/legacy", body, "application/xml"), outlet="Báo Bình Dương")
    _run()
    (m,) = _mentions()
    assert m.department.code == "ho-chi-minh"
    assert m.title == "Học sinh Bình Dương thiếu chỗ học lớp 6" and m.excerpt == "Phụ huynh lo lắng"


def test_an_undeclared_legacy_encoding_is_detected(world, feed_server, clock):
    body = cp1258(RSS.replace(' encoding="UTF-8"', '').format(items=ITEM.format(
        title="Học sinh Bình Dương thiếu chỗ học lớp 6",
        text="Phụ huynh lo lắng vì con không có chỗ học, Sở Giáo dục và Đào tạo đã có văn bản trả lời.",
        link="/a.html", guid="g1")))
    _feed(feed_server.serve("/undeclared", body, "application/xml"), outlet="Báo Bình Dương")
    _run()
    (m,) = _mentions()
    assert m.title == "Học sinh Bình Dương thiếu chỗ học lớp 6" and m.department.code == "ho-chi-minh"


def test_conditional_requests_and_a_feed_that_changes(world, feed_server, clock):
    item = ITEM.format(title="Hà Nội công bố điểm chuẩn lớp 10", text="…", link="/1.html", guid="1")
    url = feed_server.serve("/rss", RSS.format(items=item))
    feed = _feed(url, minutes=30)
    _run()
    assert feed_server.hits["/rss"] == 1
    clock.advance(minutes=10)
    _run()  # not due yet: no request at all
    assert feed_server.hits["/rss"] == 1
    clock.advance(minutes=21)
    _run()
    assert feed_server.conditional["/rss"] == 1 and len(_mentions()) == 1
    feed_server.serve("/rss", RSS.format(items=item + ITEM.format(
        title="Clip bạo lực học đường ở Hà Nội", text="…", link="/2.html", guid="2")))
    clock.advance(minutes=31)
    _run()
    assert [m.title for m in _mentions()] == ["Hà Nội công bố điểm chuẩn lớp 10", "Clip bạo lực học đường ở Hà Nội"]
    assert [len(m.sightings) for m in _mentions()] == [1, 1]  # an item read again is not seen twice
    db.session.refresh(feed)
    assert feed.last_modified == "Thu, 25 Jun 2026 10:00:00 GMT"


def test_timeout_broken_and_oversized_feeds_keep_an_error_and_back_off(world, feed_server, clock):
    slow = _feed(feed_server.url + "/slow", outlet="Chậm")
    broken = _feed(feed_server.serve("/broken", "<rss><channel><item><title>Hà Nội</ti", "text/html"), "Hỏng")
    huge = _feed(feed_server.serve("/huge", RSS.format(items=ITEM.format(
        title="Hà Nội", text="x" * 30_000, link="/h.html", guid="h"))), outlet="Lớn")
    missing = _feed(feed_server.url + "/gone", outlet="Mất")
    t = clock.now()
    _run()
    for feed, error in ((slow, "timed out"), (broken, "not a feed"), (huge, "larger than 20000 bytes"),
                        (missing, "HTTP 404")):
        db.session.refresh(feed)
        assert (feed.last_error or "").startswith(error) and feed.failures == 1, (feed.outlet, feed.last_error)
        assert feed.next_poll_at == t + timedelta(minutes=60)  # twice the interval
    assert _mentions() == []
    clock.advance(minutes=61)
    _run()
    db.session.refresh(missing)
    assert missing.failures == 2 and missing.next_poll_at == clock.now() + timedelta(minutes=120)
    assert feed_server.hits["/gone"] == 2  # no retry storm: once per (growing) wait


def test_the_same_story_in_two_feeds_is_one_mention_with_two_sightings(world, feed_server, clock):
    link = "https://vnexpress.example/giao-duc/lo-de.html"
    one = ITEM.format(title="Nghi lộ đề thi Ngữ văn ở Hà Nội", text="…", link=link + "?utm_source=rss", guid="a")
    two = ITEM.format(title="Nghi lộ đề thi Ngữ văn tại Hà Nội", text="…", link=link + "?fbclid=xyz", guid="b")
    _feed(feed_server.serve("/one", RSS.format(items=one)), outlet="VnExpress")
    _feed(feed_server.serve("/two", RSS.format(items=two)), outlet="VnExpress mobile")
    # the same title from the same outlet under another link: the same story too
    three = ITEM.format(title="Nghi lộ đề thi Ngữ văn ở Hà Nội", text="…", link="/khac.html", guid="c")
    _feed(feed_server.serve("/three", RSS.format(items=three)), outlet="VnExpress")
    _run()
    (m,) = _mentions()
    assert len(m.sightings) == 3 and {s.outlet for s in m.sightings} == {"VnExpress", "VnExpress mobile"}


def test_two_pollers_at_the_same_time_read_each_feed_once(world, feed_server, clock):
    _feed(feed_server.serve("/rss", RSS.format(items=ITEM.format(
        title="Hà Nội", text="…", link="/1.html", guid="1"))))
    _run()
    _run()  # a second scheduler run at the same moment finds nothing due
    assert feed_server.hits["/rss"] == 1
