from datetime import datetime, timezone

from crisiscomm.extensions import db
from crisiscomm.jobs import run_all_once
from crisiscomm.notifications.models import Notification

from ..factories import briefing, spokesperson_assignment


def _rows(kind):
    db.session.expire_all()
    return db.session.scalars(db.select(Notification).where(Notification.kind == kind)).all()


def test_reminder_before_a_briefing_goes_once_to_speakers_and_comms_officers(app, departments, factory, clock):
    spokesperson = factory.user("spokesperson", name="Đỗ Minh Tuấn")
    officer = factory.user("comms_officer", name="Vũ Thị Mai")
    factory.user("viewer")
    spokesperson_assignment(spokesperson.department, spokesperson, raw=True,
                            effective_from=datetime(2025, 1, 1, tzinfo=timezone.utc))
    # Clock: 26/06/2026 08:00 local. One briefing in two days, one in ten days.
    soon = briefing(starts_at=datetime(2026, 6, 28, 2, 0, tzinfo=timezone.utc), title="Sắp tới")
    briefing(starts_at=datetime(2026, 7, 6, 2, 0, tzinfo=timezone.utc), title="Còn xa")
    assert [u.id for u in soon.speakers] == [spokesperson.id]  # the official spokesperson by default

    run_all_once(app)
    run_all_once(app)
    rows = _rows("briefing_reminder")
    assert sorted((r.recipient_id, r.channel) for r in rows) == sorted(
        (u.id, ch) for u in (spokesperson, officer) for ch in ("email", "in_app"))
    assert all(r.source_id == soon.id for r in rows)
    assert "28/06/2026 09:00" in rows[0].subject

    # A Department that wants a week's notice gets the far one too, still once.
    dep = spokesperson.department
    dep.settings = {**(dep.settings or {}), "briefing_reminder_days": 11}
    db.session.commit()
    run_all_once(app)
    run_all_once(app)
    assert len(_rows("briefing_reminder")) == 8


def test_quarter_gap_reminders_after_two_thirds_of_the_quarter(app, departments, factory, clock):
    hanoi_director = factory.user("director")
    hanoi_officer = factory.user("comms_officer")
    factory.user("director", department="ho-chi-minh")
    centre = factory.user("ministry_comms")
    briefing("ho-chi-minh", starts_at=datetime(2026, 6, 20, 2, 0, tzinfo=timezone.utc))
    clock.set(datetime(2026, 5, 25, 1, 0, tzinfo=timezone.utc))  # before two thirds of Q2 (31 May)
    run_all_once(app)
    assert _rows("briefing_quarter_gap") == [] and _rows("briefing_quarter_summary") == []

    clock.set(datetime(2026, 6, 5, 1, 0, tzinfo=timezone.utc))
    run_all_once(app)
    run_all_once(app)
    gap = _rows("briefing_quarter_gap")
    assert sorted((r.recipient_id, r.channel) for r in gap) == sorted(
        (u.id, ch) for u in (hanoi_director, hanoi_officer) for ch in ("email", "in_app"))
    summary = _rows("briefing_quarter_summary")
    assert [(r.recipient_id, r.channel) for r in sorted(summary, key=lambda r: r.channel)] == [
        (centre.id, "email"), (centre.id, "in_app")]
    assert "33" in summary[0].subject and "Sở GDĐT Hà Nội" in summary[0].body_text
    assert "TP Hồ Chí Minh" not in summary[0].body_text
