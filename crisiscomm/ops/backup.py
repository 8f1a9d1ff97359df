"""Portable backups: every table as JSON lines, read in one consistent snapshot.

File format (UTF-8, one JSON object per line; gzip when the file name ends with ``.gz``)::

    {"format": "crisiscomm-backup", "version": 1, "created_at": ..., "dialect": ..., "tables": [...],
     "counts": {table: rows}}
    {"t": "department", "r": {"id": 1, "code": "ha-noi", ...}}
    ...

Tables come in ``db.metadata.sorted_tables`` order (parents first), rows in primary-key order.
Datetimes are ISO 8601 (UTC), dates ISO, binary base64 ``{"$b64": ...}``, JSON columns as JSON.
APScheduler's job table is not part of the dump: the scheduler rebuilds it on start.

Restore goes into an EMPTY database (schema created by ``flask db upgrade``) in one transaction:
all rows or none. Foreign keys that point at the same table or a later one (e.g. a Department
``merged_into`` another) are inserted empty and filled in afterwards, so any row order works.
PostgreSQL sequences are then moved past the highest restored id.
"""
import base64
import datetime as dt
import decimal
import gzip
import io
import json

from flask_babel import gettext as _
from sqlalchemy import Date, DateTime, Integer, LargeBinary, Numeric, func, select, text, update
from sqlalchemy.types import TypeDecorator

from ..clock import now
from ..errors import Conflict, ValidationError
from ..extensions import db

FORMAT = "crisiscomm-backup"
VERSION = 1
SKIPPED_TABLES = {"apscheduler_jobs"}
BATCH = 1000


def tables():
    return [t for t in db.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _open(path, mode):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, mode + "b"), encoding="utf-8")
    return open(path, mode, encoding="utf-8", newline="\n")


