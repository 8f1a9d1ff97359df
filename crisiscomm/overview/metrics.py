"""The overview columns, scorecard evidence and charts of the domains on this installation.

Every compute function answers for all Departments at once with grouped queries.
"""
from collections import Counter
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from werkzeug.routing import BuildError

from .. import registry
from ..briefings import quarters as briefings
from ..briefings.models import HELD, PLANNED, Briefing
from ..clock import format_date, local_today, to_local
from ..contacts.models import Contact
from ..contacts.service import STALE_AFTER
from ..departments.models import ACTIVE, Department
from ..extensions import db
from ..incidents.models import CLOSED, STATUSES, Escalation, Incident
from ..inquiries.models import ANSWERED, DECLINED, OPEN_STATES, REFERRED, Inquiry
from ..inquiries.settings import DEFAULT_DUE_SOON_MINUTES
from ..plans.models import SUBMITTED, DepartmentPlan
from ..plans.years import current_school_year
from ..scenarios.models import Scenario, ScenarioDistribution, ScenarioVersion
from ..spokespersons.models import OFFICIAL, SpokespersonAssignment
from ..sql import local_month, median, month_labels
from ..users.models import User
from . import charts


def link(endpoint, department=None, **values):
    """A URL to the records behind a cell; the Department's page when that domain has no list page."""
    try:
        if department is not None:
            values.setdefault("department", department.code)
        return url_for(endpoint, **values)
    except BuildError:
        return url_for("departments.show", code=department.code) if department is not None else None


def share_severity(value, red=0.5, amber=0.8):
    if value is None:
        return "red"
    return "red" if value < red else ("amber" if value < amber else "green")


def pct(value):
    return "–" if value is None else f"{round(value * 100)} %"


# ---------------------------------------------------------------- incidents
def open_incidents(ids, ctx):
    rows = db.session.execute(
        select(Incident.department_id, func.count(),
               func.sum(case((Incident.exam_related.is_(True), 1), else_=0)))
        .where(Incident.department_id.in_(ids), Incident.status != CLOSED, Incident.drill.is_(False))
        .group_by(Incident.department_id)).all()
    out = {}
    for dep_id, total, exam in rows:
        exam = int(exam or 0)
        # ranking: a live exam incident outweighs any number of other ones
        out[dep_id] = {"value": int(total), "exam": exam, "urgency": exam * 1000 + int(total),
                       "display": (_("%(exam)s exam · %(n)s", exam=exam, n=total) if exam else str(total)),
                       "severity": "red" if exam else "amber"}
    return {i: out.get(i, {"value": 0, "exam": 0, "display": "0", "severity": None}) for i in ids}


def incidents_per_month(ctx):
    labels = month_labels(local_today(), 12)
    start = ctx["now"] - timedelta(days=400)
    month = local_month(Incident.occurred_at)
    rows = db.session.execute(
        select(month, func.count(), func.sum(case((Incident.exam_related.is_(True), 1), else_=0)))
        .where(Incident.occurred_at >= start, Incident.drill.is_(False)).group_by(month)).all()
    counts = {m: (int(n), int(e or 0)) for m, n, e in rows}
    return charts.line_chart(
        [(_("All incidents"), [(m[5:] + "/" + m[2:4], counts.get(m, (0, 0))[0]) for m in labels]),
         (_("Exam-related"), [(m[5:] + "/" + m[2:4], counts.get(m, (0, 0))[1]) for m in labels])],
        title=_("Incidents per month (drills excluded)"), css_class="chart-incidents",
        y_label=_("incidents per month"))


# ---------------------------------------------------------------- spokespersons
def official_spokesperson(ids, ctx):
    at = ctx["now"]
    rows = db.session.execute(
        select(SpokespersonAssignment.department_id, User.name)
        .join(User, User.id == SpokespersonAssignment.user_id)
        .where(SpokespersonAssignment.department_id.in_(ids), SpokespersonAssignment.kind == OFFICIAL,
               SpokespersonAssignment.effective_from <= at,
               or_(SpokespersonAssignment.effective_to.is_(None), SpokespersonAssignment.effective_to > at))
        .order_by(SpokespersonAssignment.effective_from)).all()
    names = {}
    for dep_id, name in rows:
        names[dep_id] = name  # the latest one in force
    return {i: ({"value": names[i], "display": names[i], "severity": None} if i in names else
                {"value": None, "display": _("missing"), "severity": "red"}) for i in ids}


