"""Demo: a month of press mentions of Hà Nội and TP Hồ Chí Minh, triaged the way a desk would, the newest still new."""
import csv
import os
from datetime import timedelta

from sqlalchemy import func, select

from ..clock import now
from ..departments.service import find_by_code
from ..extensions import db
from ..text import fold
from .matching import build_matcher
from .models import HANDLED, IGNORED, NEW, SEEN, Mention, Sighting
from .settings import generate_all

OUTLETS = [("VnExpress", "https://vnexpress.net/giao-duc/"), ("Báo Tuổi Trẻ", "https://tuoitre.vn/giao-duc/"),
           ("Báo Thanh Niên", "https://thanhnien.vn/giao-duc/"), ("Báo Dân trí", "https://dantri.com.vn/giao-duc/"),
           ("Báo Giáo dục và Thời đại", "https://giaoducthoidai.vn/"), ("Báo Hànộimới", "https://hanoimoi.vn/"),
           ("Báo Người Lao Động", "https://nld.com.vn/giao-duc-khoa-hoc/"),
           ("Nhóm Facebook Phụ huynh Hà Nội", "https://www.facebook.com/groups/phuhuynhhanoi/posts/")]


def _items():
    """(department, title, excerpt, tone once triaged) of the demo stories (data/demo_mentions.csv)."""
    with open(os.path.join(os.path.dirname(__file__), "data", "demo_mentions.csv"), encoding="utf-8", newline="") as f:
        return [(r["department"], r["title"], r["excerpt"], r["tone"]) for r in csv.DictReader(f)]


# The morning's story the demo walk starts from (README, `make run`): a leaked-paper rumour the officer has already
# marked negative and not yet acted on, the newest mention of Hà Nội's inbox.
EXAM_STORY = ("ha-noi", "Nghi lộ đề thi Toán tốt nghiệp THPT: ảnh đề lan truyền trong nhóm Zalo phụ huynh Hà Nội",
              "Sáng nay một tài khoản đăng ảnh chụp được cho là đề thi môn Toán kỳ thi tốt nghiệp THPT, kèm lời "
              "mời mua đáp án; bài đăng được chia sẻ trong nhiều nhóm phụ huynh Hà Nội.",
              "Nhóm Zalo Phụ huynh THPT Hà Nội", "https://zalo.me/g/phuhuynhthpt-hanoi/bai-lo-de")


def _exam_story(matcher, at):
    department_code, title, excerpt, outlet, link = EXAM_STORY
    department = find_by_code(department_code)
    if department is None:
        return
    _found, crisis, severity = matcher.match(f"{title} {excerpt}")
    mention = Mention(department_id=department.id, title=title, title_key=fold(title), outlet=outlet, link=link,
                      excerpt=excerpt, published_at=at, created_at=at, source="manual", reach=15000,
                      terms=sorted(set(crisis) | {department.province}), severity=severity, state=SEEN,
                      tone="negative", alerted_at=at if severity == "high" else None)
    mention.sightings.append(Sighting(source="manual", url=link, outlet=outlet, seen_at=at))
    db.session.add(mention)


def create_demo():
    generate_all()  # the demo directors and spokespersons now exist: their names become terms
    if db.session.scalar(select(func.count()).select_from(Mention)):
        return
    matcher = build_matcher()
    items = _items()
    t = now()
    n = 0
    for day in range(30, -1, -1):
        for k in range(2 if day % 3 else 3):
            department_code, title, excerpt, tone = items[n % len(items)]
            n += 1
            department = find_by_code(department_code)
            if department is None:
                continue
            outlet, base = OUTLETS[(n * 7) % len(OUTLETS)]
            at = t - timedelta(days=day, hours=3 + 5 * k, minutes=(n * 13) % 60)
            if at > t:
                continue
            _found, crisis, severity = matcher.match(f"{title} {excerpt}")
            state = NEW if day <= 1 else (IGNORED if tone == "neutral" and n % 2 == 0 else
                                          HANDLED if tone in ("negative", "false_information") else SEEN)
            mention = Mention(department_id=department.id, title=title, title_key=fold(title), outlet=outlet,
                              link=f"{base}bai-{n}.html", guid=f"{base}bai-{n}.html", excerpt=excerpt,
                              published_at=at, created_at=at, source="manual" if "facebook" in base else "feed",
                              terms=sorted(set(crisis) | {department.province}), severity=severity, state=state,
                              tone=None if state == NEW else tone, alerted_at=at if severity == "high" else None,
                              note="Đã báo cáo lãnh đạo Sở." if state == HANDLED else "")
            mention.sightings.append(Sighting(source=mention.source, url=mention.link, guid=mention.guid,
                                              outlet=outlet, seen_at=at))
            if n % 5 == 0:  # picked up by a second outlet
                other, other_base = OUTLETS[(n * 3 + 1) % len(OUTLETS)]
                mention.sightings.append(Sighting(source="feed", url=f"{other_base}lai-{n}.html", outlet=other,
                                                  seen_at=at + timedelta(hours=2)))
            db.session.add(mention)
    _exam_story(matcher, t - timedelta(minutes=40))
    db.session.flush()
