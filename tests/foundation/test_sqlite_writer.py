"""SQLite admits one writer at a time: a second writer queues behind the first instead of failing with
"database is locked" or sleeping in SQLite's busy handler (crisiscomm/sqlite.py)."""
import threading

from crisiscomm.sqlite import SerialisedConnection


def connect(path):
    conn = SerialisedConnection(str(path), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=0")  # SQLite alone would refuse a second writer at once
    return conn


def test_a_second_writer_waits_for_the_first_and_both_land(tmp_path):
    path = tmp_path / "office.db"
    first, second = connect(path), connect(path)
    first.execute("CREATE TABLE inquiry (id INTEGER PRIMARY KEY, subject TEXT)")
    first.commit()
    first.execute("INSERT INTO inquiry (subject) VALUES ('Lịch công bố điểm thi')")  # holds the write lock
    outcome = {}

    def write():
        try:
            second.execute("INSERT INTO inquiry (subject) VALUES ('Phúc khảo trực tuyến')")
            second.commit()
            outcome["ok"] = True
        except Exception as exc:  # noqa: BLE001 - the test reports what SQLite said
            outcome["error"] = repr(exc)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(0.5)
    assert writer.is_alive() and not outcome, outcome  # queued, not refused
    first.commit()
    writer.join(10)
    assert outcome == {"ok": True}
    rows = [r[0] for r in first.execute("SELECT subject FROM inquiry ORDER BY id")]
    assert rows == ["Lịch công bố điểm thi", "Phúc khảo trực tuyến"]


def test_reads_do_not_wait_for_a_writer(tmp_path):
    path = tmp_path / "office.db"
    writer, reader = connect(path), connect(path)
    writer.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT)")
    writer.execute("INSERT INTO contact (name) VALUES ('Nguyễn Văn An')")
    writer.commit()
    writer.execute("INSERT INTO contact (name) VALUES ('Trần Thị Bình')")  # a write transaction stays open
    assert [r[0] for r in reader.execute("SELECT name FROM contact")] == ["Nguyễn Văn An"]
    writer.rollback()
    # The lock went with the rollback: the reader may write now.
    reader.execute("INSERT INTO contact (name) VALUES ('Lê Văn Cường')")
    reader.commit()
    assert [r[0] for r in writer.execute("SELECT name FROM contact ORDER BY id")] == ["Nguyễn Văn An", "Lê Văn Cường"]
