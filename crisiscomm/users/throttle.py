"""Sign-in throttling that slows a guesser without locking the owner out.

Failures are counted under keys: the account from one address (``ip``), the account from anywhere (``acct``,
against guessing spread over many addresses) and, for a browser that signed in to that account before, its known
device (``dev``) instead of the other two. Past a few free failures every further attempt under a key must wait,
the wait doubling up to a short maximum; nothing ever locks an account, and a known device is not slowed by a
stranger's failures at all. Each attempt is admitted by one conditional UPDATE (or INSERT) that counts it before
the password is checked, so parallel attempts cannot check more passwords than the policy admits.
"""
import hashlib
import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import now
from ..extensions import db
from ..sql import dialect
from ..types import UTCDateTime
from .models import LoginThrottle

FIRST_DELAY_SECONDS = 2


def key(kind, *parts):
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()
    return f"{kind}:{digest}"


def policy(kind):
    """(free failures, longest wait in seconds) for a kind of key."""
    cfg = current_app.config
    if kind == "acct":
        return cfg["LOGIN_ACCOUNT_FREE_FAILURES"], cfg["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"]
    return cfg["LOGIN_FREE_FAILURES"], cfg["LOGIN_MAX_DELAY_SECONDS"]


def delay(failures, free, longest):
    """Seconds to wait after ``failures`` failures: none before ``free``, then 2, 4, 8 … up to ``longest``."""
    if failures < free:
        return 0
    return min(longest, FIRST_DELAY_SECONDS * 2 ** min(failures - free, 30))


def _blocked_until_expr(new_failures, t, free, longest):
    # The wait after n failures, as SQL: one branch per doubling step until the cap.
    branches, n = [], free
    while delay(n, free, longest) < longest:
        branches.append((new_failures == n, literal(t + timedelta(seconds=delay(n, free, longest)), UTCDateTime())))
        n += 1
    return case((new_failures < free, literal(None, UTCDateTime())), *branches,
                else_=literal(t + timedelta(seconds=longest), UTCDateTime()))


def claim(kind, k):
    """Count one attempt under key ``k``; None when admitted, else the seconds to wait. Commits."""
    free, longest = policy(kind)
    t = now()
    forget = t - timedelta(minutes=current_app.config["LOGIN_FORGET_MINUTES"])
    col = LoginThrottle
    new_failures = case((col.last_attempt_at < forget, 1), else_=col.failures + 1)
    for _ in range(3):
        admitted = db.session.execute(
            update(col).where(col.key == k, (col.blocked_until.is_(None)) | (col.blocked_until <= t))
            .values(failures=new_failures, last_attempt_at=t,
                    blocked_until=_blocked_until_expr(new_failures, t, free, longest))
            .execution_options(synchronize_session=False)).rowcount
        if admitted:
            db.session.commit()
            return None
        blocked_until = db.session.scalar(select(col.blocked_until).where(col.key == k))
        if blocked_until is not None:
            db.session.commit()
            return max(1, math.ceil((blocked_until - t).total_seconds()))
        insert = pg_insert if dialect() == "postgresql" else sqlite_insert
        first_wait = delay(1, free, longest)
        # RETURNING tells whether this INSERT made the row (rowcount is -1 for it through the ORM on psycopg).
        created = db.session.execute(insert(col).values(
            key=k, failures=1, last_attempt_at=t,
            blocked_until=t + timedelta(seconds=first_wait) if first_wait else None)
            .on_conflict_do_nothing(index_elements=["key"]).returning(col.id)).first() is not None
        db.session.commit()
        if created:
            return None
        # Another attempt created the row between our UPDATE and INSERT: count against it.
    return 1


def forgive(*keys):
    """The right password was given: these keys start again from zero (in the caller's transaction)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


def cleanup():
    """Job: drop counters nobody has touched for the forget period (they would start from zero anyway)."""
    t = now()
    forget = t - timedelta(minutes=current_app.config["LOGIN_FORGET_MINUTES"])
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_attempt_at < forget,
                                                   (LoginThrottle.blocked_until.is_(None))
                                                   | (LoginThrottle.blocked_until < t)))
    db.session.commit()