# ---------------------------------------------------------------- contacts
def _contacts_fresh(ids, at):
    since = at - STALE_AFTER
    rows = db.session.execute(
        select(Contact.department_id, func.count(),
               func.sum(case((and_(Contact.last_verified_at.is_not(None), Contact.last_verified_at >= since,
                                   Contact.last_verified_at <= at), 1), else_=0)))
        .where(Contact.department_id.in_(ids), Contact.archived.is_(False), Contact.created_at <= at)
        .group_by(Contact.department_id)).all()
    return {dep_id: (int(total), int(fresh or 0)) for dep_id, total, fresh in rows}


def contacts_fresh_metric(ids, ctx):
    counts = _contacts_fresh(ids, ctx["now"])
    out = {}
    for i in ids:
        total, fresh = counts.get(i, (0, 0))
        share = fresh / total if total else None
        out[i] = {"value": share, "display": f"{pct(share)} ({fresh}/{total})" if total else _("no contacts"),
                  "severity": share_severity(share)}
    return out


def contacts_fresh_evidence(ids, yc):
    counts = _contacts_fresh(ids, yc["as_of"])
    return {i: (counts[i][1] / counts[i][0] if counts.get(i, (0, 0))[0] else 0.0) for i in ids}


# ---------------------------------------------------------------- plans
def _plans(ids, school_year):
    rows = db.session.execute(
        select(DepartmentPlan.department_id, DepartmentPlan.status, DepartmentPlan.first_submitted_at)
        .where(DepartmentPlan.department_id.in_(ids), DepartmentPlan.school_year == school_year,
               DepartmentPlan.origin_department_id.is_(None))).all()
    return {dep_id: (status == SUBMITTED, first) for dep_id, status, first in rows}


def plan_metric(ids, ctx):
    plans = _plans(ids, ctx["school_year"])
    out = {}
    for i in ids:
        if i not in plans:
            out[i] = {"value": 0, "display": _("missing"), "severity": "red"}
        elif plans[i][0]:
            out[i] = {"value": 2, "display": _("submitted %(d)s", d=format_date(plans[i][1])), "severity": "green"}
        else:
            out[i] = {"value": 1, "display": _("draft"), "severity": "amber"}
    return out


def plan_evidence(ids, yc):
    plans = _plans(ids, yc["school_year"])
    return {i: (1 if plans.get(i, (False, None))[0] and plans[i][1] <= yc["end"] else 0) for i in ids}


def register_all(app):
    registry.metric(app, "incidents_open", _l("Open incidents"), open_incidents, order=10, total=True, urgency=1,
                    link=lambda d: link("incidents.index", d, status="open"),
                    description=_l("Open incidents, drills excluded; exam-related ones counted first and in red."))
    registry.metric(app, "spokesperson", _l("Official spokesperson"), official_spokesperson, order=60,
                    link=lambda d: link("spokespersons.manage", d), sort_desc=False)
    registry.metric(app, "contacts_fresh", _l("Contacts verified (12 months)"), contacts_fresh_metric, order=70,
                    link=lambda d: link("contacts.index", d, stale="1"), sort_desc=False)
    registry.metric(app, "plan", _l("Plan for this school year"), plan_metric, order=80,
                    link=_plan_link, sort_desc=False)
    registry.evidence(app, "plan_submitted", _l("Plan submitted"), plan_evidence, unit="bool", order=50)
    registry.evidence(app, "contacts_fresh", _l("Contacts verified in the last 12 months"), contacts_fresh_evidence,
                      unit="share", order=60)
    registry.chart(app, "incidents_per_month", incidents_per_month, order=10)
    for register in (register_briefings, register_inquiries, register_escalations, register_scenarios):
        register(app)


def _plan_link(department):
    return url_for("plans.year", year=current_school_year()) + "#plan-status"


