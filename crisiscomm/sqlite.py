"""SQLite as the embedded database: its pragmas, and one writer at a time waiting in the kernel.

SQLite admits one write transaction per file. A second writer that finds the file locked sleeps in SQLite's busy
handler in steps of up to 100 ms, however soon the first one commits: under the exam-day mix most of an alert's
latency was that sleeping. Here a write transaction first takes an exclusive ``flock`` on ``<database>-writer``
(released when it commits or rolls back), so writers of every thread and process queue in the kernel and the next
one starts the moment the last one commits. Reads take no lock (WAL readers never wait for the writer).

The lock is taken on the first INSERT/UPDATE/DELETE of a transaction, which is where Python's sqlite3 module
opens the transaction; reads before it run outside any transaction, so no stale snapshot can be upgraded.
"""
import fcntl
import os
import sqlite3
import threading

_WRITES = ("insert", "update", "delete", "replace")
_held = threading.local()  # the connection through which this thread holds the lock, if any


class SerialisedConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions hold ``<database>-writer`` exclusively (see module)."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._lock_fd = None
        self._locked = False
        path = os.fspath(database)
        if isinstance(path, bytes):
            path = path.decode()
        if path and path != ":memory:" and not path.startswith("file:"):
            self._lock_fd = os.open(path + "-writer", os.O_RDWR | os.O_CREAT, 0o600)

    def cursor(self, factory=None):
        return super().cursor(factory or SerialisedCursor)

    # sqlite3's own shortcuts run the C cursor directly, past SerialisedCursor.execute.
    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)

    def before_statement(self, sql):
        if self._lock_fd is None or self._locked or self.in_transaction:
            return
        if not sql.lstrip()[:7].lower().startswith(_WRITES):
            return
        if getattr(_held, "connection", None) is not None:
            # This thread already writes through another connection: waiting for itself would never end.
            # Leave it to SQLite's busy handler, which gives up after busy_timeout as before.
            return
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # releases the interpreter lock while it waits
        self._locked = True
        _held.connection = self

    def after_statement(self):
        if self._locked and not self.in_transaction:  # autocommit, or the statement failed to open one
            self._release()

    def _release(self):
        if self._locked:
            self._locked = False
            if getattr(_held, "connection", None) is self:
                _held.connection = None
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._release()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._release()

    def close(self):
        try:
            super().close()
        finally:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


class SerialisedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):
        self.connection.before_statement(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after_statement()

    def executemany(self, sql, seq_of_parameters):
        self.connection.before_statement(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.after_statement()


def engine_options(options, url):
    """The engine options of a SQLite database: no ping before each request (a file cannot drop a connection),
    and connections that serialise their writers. An in-memory database has one connection (StaticPool): no pool
    size to set."""
    connect_args = {**options.get("connect_args", {}), "factory": SerialisedConnection}
    options = {**options, "pool_pre_ping": False, "connect_args": connect_args}
    if url in ("sqlite://", "sqlite:///") or ":memory:" in url or "mode=memory" in url:
        options = {k: v for k, v in options.items() if k not in ("pool_size", "max_overflow")}
    return options


def set_pragmas(dbapi_connection):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
