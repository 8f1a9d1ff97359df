"""Inquiry figures (volume per month, time to answer, share on time) and the spreadsheet export."""
from sqlalchemy import case, func, select

from .. import figures, scoping, spreadsheets
from ..clock import now, to_local
from ..departments.models import Department
from ..extensions import db
from ..sql import local_month, median_of, minutes_between
from .models import ANSWERED, OPEN_STATES, STATES, Inquiry
from .queries import list_query


def stats(*, user=None, department=None, date_from=None, date_to=None):
    """Volume per (local) month, median hours to answer, share answered by the due time."""
    # Counted by the database: the Ministry-wide figures cover every inquiry of ten years.
    base = list_query(user=user, department=department, date_from=date_from, date_to=date_to).order_by(None)
    answered_cond = (Inquiry.state == ANSWERED) & Inquiry.answered_at.is_not(None)
    on_time_cond = answered_cond & (Inquiry.answered_at <= Inquiry.due_at)
    overdue_cond = Inquiry.state.in_(OPEN_STATES) & (Inquiry.due_at <= now())
    by_state, per_department = {s: 0 for s in STATES}, {}
    totals = {"total": 0, "answered": 0, "on_time": 0, "overdue": 0}
    rows = db.session.execute(base.with_only_columns(
        Inquiry.department_id, Inquiry.state, func.count(),
        func.sum(case((answered_cond, 1), else_=0)), func.sum(case((on_time_cond, 1), else_=0)),
        func.sum(case((overdue_cond, 1), else_=0))).group_by(Inquiry.department_id, Inquiry.state))
    for department_id, state, count, answered, on_time, overdue in rows:
        by_state[state] += count
        d = per_department.setdefault(department_id, {"total": 0, "answered": 0, "on_time": 0})
        for key, value in (("total", count), ("answered", answered or 0), ("on_time", on_time or 0)):
            d[key] += value
            totals[key] += value
        totals["overdue"] += overdue or 0
    month = local_month(Inquiry.received_at)
    months = db.session.execute(base.with_only_columns(month, func.count()).group_by(month).order_by(month)).all()
    minutes = median_of(base.with_only_columns(
        minutes_between(Inquiry.received_at, Inquiry.answered_at)).where(answered_cond))
    names = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(per_department)))}
    departments = [{"department": names[i].code, "name": names[i].name, **d} for i, d in per_department.items()]
    answered = totals["answered"]
    return {
        "total": totals["total"],
        "by_month": [{"month": m, "count": n} for m, n in months],
        "by_state": by_state,
        "answered": answered,
        "median_hours_to_answer": round(minutes / 60, 2) if minutes is not None else None,
        "answered_on_time": totals["on_time"],
        "share_on_time": round(totals["on_time"] / answered, 4) if answered else None,
        "open_overdue": totals["overdue"],
        "departments": sorted(departments, key=lambda d: (-d["total"], d["department"])),
    }


def dashboard_stats(*, department=None, date_from=None, date_to=None):
    """stats() for the figures page and the API, shared by readers of the same scope for FIGURES_CACHE_SECONDS
    (exports always count afresh); "as_of" says when they were counted."""
    key = ("inquiry-stats", scoping.scope_key(), department.id if department else None, date_from or "",
           date_to or "")
    data, at = figures.cached(key, lambda: stats(department=department, date_from=date_from, date_to=date_to))
    return {**data, "as_of": at}


def export_xlsx(rows, stats_data=None):
    wb = spreadsheets.workbook("Inquiries")
    ws = wb.active
    header = ["ID", "Sở GDĐT", "Nhận lúc", "Kênh", "Phóng viên", "Cơ quan báo chí", "Chủ đề", "Mức ưu tiên",
              "Hạn trả lời", "Trạng thái", "Người xử lý", "Trả lời lúc", "Đúng hạn"]
    spreadsheets.append(ws, header, bold=True)

    def naive(dt):
        return to_local(dt).replace(tzinfo=None) if dt else None

    for r in rows:
        on_time = "" if r.answered_at is None else ("có" if r.answered_at <= r.due_at else "không")
        spreadsheets.append(ws, [r.id, r.department.name, naive(r.received_at), r.channel, r.journalist_name,
                                 r.outlet, r.subject, r.priority, naive(r.due_at), r.state,
                                 r.assignee.name if r.assignee else "", naive(r.answered_at), on_time])
    for col, width in zip("ABCDEFGHIJKLM", (6, 28, 17, 14, 24, 28, 50, 10, 17, 18, 24, 17, 9)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for idx in (2, 8, 11):
            if row[idx].value is not None:
                row[idx].number_format = "dd/mm/yyyy hh:mm"
    if stats_data is not None:
        s = wb.create_sheet("Stats")
        for line in (["Tổng số", stats_data["total"]], ["Đã trả lời", stats_data["answered"]],
                     ["Trung vị thời gian trả lời (giờ)", stats_data["median_hours_to_answer"]],
                     ["Tỷ lệ trả lời đúng hạn", stats_data["share_on_time"]], [], ["Tháng", "Số câu hỏi"],
                     *([m["month"], m["count"]] for m in stats_data["by_month"])):
            spreadsheets.append(s, line)
    return spreadsheets.xlsx_bytes(wb)