# ---------------------------------------------------------------- briefings
def _held_quarters(ids, start, end):
    """{department_id: {'2026Q1', ...}} quarters (local time) with at least one held briefing in [start, end)."""
    month = local_month(Briefing.starts_at)
    rows = db.session.execute(
        select(Briefing.department_id, month).where(Briefing.department_id.in_(ids), Briefing.status == HELD,
                                                    Briefing.starts_at >= start, Briefing.starts_at < end)
        .group_by(Briefing.department_id, month)).all()
    out = {}
    for dep_id, m in rows:
        out.setdefault(dep_id, set()).add(f"{m[:4]}Q{(int(m[5:7]) - 1) // 3 + 1}")
    return out


def briefing_status(ids, ctx):
    key = briefings.current_quarter()
    start, end = briefings.quarter_bounds(key)
    rows = db.session.execute(
        select(Briefing.department_id, Briefing.status, func.count())
        .where(Briefing.department_id.in_(ids), Briefing.starts_at >= start, Briefing.starts_at < end,
               Briefing.status.in_((HELD, PLANNED)))
        .group_by(Briefing.department_id, Briefing.status)).all()
    statuses = {}
    for dep_id, status, _n in rows:
        statuses.setdefault(dep_id, set()).add(status)
    out = {}
    for i in ids:
        s = statuses.get(i, set())
        if HELD in s:
            out[i] = {"value": 2, "display": _("held"), "severity": "green"}
        elif PLANNED in s:
            out[i] = {"value": 1, "display": _("planned"), "severity": "amber"}
        else:
            out[i] = {"value": 0, "display": _("missing"), "severity": "red"}
    return out


def briefings_evidence(ids, yc):
    held = _held_quarters(ids, yc["start"], yc["end"])
    return {i: len(held.get(i, ())) / 4 for i in ids}


def briefing_compliance_chart(ctx):
    keys = [briefings.shift_quarter(briefings.current_quarter(), -n) for n in range(7, -1, -1)]
    start, end = briefings.quarter_bounds(keys[0])[0], briefings.quarter_bounds(keys[-1])[1]
    ids = db.session.scalars(select(Department.id).where(Department.status == ACTIVE)).all()
    held = _held_quarters(ids, start, end)
    total = len(ids) or 1
    items = [(k.replace("Q", "/Q")[5:] + "/" + k[2:4], round(100 * sum(1 for s in held.values() if k in s) / total))
             for k in keys]
    return charts.bar_chart(items, title=_("Departments that held a press briefing, per quarter"), unit="%",
                            max_value=100, css_class="chart-briefings", y_label=_("% of active Departments"))


def register_briefings(app):
    registry.metric(app, "briefing_quarter", _l("Briefing this quarter"), briefing_status, order=40,
                    link=lambda d: link("briefings.index", d, quarter=briefings.current_quarter()), sort_desc=False,
                    description=_l("Held, planned or missing: the periodic press briefing of the current quarter."))
    registry.evidence(app, "briefings_per_quarter", _l("Quarters with a press briefing held"), briefings_evidence,
                      unit="share", order=10)
    registry.chart(app, "briefing_compliance", briefing_compliance_chart, order=40)


# ---------------------------------------------------------------- inquiries
def overdue_inquiries(ids, ctx):
    # Open inquiries are few among years of answered ones: fetch them through (state, due_at) and count here;
    # a GROUP BY department_id would lead the planner to walk every inquiry of every Department.
    rows = Counter(db.session.scalars(
        select(Inquiry.department_id).where(Inquiry.state.in_(OPEN_STATES), Inquiry.due_at < ctx["now"])))
    return {i: {"value": int(rows.get(i, 0)), "severity": "red" if rows.get(i) else None} for i in ids}


def due_soon_inquiries(ids, ctx):
    soon = ctx["now"] + timedelta(minutes=DEFAULT_DUE_SOON_MINUTES)
    rows = Counter(db.session.scalars(
        select(Inquiry.department_id).where(Inquiry.state.in_(OPEN_STATES), Inquiry.due_at >= ctx["now"],
                                            Inquiry.due_at < soon)))
    return {i: {"value": int(rows.get(i, 0)), "severity": "amber" if rows.get(i) else None} for i in ids}


