"""An escalation's emails leave over one SMTP connection, and a mail server that hangs up between two messages
costs no retry: every message still leaves at once."""
from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.notifications import service as outbox
from crisiscomm.notifications.models import EMAIL, SENT, Notification


def queue_alerts(n):
    rows = [outbox.enqueue(kind="incident_escalation", channel=EMAIL, subject=f"Sự cố mới: lộ đề thi môn {i}",
                           body_text="Đề nghị xác nhận đã nhận thông tin.", address=f"bcd{i}@so-gddt.example.vn",
                           payload={"urgent": True}) for i in range(3)]
    db.session.commit()  # NOTIFY_DISPATCH=sync: delivered right after the commit
    return [row.id for row in rows]


def states(ids):
    db.session.expire_all()
    return [db.session.scalar(select(Notification.state).where(Notification.id == i)) for i in ids]


def test_an_escalations_emails_share_one_connection(app, smtp_server):
    ids = queue_alerts(3)
    assert states(ids) == [SENT] * 3
    assert smtp_server.recipients() == [f"bcd{i}@so-gddt.example.vn" for i in range(3)]
    assert smtp_server.connections() == 1


def test_a_server_hanging_up_between_messages_delays_nothing(app, smtp_server):
    smtp_server.hang_up_after_each = True
    ids = queue_alerts(3)
    # Without a fresh connection the second and third would wait for a retry with backoff.
    assert states(ids) == [SENT] * 3
    assert smtp_server.recipients() == [f"bcd{i}@so-gddt.example.vn" for i in range(3)]
    assert smtp_server.connections() == 3
