"""`flask incidents ...`: run the escalation and deadline jobs by hand; list open incidents. Demo records."""
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..audit.service import acting_as
from ..clock import format_datetime, now
from ..departments.service import find_by_code
from ..extensions import db
from ..users.service import find_by_email
from . import escalation, policies, service, statement_clock
from .models import CLOSED, Incident

incidents_cli = AppGroup("incidents", help="Incidents and escalation.")


def _run(label, job):
    """One run of a job as the CLI's own transaction (committed here, as the scheduler would)."""
    with acting_as(label=label):
        count = job()
        db.session.commit()
    return count


@incidents_cli.command("escalate")
def escalate_cmd():
    """Run the escalation step once (reminders, level 2, level 3) for every due incident."""
    click.echo(f"{_run('incidents escalate', escalation.run_escalations)} incident(s) escalated or reminded.")


@incidents_cli.command("deadlines")
def deadlines_cmd():
    """Alert overdue first statements and overdue checklist actions (once each)."""
    click.echo(f"{_run('incidents deadlines', statement_clock.run_deadlines)} alert(s) queued.")


@incidents_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Closed incidents and drills too.")
def list_cmd(show_all):
    """Open incidents, newest first."""
    stmt = select(Incident).order_by(Incident.occurred_at.desc())
    if not show_all:
        stmt = stmt.where(Incident.status != CLOSED, Incident.drill.is_(False))
    for i in db.session.scalars(stmt):
        click.echo(f"#{i.id:<5} {format_datetime(i.occurred_at)}  {i.department.code:18} {i.status:12} "
                   f"L{i.escalation_level} {'DRILL ' if i.drill else ''}{i.title}")


def create_demo_incidents():
    """Two Hà Nội incidents: an exam paper photo (acknowledged by the director and the steering board)
    and an open school-safety incident; plus Hà Nội's saved escalation policy."""
    department = find_by_code("ha-noi")
    officer = find_by_email("truyenthong@hanoi.demo")
    if department is None or officer is None:
        return
    if db.session.scalar(select(Incident.id).where(Incident.department_id == department.id).limit(1)):
        return
    director = find_by_email("giamdoc@hanoi.demo")
    policies.save_policy(actor=director, department=department, timeout_minutes=10, critical_timeout_minutes=5,
                        members_text={})
    t = now()
    leak = service.create_incident(actor=officer, department=department, data={
        "title": "Ảnh chụp đề thi môn Ngữ văn xuất hiện trên mạng xã hội trong giờ thi",
        "category": "exam", "exam_related": True, "exam": "Kỳ thi tốt nghiệp THPT năm 2026",
        "occurred_at": t - timedelta(hours=2, minutes=10), "known_at": t - timedelta(hours=1, minutes=55),
        "place": "Điểm thi THPT Chu Văn An, phường Ba Đình",
        "severity": "critical",
        "description": "Khoảng 35 phút sau khi tính giờ làm bài môn Ngữ văn, một tài khoản Facebook đăng ảnh chụp "
                       "trang 1 đề thi. Ban Chỉ đạo thi thành phố đã khoanh vùng điểm thi, đang xác minh thí sinh "
                       "liên quan cùng Công an thành phố.",
    })
    for email in ("giamdoc@hanoi.demo", "bcd@hanoi.demo"):
        user = find_by_email(email)
        if user is not None:
            escalation.acknowledge(incident=leak, user=user, via="app")
    service.create_incident(actor=officer, department=department, data={
        "title": "Clip học sinh lớp 8 bị đánh hội đồng lan truyền trên TikTok",
        "category": "school_safety", "exam_related": False, "occurred_at": t - timedelta(minutes=40),
        "place": "Trường THCS ở xã Gia Lâm", "severity": "high",
        "description": "Clip dài 1 phút 20 giây, đã có hơn 200.000 lượt xem; nhà trường đang xác minh danh tính các "
                       "em học sinh và làm việc với phụ huynh.",
    })
    db.session.flush()
