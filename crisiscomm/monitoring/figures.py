"""What monitoring adds to the Ministry's overview (negative and false-information mentions of the last 24 hours,
ranked with the other urgent items) and to the scorecard (positive coverage in the school year)."""
from datetime import timedelta

from sqlalchemy import func, select

from ..extensions import db
from .models import Mention

NEGATIVE = ("negative", "false_information")


def _counts(ids, *conditions):
    rows = dict(db.session.execute(select(Mention.department_id, func.count())
                                   .where(Mention.department_id.in_(ids), *conditions)
                                   .group_by(Mention.department_id)).all())
    return {i: rows.get(i, 0) for i in ids}


def negative_last_day(ids, ctx):
    return _counts(ids, Mention.tone.in_(NEGATIVE), Mention.published_at >= ctx["now"] - timedelta(hours=24))


def positive_coverage(ids, yc):
    return _counts(ids, Mention.tone == "positive", Mention.published_at >= yc["start"], Mention.published_at < yc["end"])


def severity(value):
    return "red" if value else None
