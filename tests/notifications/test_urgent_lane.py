"""Escalations have their own senders: an exam alert leaves while every ordinary sender waits on a slow mail
server with reminders and invitations."""
from crisiscomm.extensions import db
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import EMAIL, SENT, Notification

from ..waiting import wait_until


def test_an_escalation_is_sent_while_the_ordinary_senders_are_stuck(app, factory, smtp_server):
    app.config["NOTIFY_DISPATCH"] = "thread"
    director = factory.user("director")
    slow = [f"phong{n}@baotinh.vn" for n in range(6)]
    smtp_server.hold(*slow)
    try:
        # More ordinary batches than there are ordinary senders: each one is stuck on the slow server.
        for n, address in enumerate(slow):
            outbox.enqueue(kind="briefing_invitation", channel=EMAIL, subject=f"Giấy mời họp báo {n}",
                           body_text="Kính mời quý báo dự họp báo định kỳ.", address=address,
                           dedupe_key=f"invitation:{n}")
            db.session.commit()

        outbox.notify_user(user=director, kind="escalation", subject="Sự cố thi: lộ đề môn Toán",
                           body_text="Báo cáo ngay Ban Chỉ đạo thi.", dedupe_key="escalation:1", urgent=True)
        db.session.commit()

        wait_until(lambda: smtp_server.to(director.email), "the escalation waited behind the invitations")
        assert not any(smtp_server.to(address) for address in slow)  # those are still on the slow server
    finally:
        smtp_server.release()
    wait_until(lambda: all(smtp_server.to(address) for address in slow), "the invitations were not sent")

    def all_recorded_sent():
        db.session.expire_all()
        return not db.session.query(Notification).filter(Notification.channel == EMAIL,
                                                         Notification.state != SENT).count()

    wait_until(all_recorded_sent, "the outbox did not record every email as sent")