def _inquiry_timeliness(ids, start, end):
    """{department_id: (due, on_time)}: inquiries due in [start, end), Ministry referrals left out; on time when
    answered (or declined on a legal ground) by their deadline."""
    done = func.coalesce(Inquiry.answered_at, Inquiry.closed_at)
    rows = db.session.execute(
        select(Inquiry.department_id, func.count(),
               func.sum(case((and_(Inquiry.state.in_((ANSWERED, DECLINED)), done <= Inquiry.due_at), 1), else_=0)))
        .where(Inquiry.department_id.in_(ids), Inquiry.state != REFERRED, Inquiry.due_at >= start,
               Inquiry.due_at < end)
        .group_by(Inquiry.department_id)).all()
    return {dep_id: (int(n), int(ok or 0)) for dep_id, n, ok in rows}


def inquiries_evidence(ids, yc):
    counts = _inquiry_timeliness(ids, yc["start"], yc["as_of"])
    return {i: (counts[i][1] / counts[i][0] if counts.get(i, (0, 0))[0] else None) for i in ids}


def inquiries_per_month(ctx):
    labels = month_labels(local_today(), 12)
    month = local_month(Inquiry.received_at)
    start = ctx["now"] - timedelta(days=400)
    received = dict(db.session.execute(select(month, func.count()).where(Inquiry.received_at >= start)
                                       .group_by(month)).all())
    done = func.coalesce(Inquiry.answered_at, Inquiry.closed_at)
    late = dict(db.session.execute(
        select(month, func.count()).where(Inquiry.received_at >= start,
                                          or_(done > Inquiry.due_at, and_(done.is_(None), Inquiry.due_at < ctx["now"])))
        .group_by(month)).all())
    tick = [m[5:] + "/" + m[2:4] for m in labels]
    return charts.line_chart([(_("Received"), list(zip(tick, [int(received.get(m, 0)) for m in labels]))),
                              (_("Late or overdue"), list(zip(tick, [int(late.get(m, 0)) for m in labels])))],
                             title=_("Press inquiries per month"), css_class="chart-inquiries",
                             y_label=_("inquiries per month"))


def register_inquiries(app):
    registry.metric(app, "inquiries_due_soon", _l("Inquiries due soon"), due_soon_inquiries, order=22, total=True,
                    urgency=4, link=lambda d: link("inquiries.index", d, state="open"),
                    description=_l("Open press inquiries due within the next two hours."))
    registry.metric(app, "inquiries_overdue", _l("Overdue inquiries"), overdue_inquiries, order=20, total=True,
                    urgency=3,
                    link=lambda d: link("inquiries.index", d, overdue="1"),
                    description=_l("Press inquiries still open after their deadline."))
    registry.evidence(app, "inquiries_on_time", _l("Inquiries answered on time"), inquiries_evidence, unit="share",
                      order=20)
    registry.chart(app, "inquiries_per_month", inquiries_per_month, order=20)


# ---------------------------------------------------------------- incident escalations
def _ack_rows(ids, start, end):
    """[(department_id, notified_at, minutes to the first acknowledgement or None)] per escalated incident
    (drills left out) first notified in [start, end)."""
    first_notified = func.min(Escalation.notified_at)
    first_ack = func.min(Escalation.acknowledged_at)
    # An incident first notified in the window has an escalation in it: look only at those (by the
    # notified_at index), not at ten years of incidents.
    in_window = select(Escalation.incident_id).where(Escalation.notified_at >= start, Escalation.notified_at < end)
    rows = db.session.execute(
        select(Incident.department_id, first_notified, first_ack)
        .join(Escalation, Escalation.incident_id == Incident.id)
        .where(Incident.id.in_(in_window), Incident.department_id.in_(ids), Incident.drill.is_(False))
        .group_by(Incident.id, Incident.department_id)
        .having(and_(first_notified >= start, first_notified < end))).all()
    return [(dep, notified, (ack - notified).total_seconds() / 60 if ack else None) for dep, notified, ack in rows]


def unacknowledged_escalations(ids, ctx):
    per_incident = (select(Incident.department_id.label("dep"))
                    .join(Escalation, Escalation.incident_id == Incident.id)
                    .where(Incident.department_id.in_(ids), Incident.drill.is_(False),
                           Incident.status.in_([s for s in STATUSES if s != CLOSED]))  # by the status index
                    .group_by(Incident.id, Incident.department_id)
                    .having(func.count(Escalation.acknowledged_at) == 0).subquery())
    rows = dict(db.session.execute(select(per_incident.c.dep, func.count()).group_by(per_incident.c.dep)).all())
    return {i: {"value": int(rows.get(i, 0)), "severity": "red" if rows.get(i) else None} for i in ids}


