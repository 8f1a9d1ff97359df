"""Reminders to the silent: one click (only those who have not acknowledged, once per round), the job after
the configured delay at most N times — and the same rule for the Ministry's scenario templates."""
from datetime import timedelta

from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.notifications.models import Notification
from crisiscomm.orientation import tracking
from crisiscomm.scenarios.models import ScenarioDistribution

from .. import factories
from ..factories import csrf_token


def _reminders(address=None):
    stmt = select(Notification).where(Notification.subject.like("Nhắc lại:%"),
                                      Notification.source_type == "orientation_recipient")
    rows = db.session.scalars(stmt).all()
    return [r for r in rows if address is None or r.address == address]


def _ack_first(message):
    first = message.recipients[0]
    tracking.acknowledge(recipient=first, channel="email")
    db.session.commit()
    return first


def test_one_click_reminds_only_the_silent(hanoi, factory, smtp_server, clock):
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    acked = _ack_first(message)
    client = factory.login(hanoi["officer"])
    page = client.get(f"/orientation/{message.id}")
    assert "Nhắc những người chưa xác nhận" in page.get_data(as_text=True)
    before = len(smtp_server.messages)
    assert client.post(f"/orientation/{message.id}/remind", data={"csrf_token": csrf_token(page)}).status_code == 302
    reminded = {r.source_id for r in _reminders()}
    assert acked.id not in reminded and len(reminded) == 2
    assert len(smtp_server.messages) > before
    assert all("Nhắc lại" in m["message"]["Subject"] for m in smtp_server.messages[before:])
    db.session.expire_all()
    assert message.reminder_rounds == 1 and acked.reminders_sent == 0
    assert {r.reminders_sent for r in message.recipients[1:]} == {1}


def test_a_second_click_soon_after_is_refused_with_the_time_and_sends_nothing(hanoi, factory, smtp_server, clock):
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    client = factory.login(hanoi["officer"])
    page = client.get(f"/orientation/{message.id}")
    remind = lambda: client.post(f"/orientation/{message.id}/remind",  # noqa: E731
                                 data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert remind().status_code == 200
    first_round = len(_reminders())
    clock.advance(minutes=3)
    again = remind().get_data(as_text=True)
    assert "Đã nhắc lúc" in again and "có thể nhắc lại sau 7 phút" in again
    assert len(_reminders()) == first_round  # the schools were not reminded twice
    api = factory.api(hanoi["officer"])
    refused = api.post(f"/api/v1/orientation/messages/{message.id}/remind", headers={"Accept-Language": "vi"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["fields"] == {"reminded_at": "đã nhắc 3 phút trước"}
    clock.advance(minutes=8)  # past the gap: the next round goes out
    answer = api.post(f"/api/v1/orientation/messages/{message.id}/remind").get_json()
    assert answer["round"] == 2 and len(_reminders()) == 2 * first_round


def test_the_job_reminds_after_the_delay_at_most_n_times(hanoi, app, smtp_server, clock, run_job):
    app.config.update(ORIENTATION_REMINDER_DELAY_HOURS=2, ORIENTATION_REMINDER_MAX=2)
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    _ack_first(message)
    clock.advance(hours=1)
    run_job("orientation.remind")
    assert _reminders() == []
    clock.advance(hours=1, minutes=1)
    run_job("orientation.remind")
    run_job("orientation.remind")  # twice in a row queues once
    assert len({r.source_id for r in _reminders()}) == 2
    first_round = len(_reminders())
    # The next round after another delay; a third never comes.
    clock.advance(hours=2, minutes=1)
    run_job("orientation.remind")
    assert len(_reminders()) == 2 * first_round
    clock.advance(hours=5)
    run_job("orientation.remind")
    assert len(_reminders()) == 2 * first_round
    db.session.expire_all()
    assert message.reminder_rounds == 2


def test_nobody_is_reminded_once_everyone_acknowledged(hanoi, app, smtp_server, clock, run_job):
    message = factories.orientation_message(hanoi["officer"], targets={"group_ids": [hanoi["group"].id]})
    for r in message.recipients:
        tracking.acknowledge(recipient=r, channel="app")
    db.session.commit()
    clock.advance(hours=10)
    run_job("orientation.remind")
    assert _reminders() == []
    response = factories.Factory(app).api(hanoi["officer"]).post(f"/api/v1/orientation/messages/{message.id}/remind")
    assert response.get_json()["reminded"] == []


def test_scenario_distribution_reminded_automatically(app, factory, smtp_server, clock, departments, run_job):
    app.config.update(SCENARIO_REMINDER_DELAY_HOURS=48, SCENARIO_REMINDER_MAX=2)
    [version] = factories.scenario("exam-paper-leak", title="Lộ đề thi")
    factory.user("director", department="ho-chi-minh", email="giamdoc@hcm.example.vn")
    factory.user("director", department="ha-noi", email="giamdoc@hanoi.example.vn")
    silent = factories.scenario_distribution(version, "ho-chi-minh", clock.now())
    factories.scenario_distribution(version, "ha-noi", clock.now(), acknowledged_at=clock.now())

    def sent():
        return sorted(n.address for n in db.session.scalars(select(Notification).where(
            Notification.kind == "scenario.reminder")))

    clock.advance(hours=47)
    run_job("scenarios.remind")
    assert sent() == []
    clock.advance(hours=2)
    run_job("scenarios.remind")
    run_job("scenarios.remind")
    assert sent() == ["giamdoc@hcm.example.vn"]
    assert smtp_server.recipients() == ["giamdoc@hcm.example.vn"]
    clock.advance(hours=49)
    run_job("scenarios.remind")
    clock.advance(days=10)
    run_job("scenarios.remind")
    assert sent() == ["giamdoc@hcm.example.vn"] * 2
    db.session.expire_all()
    record = db.session.get(ScenarioDistribution, silent.id)
    assert record.reminder_count == 2 and record.reminded_at is not None
    assert timedelta(0) < clock.now() - record.reminded_at
