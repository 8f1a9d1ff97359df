"""SQL helpers that read the same on SQLite and PostgreSQL."""
from sqlalchemy import func, literal_column

from .extensions import db


def dialect():
    return db.session.get_bind().dialect.name


def local_month(column):
    """'YYYY-MM' of a UTC datetime column in Hà Nội time (UTC+7, no daylight saving)."""
    if dialect() == "postgresql":
        return func.to_char(column + literal_column("interval '7 hours'"), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+7 hours")


def minutes_between(start, end):
    """Minutes from ``start`` to ``end`` (datetime columns), as a float expression."""
    if dialect() == "postgresql":
        return func.extract("epoch", end - start) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def median_of(stmt):
    """Median of the single numeric column ``stmt`` selects (None when it selects no row), computed by the
    database so that ten years of rows are not shipped to Python."""
    column = stmt.selected_columns[0]
    if dialect() == "postgresql":
        value = db.session.scalar(stmt.with_only_columns(func.percentile_cont(0.5).within_group(column)))
        return None if value is None else float(value)
    n = db.session.scalar(stmt.with_only_columns(func.count()).order_by(None))
    if not n:
        return None
    middle = db.session.scalars(stmt.order_by(column).limit(2 - n % 2).offset((n - 1) // 2)).all()
    return sum(float(v) for v in middle) / len(middle)


def month_labels(end_local_date, count=12):
    """The ``count`` months up to and including the month of ``end_local_date``: ['2025-07', ...]."""
    y, m = end_local_date.year, end_local_date.month
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return out[::-1]


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def plain_rows(stmt, columns, joins=()):
    """Run ``stmt`` (a ``select(Model)`` with its filters, order and page) for ``columns`` only, joining ``joins``
    ((target, on clause, outer?), …): rows, not ORM objects. For a page that is only serialised, building and
    tracking the instances cost more CPU than the query itself."""
    stmt = stmt.with_only_columns(*columns)
    for target, on, outer in joins:
        stmt = stmt.join(target, on, isouter=outer)
    return db.session.execute(stmt).all()


class RowView:
    """A loaded ORM object read through the names of a ``plain_rows`` row: ``joined`` gives the names the row
    takes from joined tables (a person's email, a Department's code), so one function shapes both."""

    def __init__(self, obj, **joined):
        self.__dict__.update(joined)
        self._obj = obj

    def __getattr__(self, name):
        return getattr(self._obj, name)