def _encode(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _base_type(column):
    t = column.type
    while isinstance(t, TypeDecorator):
        t = t.impl if not isinstance(t.impl, type) else t.impl()
    return t


def _decoder(column):
    t = _base_type(column)
    if isinstance(t, DateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(t, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if isinstance(t, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v["$b64"])
    if isinstance(t, Numeric) and not isinstance(t, Integer):
        return lambda v: None if v is None else decimal.Decimal(v)
    return None


def read_rows(conn, table):
    """Every row of ``table`` as a dict of JSON-ready values, in primary-key order."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*order))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def _begin_snapshot(conn):
    """Start one read transaction that sees a single consistent state of the whole database."""
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    else:
        # pysqlite only opens a transaction before writes; open it ourselves so every SELECT
        # below reads the same snapshot (WAL keeps it while writers carry on).
        conn.exec_driver_sql("BEGIN")
    return conn


def backup(path):
    """Write the dump to ``path``. Returns {table: rows written}."""
    counts = {}
    with db.engine.connect() as conn:
        conn = _begin_snapshot(conn)
        try:
            selected = tables()
            for table in selected:
                counts[table.name] = conn.scalar(select(func.count()).select_from(table))
            with _open(path, "w") as out:
                header = {"format": FORMAT, "version": VERSION, "created_at": now().isoformat(),
                          "dialect": conn.dialect.name, "tables": [t.name for t in selected], "counts": counts}
                out.write(json.dumps(header, ensure_ascii=False) + "\n")
                for table in selected:
                    for row in read_rows(conn, table):
                        out.write(json.dumps({"t": table.name, "r": row}, ensure_ascii=False, sort_keys=True,
                                             separators=(",", ":")) + "\n")
        finally:
            conn.rollback()
    return counts


def read_header(path):
    with _open(path, "r") as fh:
        line = fh.readline()
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValidationError(_("This file is not a crisiscomm backup."), fields={"file": _("not a crisiscomm backup")})
    if header.get("version") != VERSION:
        raise ValidationError(_("Backup format version %(v)s is not supported (expected %(expected)s).",
                                v=header.get("version"), expected=VERSION),
                              fields={"file": _("unsupported version")})
    return header


def non_empty_tables(conn):
    from sqlalchemy import inspect

    existing = set(inspect(conn).get_table_names())
    missing = [t.name for t in tables() if t.name not in existing]
    if missing:
        raise Conflict(_("The database has no schema yet: run `flask db upgrade` first. Missing tables: %(v)s",
                         v=", ".join(missing)))
    return [t.name for t in tables() if conn.execute(select(text("1")).select_from(t).limit(1)).first()]


def _deferred_columns(table, order):
    """FK columns pointing at this table or at one restored later: inserted NULL, set afterwards."""
    position = order[table.name]
    deferred = []
    for column in table.columns:
        for fk in column.foreign_keys:
            if order.get(fk.column.table.name, -1) >= position:
                deferred.append(column.name)
                break
    return deferred


def restore(path):
    """Load a dump into an empty database, in one transaction. Returns {table: rows restored}."""
    header = read_header(path)
    by_name = {t.name: t for t in tables()}
    unknown = [name for name in header["tables"] if name not in by_name]
    if unknown:
        raise ValidationError(_("The backup has tables this version does not know: %(v)s", v=", ".join(unknown)),
                              fields={"file": _("schema mismatch")})
    order = {t.name: i for i, t in enumerate(tables())}
    decoders = {name: {c.name: _decoder(c) for c in t.columns} for name, t in by_name.items()}
    deferred = {name: _deferred_columns(t, order) for name, t in by_name.items()}
    counts = {name: 0 for name in header["tables"]}
    late_updates = {}  # table -> [(pk dict, {column: value})]

    with db.engine.connect() as conn:
        with conn.begin():
            busy = non_empty_tables(conn)
            if busy:
                raise Conflict(_("Restore needs an empty database; these tables already hold rows: %(v)s",
                                                 v=", ".join(busy)))
            batch, batch_table = [], None

            def flush():
                if batch:
                    conn.execute(by_name[batch_table].insert(), batch)
                    batch.clear()

            with _open(path, "r") as fh:
                fh.readline()
                for number, line in enumerate(fh, start=2):
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    name, row = record["t"], record["r"]
                    table = by_name.get(name)
                    if table is None:
                        raise ValidationError(_("Line %(n)s: unknown table %(name)s.", n=number, name=name), fields={"file": _("bad line")})
                    extra = set(row) - set(table.columns.keys())
                    if extra:
                        raise ValidationError(_("Line %(n)s: unknown columns in %(name)s: %(v)s.", n=number, name=name,
                                                v=", ".join(sorted(extra))),
                                              fields={"file": _("schema mismatch")})
                    for key, decode in decoders[name].items():
                        if decode is not None and row.get(key) is not None:
                            row[key] = decode(row[key])
                    later = {c: row[c] for c in deferred[name] if row.get(c) is not None}
                    if later:
                        pk = {c.name: row[c.name] for c in table.primary_key.columns}
                        # Keep columns with an onupdate default (updated_at) as they were.
                        later.update({c.name: row.get(c.name) for c in table.columns
                                      if c.onupdate is not None and c.name in row})
                        late_updates.setdefault(name, []).append((pk, later))
                        row = {**row, **{c: None for c in deferred[name] if c in later}}
                    if name != batch_table:
                        flush()
                        batch_table = name
                    batch.append(row)
                    counts[name] += 1
                    if len(batch) >= BATCH:
                        flush()
                flush()
            for name, updates in late_updates.items():
                table = by_name[name]
                for pk, values in updates:
                    conn.execute(update(table).where(*[table.c[k] == v for k, v in pk.items()]).values(**values))
            expected = header.get("counts") or {}
            for name, n in expected.items():
                if counts.get(name, 0) != n:
                    raise ValidationError(_("The backup is incomplete: %(name)s has %(rows)s rows, expected %(n)s.",
                                            name=name, rows=counts.get(name, 0), n=n), fields={"file": _("truncated")})
            if conn.dialect.name == "postgresql":
                fix_sequences(conn)
    return counts


def fix_sequences(conn):
    """Move each serial/identity sequence past the highest id (PostgreSQL)."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(_base_type(pk[0]), Integer):
            continue
        column = pk[0].name
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": f'"{table.name}"', "c": column})
        if sequence:
            conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 1), '
                              f'(SELECT MAX("{column}") IS NOT NULL FROM "{table.name}"))'), {"s": sequence})


__all__ = ["backup", "restore", "read_header", "read_rows", "tables"]