def escalation_evidence(ids, yc):
    per_dep = {}
    for dep, _notified, minutes in _ack_rows(ids, yc["start"], yc["as_of"]):
        if minutes is not None:
            per_dep.setdefault(dep, []).append(minutes)
    return {i: (round(median(per_dep[i]), 1) if i in per_dep else None) for i in ids}


def escalation_ack_chart(ctx):
    labels = month_labels(local_today(), 12)
    ids = db.session.scalars(select(Department.id).where(Department.status == ACTIVE)).all()
    by_month = {}
    for _dep, notified, minutes in _ack_rows(ids, ctx["now"] - timedelta(days=400), ctx["now"]):
        if minutes is not None:
            by_month.setdefault(to_local(notified).strftime("%Y-%m"), []).append(minutes)
    points = [(m[5:] + "/" + m[2:4], round(median(by_month[m]), 1) if m in by_month else None) for m in labels]
    return charts.line_chart([(_("Median minutes"), points)], unit="′",
                             title=_("Time to acknowledge incident escalations (median, minutes)"),
                             css_class="chart-escalations", y_label=_("minutes (′)"))


def register_escalations(app):
    registry.metric(app, "escalations_unacknowledged", _l("Unacknowledged escalations"), unacknowledged_escalations,
                    order=15, total=True, urgency=2, link=lambda d: link("incidents.index", d, status="open"),
                    description=_l("Open incidents whose escalation nobody has acknowledged yet."))
    registry.evidence(app, "escalation_ack_median_minutes", _l("Median minutes to acknowledge an escalation"),
                      escalation_evidence, unit="minutes", better="lower", order=30)
    registry.chart(app, "escalation_ack", escalation_ack_chart, order=30)


# ---------------------------------------------------------------- scenario distributions
def _distributions(ids, latest_only, at=None, start=None):
    """{department_id: (distributed, acknowledged)} of scenario versions sent to each Department: the latest
    versions only, or those distributed in [start, at) and acknowledged by ``at``."""
    acked = ScenarioDistribution.acknowledged_at.is_not(None)
    if at is not None:
        acked = and_(acked, ScenarioDistribution.acknowledged_at <= at)
    stmt = (select(ScenarioDistribution.department_id, func.count(), func.sum(case((acked, 1), else_=0)))
            .where(ScenarioDistribution.department_id.in_(ids), ScenarioDistribution.origin_department_id.is_(None)))
    if latest_only:
        stmt = (stmt.join(ScenarioVersion, ScenarioVersion.id == ScenarioDistribution.scenario_version_id)
                .join(Scenario, Scenario.id == ScenarioVersion.scenario_id)
                .where(ScenarioVersion.version == Scenario.latest_version))
    if start is not None:
        stmt = stmt.where(ScenarioDistribution.distributed_at >= start, ScenarioDistribution.distributed_at < at)
    rows = db.session.execute(stmt.group_by(ScenarioDistribution.department_id)).all()
    return {dep: (int(n), int(ok or 0)) for dep, n, ok in rows}


def scenario_ack_metric(ids, ctx):
    counts = _distributions(ids, latest_only=True)
    out = {}
    for i in ids:
        n, ok = counts.get(i, (0, 0))
        if not n:
            out[i] = {"value": None, "display": "–", "severity": None}
        else:
            out[i] = {"value": ok / n, "display": f"{ok}/{n}", "severity": "green" if ok == n else "amber"}
    return out


def scenario_evidence(ids, yc):
    counts = _distributions(ids, latest_only=False, at=yc["as_of"], start=yc["start"])
    return {i: (counts[i][1] / counts[i][0] if counts.get(i, (0, 0))[0] else None) for i in ids}


def register_scenarios(app):
    registry.metric(app, "scenarios_acknowledged", _l("Latest scenarios acknowledged"), scenario_ack_metric,
                    order=50, link=lambda d: link("scenarios.index", d), sort_desc=False,
                    description=_l("Latest scenario versions sent to the Department that it has acknowledged."))
    registry.evidence(app, "scenarios_acknowledged", _l("Scenario versions acknowledged"), scenario_evidence,
                      unit="share", order=40)

