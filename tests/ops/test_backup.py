"""flask backup / restore: a portable, consistent dump restorable into an empty SQLite or PostgreSQL."""
import gzip
import json
import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from crisiscomm import create_app
from crisiscomm.config import TestConfig
from crisiscomm.contacts.models import Contact
from crisiscomm.extensions import db
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import EMAIL, IN_APP
from crisiscomm.ops import backup as dump

from .. import factories
from ..conftest import PG_URL, _tmpdir, empty_database, make_app


def fill(factory, clock):
    from crisiscomm.departments import service as departments

    factory.departments()
    officer = factory.user(role="comms_officer", name="Nguyễn Thị Hoa")
    admin = factory.user(role="ministry_admin")
    factory.token(officer)
    hanoi = departments.find_by_code("ha-noi")
    factories.contact(hanoi, "Trần Văn Bình", "Báo Tuổi Trẻ", "central_resident", phones=["0912 345 678"],
                      email="binh@tuoitre.vn", notes="Phóng viên thường trú — *giáo dục*",
                      last_verified_at=clock.now(), raw=True, commit=False)
    incident = factories.incident(hanoi, "Lộ đề thi môn Ngữ văn", category="exam_leak", exam_related=True,
                                  exam="Kỳ thi tốt nghiệp THPT 2026", occurred_at=clock.now(),
                                  reported_at=clock.now() + timedelta(minutes=3),
                                  description="Ảnh đề thi trên mạng xã hội", severity="critical",
                                  reporter_id=officer.id, commit=False)
    db.session.flush()
    outbox.enqueue(kind="incident.alert", channel=EMAIL, recipient=admin, subject="Sự cố: lộ đề thi",
                   body_text="Chi tiết", payload={"incident_id": incident.id, "levels": [1, 2]},
                   source=("incident", incident.id), dedupe_key=f"incident:{incident.id}:l1")
    outbox.enqueue(kind="incident.alert", channel=IN_APP, recipient=officer, subject="Sự cố mới")
    db.session.commit()


def snapshot(app):
    """Every table, every row, as the backup encodes them (the comparison the round trip must pass)."""
    with app.app_context():
        with db.engine.connect() as conn:
            return {t.name: list(dump.read_rows(conn, t)) for t in dump.tables()}


def fresh_sqlite_app(name):
    from crisiscomm.config import TestConfig

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    path = os.path.join(_tmpdir, name)
    if os.path.exists(path):
        os.remove(path)
    config.update(SQLALCHEMY_DATABASE_URI="sqlite:///" + path, MAIL_PORT=1)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


def run(app, *args):
    # The CLI runs in the current app context when there is one: push the target app's own.
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_backup_round_trips_through_sqlite_and_postgresql(app, backend, factory, clock, tmp_path):
    fill(factory, clock)
    original = snapshot(app)
    assert all(original[t] for t in ("department", "user_account", "api_token", "notification", "audit_entry",
                                     "contact", "incident"))
    assert any(r["merged_into_id"] for r in original["department"])

    first = str(tmp_path / "first.jsonl.gz")
    result = run(app, "backup", first)
    assert result.exit_code == 0, result.output
    with gzip.open(first, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
    assert header["format"] == "crisiscomm-backup" and header["version"] == 1
    assert header["tables"][0] == "deadline_rule" or "department" in header["tables"]
    assert "apscheduler_jobs" not in header["tables"]
    assert header["counts"]["contact"] == 1

    # Into the other database (PostgreSQL from SQLite; a fresh SQLite file from PostgreSQL) and back.
    cleanup = []
    if backend == "sqlite" and PG_URL:
        other = make_app("postgresql")
        cleanup.append(other)
    else:
        other = fresh_sqlite_app("restore-other.db")
    try:
        with other.app_context():
            db.session.remove()
        result = run(other, "restore", first)
        assert result.exit_code == 0, result.output
        restored = snapshot(other)
        for table, rows in original.items():
            assert len(restored[table]) == len(rows), table
            for got, want in zip(restored[table], rows):
                assert got == want, (table, {k: (got[k], want[k]) for k in want if got.get(k) != want[k]})

        second = str(tmp_path / "second.jsonl")
        assert run(other, "backup", second).exit_code == 0
        back = fresh_sqlite_app("restore-back.db")
        assert run(back, "restore", second).exit_code == 0
        assert snapshot(back) == original

        # Ids keep counting after the highest restored one (PostgreSQL sequences are moved).
        with other.app_context():
            from crisiscomm.departments import service as departments

            hanoi = departments.find_by_code("ha-noi")
            contact = factories.contact(hanoi, "Lê Minh", "VTV", "broadcast", email=None, raw=True)
            assert contact.id == max(r["id"] for r in original["contact"]) + 1
            db.session.remove()
    finally:
        for extra in cleanup:
            empty_database(extra)


def test_restore_refuses_a_database_that_holds_data(app, factory, clock, tmp_path):
    fill(factory, clock)
    path = str(tmp_path / "b.jsonl")
    assert run(app, "backup", path).exit_code == 0
    before = snapshot(app)
    result = run(app, "restore", path)
    assert result.exit_code != 0
    assert "cơ sở dữ liệu trống" in result.output
    assert "department" in result.output
    assert snapshot(app) == before


def test_restore_rejects_a_file_that_is_not_a_backup_and_a_truncated_one(app, factory, clock, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello\n")
    result = run(app, "restore", str(bogus))
    assert result.exit_code != 0 and "không phải bản sao lưu crisiscomm" in result.output

    fill(factory, clock)
    full = tmp_path / "full.jsonl"
    assert run(app, "backup", str(full)).exit_code == 0
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("".join(full.read_text().splitlines(keepends=True)[:-3]))
    target = fresh_sqlite_app("restore-truncated.db")
    result = run(target, "restore", str(truncated))
    assert result.exit_code != 0 and "không đầy đủ" in result.output
    with target.app_context():
        assert db.session.scalar(select(db.func.count(Contact.id))) == 0  # all or nothing
