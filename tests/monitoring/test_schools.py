"""A Department's schools are watch terms (registry.watch_terms, registered by the network package): a feed item
naming a school, by its name or a short form, is a mention of its Department; an archived school no longer is."""
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.monitoring import poller
from crisiscomm.monitoring.models import Feed, Mention
from crisiscomm.network.models import UPPER_SECONDARY, School

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Giáo dục - Báo Dân trí</title><link>https://dantri.example/giao-duc</link>
{items}</channel></rss>"""
ITEM = """<item><title><![CDATA[{title}]]></title><description><![CDATA[<p>{text}</p>]]></description>
<link>https://dantri.example/{slug}.htm</link><guid>{slug}</guid><pubDate>Thu, 25 Jun 2026 09:30:00 +0700</pubDate>
</item>"""


def _school(department, name, aliases=(), **kw):
    school = School(department_id=department.id, name=name, level=UPPER_SECONDARY, aliases=list(aliases), **kw)
    db.session.add(school)
    db.session.commit()
    return school


def _poll(feed_server, *items):
    url = feed_server.serve("/rss", RSS.format(items="".join(ITEM.format(**i) for i in items)))
    if not db.session.scalar(select(Feed).where(Feed.url == url)):
        db.session.add(Feed(url=url, outlet="Báo Dân trí", interval_minutes=30))
    db.session.commit()
    poller.poll_due_feeds()
    db.session.commit()


def test_a_feed_item_naming_a_school_is_a_mention_of_its_department(world, feed_server, clock):
    _school(world.hanoi, "Trường THPT Chu Văn An", aliases=["THPT Chu Văn An", "Chu Văn An"])
    _school(world.hcm, "Trường THPT Lê Hồng Phong", aliases=["Lê Hồng Phong"])
    _poll(feed_server,
          {"title": "Học sinh thpt chu van an bị bạo lực học đường", "slug": "cva",  # no diacritics, lower case
           "text": "Nhà trường đã mời phụ huynh lên làm việc."},
          {"title": "Lê Hồng Phong đoạt giải nhất cuộc thi robot", "slug": "lhp", "text": "Đội tuyển của trường…"},
          {"title": "Thời tiết cuối tuần nắng nóng", "slug": "tt", "text": "Không liên quan đến trường học nào."})
    mentions = {m.title: m for m in db.session.scalars(select(Mention))}
    assert set(mentions) == {"Học sinh thpt chu van an bị bạo lực học đường",
                             "Lê Hồng Phong đoạt giải nhất cuộc thi robot"}
    violence = mentions["Học sinh thpt chu van an bị bạo lực học đường"]
    assert violence.department_id == world.hanoi.id
    assert {"THPT Chu Văn An", "bạo lực học đường"} <= set(violence.terms)
    assert mentions["Lê Hồng Phong đoạt giải nhất cuộc thi robot"].department_id == world.hcm.id


def test_an_archived_school_is_no_longer_watched_and_the_terms_page_lists_the_schools(world, factory, feed_server,
                                                                                     clock):
    school = _school(world.hanoi, "Trường THCS Archimedes Academy")
    page = factory.login(world.officer).get("/monitoring/terms").get_data(as_text=True)
    assert 'id="linked-terms"' in page and "Trường THCS Archimedes Academy" in page
    school.archived_at = clock.now()
    db.session.commit()
    _poll(feed_server, {"title": "Trường THCS Archimedes Academy khai giảng", "slug": "aa", "text": "Lễ khai giảng."})
    assert db.session.scalars(select(Mention)).all() == []
    assert "Archimedes" not in factory.login(world.officer).get("/monitoring/terms").get_data(as_text=True)
