"""The feed poller: each due feed fetched politely (conditional request, timeout, size cap), parsed with
feedparser, its items matched and recorded. A failing feed waits longer each time (no retry storm) and shows
its error to the Ministry administrator."""
import calendar
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

import charset_normalizer
import feedparser
import requests
from flask import current_app
from sqlalchemy import or_, select, update

from ..clock import now
from ..extensions import db
from ..models import acting_as
from .matching import build_matcher
from .models import Feed
from .service import record

log = logging.getLogger(__name__)
MAX_BACKOFF_STEPS = 5  # a failing feed waits its interval × 2, 4, … 32 at most
USER_AGENT = "crisiscomm-monitoring/1 (+https://moet.gov.vn)"


class FeedError(Exception):
    pass


def _config(name, default):
    return current_app.config.get(name, default)


def fetch(feed):
    """(status, body bytes or None, headers): 304 gives no body. Raises FeedError."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                                                  "text/xml;q=0.8, */*;q=0.1"}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    limit = int(_config("MONITORING_FEED_MAX_BYTES", 2 * 1024 * 1024))
    timeout = float(_config("MONITORING_FEED_TIMEOUT", 10))
    try:
        with requests.get(feed.url, headers=headers, timeout=timeout, stream=True, allow_redirects=True) as response:
            if response.status_code == 304:
                return 304, None, response.headers
            if response.status_code != 200:
                raise FeedError(f"HTTP {response.status_code}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FeedError(f"larger than {limit} bytes")
            chunks, size = [], 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    raise FeedError(f"larger than {limit} bytes")
                chunks.append(chunk)
            return 200, b"".join(chunks), response.headers
    except requests.Timeout:
        raise FeedError("timed out") from None
    except requests.RequestException as exc:
        raise FeedError(type(exc).__name__) from None


def _usable(parsed):
    return any(entry.get("title") for entry in parsed.entries)


def parse(body, url, content_type=""):
    """feedparser on the bytes; a legacy encoding feedparser cannot decode goes through charset-normalizer.
    A feed with errors still counts when it has items with titles (outlets' feeds are often slightly broken)."""
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    encoding_trouble = isinstance(parsed.get("bozo_exception"), (feedparser.CharacterEncodingUnknown,
                                                                 feedparser.CharacterEncodingOverride,
                                                                 UnicodeError))
    if parsed.get("bozo") and encoding_trouble:  # undeclared or wrongly declared: feedparser guessed
        best = charset_normalizer.from_bytes(body).best()
        if best is not None and best.encoding.replace("cp", "windows-") != (parsed.get("encoding") or "").lower():
            parsed = feedparser.parse(str(best), response_headers=headers, sanitize_html=True,
                                      resolve_relative_uris=True)
    if parsed.get("bozo") and not _usable(parsed):
        raise FeedError(f"not a feed: {type(parsed.get('bozo_exception')).__name__}")
    return parsed


def _when(entry):
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            at = datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
            return min(at, now())
    return now()


def _text(entry):
    if entry.get("content"):
        return entry.content[0].get("value", "")
    return entry.get("summary", "")


def _failed(feed, t, error):
    feed.failures = (feed.failures or 0) + 1
    feed.last_error = error[:500]
    feed.next_poll_at = t + timedelta(minutes=feed.interval_minutes * 2 ** min(feed.failures, MAX_BACKOFF_STEPS))
    db.session.flush()


def poll_feed(feed, matcher=None):
    """Fetch and record one feed now. Returns the number of mentions it touched."""
    t = now()
    feed.last_polled_at = t
    try:
        status, body, headers = fetch(feed)
        parsed = None if status == 304 else parse(body, feed.url, headers.get("Content-Type", ""))
    except FeedError as exc:
        _failed(feed, t, str(exc))
        return 0
    feed.failures, feed.last_error, feed.last_ok_at = 0, None, t
    feed.next_poll_at = t + timedelta(minutes=feed.interval_minutes)
    if status == 304:
        db.session.flush()
        return 0
    feed.etag = (headers.get("ETag") or "")[:300] or None
    feed.last_modified = (headers.get("Last-Modified") or "")[:100] or None
    matcher = matcher or build_matcher()
    touched = 0
    for entry in parsed.entries:
        title = entry.get("title", "")
        link = urljoin(feed.url, entry.get("link", "") or "")
        if not title or not link.startswith(("http://", "https://")):
            continue
        touched += len(record(title=title, text=_text(entry), link=link, guid=entry.get("id"), outlet=feed.outlet,
                              published_at=_when(entry), source="feed", feed=feed, matcher=matcher))
    db.session.flush()
    return touched


def _claim(feed, t):
    """Take a due feed for this run (a second scheduler that sees it due too finds it taken)."""
    result = db.session.execute(update(Feed).where(Feed.id == feed.id, or_(Feed.next_poll_at.is_(None),
                                                                          Feed.next_poll_at <= t))
                                .values(next_poll_at=t + timedelta(minutes=feed.interval_minutes)))
    return result.rowcount == 1


def poll_due_feeds():
    """The scheduler job: every active feed whose time has come, one at a time."""
    t = now()
    due = db.session.scalars(select(Feed).where(Feed.active.is_(True), or_(Feed.next_poll_at.is_(None),
                                                                          Feed.next_poll_at <= t))
                             .order_by(Feed.next_poll_at.is_(None).desc(), Feed.next_poll_at, Feed.id)
                             .limit(int(_config("MONITORING_FEEDS_PER_RUN", 20)))).all()
    if not due:
        return 0
    matcher = build_matcher()
    total = 0
    with acting_as(label="monitoring"):
        for feed in due:
            if not _claim(feed, t):  # the row stays locked until the run commits: a second poller skips it
                continue
            try:
                with db.session.begin_nested():
                    total += poll_feed(feed, matcher=matcher)
            except Exception as exc:  # one feed's unexpected failure is its error, not the whole run's
                log.exception("feed %s failed", feed.id)
                _failed(feed, t, f"{type(exc).__name__}")
    return total
