"""Distribution of scenario versions to the Departments: sending, acknowledgement of receipt, reminders to
the Departments that have not acknowledged, and the per-Department status."""
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions, scoping
from ..clock import format_date, local_today, now
from ..departments.models import ACTIVE, Department
from ..departments.service import find_by_code
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..notifications import reminders
from ..notifications.models import EMAIL, IN_APP, Notification
from ..notifications.service import enqueue
from ..users.service import department_users
from .models import ScenarioDistribution, ScenarioVersion
from .service import get_version


def _department_by_code(code):
    return find_by_code(code, follow_merger=False)


def distribute(*, scenario, version, departments, by):
    """Send a version to every active Department ("all") or the ones named; one record per Department
    (an existing record is kept, so publishing twice changes nothing)."""
    permissions.require(by, "scenario.distribute")
    if version in (None, ""):
        raise ValidationError(_("Choose a version."), fields={"version": _("required")})
    sv = get_version(scenario, version)
    if departments == "all":
        targets = db.session.scalars(select(Department).where(Department.status == ACTIVE)
                                     .order_by(Department.sort_name)).all()
    elif isinstance(departments, (list, tuple)) and departments and all(isinstance(c, str) for c in departments):
        targets, bad = [], []
        for code in dict.fromkeys(c.strip() for c in departments):
            dep = _department_by_code(code)
            if dep is None or dep.status != ACTIVE:
                bad.append(code)
            else:
                targets.append(dep)
        if bad:
            raise ValidationError(_("Unknown or inactive Departments."),
                                  fields={"departments": _("unknown or not active: %(v)s", v=", ".join(bad))})
    else:
        raise ValidationError(_("Choose the Departments."),
                              fields={"departments": 'a non-empty list of Department codes, or "all"'})
    existing = {d.department_id: d for d in db.session.scalars(select(ScenarioDistribution).where(
        ScenarioDistribution.scenario_version_id == sv.id))}
    records, created, at = [], [], now()
    for dep in targets:
        record = existing.get(dep.id)
        if record is None:
            record = ScenarioDistribution(scenario_version=sv, department_id=dep.id, distributed_at=at,
                                          distributed_by_id=by.id)
            db.session.add(record)
            created.append((record, dep))
        records.append(record)
    db.session.flush()
    for record, dep in created:
        _notify_distribution(record, dep, sv)
    return records


def _playbook_url(scenario):
    try:
        return url_for("scenarios.show", slug=scenario.slug, _external=True)
    except RuntimeError:  # outside a request (CLI, demo)
        return (current_app.config.get("BASE_URL") or "").rstrip("/") + f"/scenarios/{scenario.slug}"


def _notify_distribution(record, department, sv):
    scenario = sv.scenario
    subject = _("New crisis scenario template: %(title)s (version %(n)s)", title=scenario.title, n=sv.version)
    body = _("The Ministry's communication centre has sent the template \"%(title)s\", version %(n)s. "
             "Please read it, adapt it to your Department if needed, and acknowledge receipt: %(url)s",
             title=scenario.title, n=sv.version, url=_playbook_url(scenario))
    for user in department_users(department.id, roles=permissions.holders("scenario.distribution.notice")):
        enqueue(kind="scenario.distributed", channel=IN_APP, subject=subject, body_text=body, recipient=user,
                department_id=department.id, source=("scenario_distribution", record.id),
                dedupe_key=f"scenario-dist:{record.id}:{user.id}")


def distributions_for_version(version):
    return db.session.scalars(select(ScenarioDistribution).join(Department, Department.id ==
                                                                ScenarioDistribution.department_id)
                              .where(ScenarioDistribution.scenario_version_id == version.id)
                              .order_by(ScenarioDistribution.acknowledged_at.is_not(None), Department.sort_name)
                              ).all()


def list_distributions(*, scenario=None, user=None):
    """Distributions the user may see (their Department's, or all for the Ministry), newest version first."""
    stmt = scoping.scoped_select(ScenarioDistribution, user=user).join(ScenarioVersion)
    if scenario is not None:
        stmt = stmt.where(ScenarioVersion.scenario_id == scenario.id)
    stmt = stmt.order_by(ScenarioVersion.scenario_id, ScenarioVersion.version.desc(), ScenarioDistribution.id)
    return db.session.scalars(stmt).unique().all()


def acknowledge(*, distribution, user):
    """A Department user confirms receipt for their own Department (the first confirmation is kept)."""
    if user.is_ministry or user.department_id != distribution.department_id:
        raise PermissionDenied(_("Only the Department that received the template can acknowledge it."))
    permissions.require(user, "scenario.acknowledge")
    if distribution.acknowledged_at is None:
        distribution.acknowledged_at = now()
        distribution.acknowledged_by_id = user.id
        db.session.flush()
    return distribution


def remind(*, version, by, department_ids=None):
    """Email a reminder to every Department that has not acknowledged ``version`` (at most one a day each).
    Returns the distributions reminded now."""
    permissions.require(by, "scenario.distribute")
    day = local_today().isoformat()
    reminded = []
    for record in distributions_for_version(version):
        if record.acknowledged or (department_ids and record.department_id not in department_ids):
            continue
        if _remind_record(record, day):
            reminded.append(record)
    db.session.flush()
    return reminded


def _remind_record(record, round_key):
    """Queue one reminder to a Department that has not acknowledged (its notice holders, else its own address);
    ``round_key`` (a day, or an automatic round) goes into the dedupe key. True when something new was queued."""
    version = record.scenario_version
    scenario = version.scenario
    subject = _("Reminder: please acknowledge the crisis scenario \"%(title)s\" (version %(n)s)",
                title=scenario.title, n=version.version)
    body = _("Dear colleagues,\n\nThe Ministry's communication centre sent %(dep)s the crisis scenario "
             "template \"%(title)s\", version %(n)s, on %(when)s. Receipt has not yet been acknowledged.\n\n"
             "Please open it, check it against your Department's arrangements and acknowledge receipt:\n"
             "%(url)s\n\nThe Ministry's communication centre",
             dep=record.department.name, title=scenario.title, n=version.version,
             when=format_date(record.distributed_at), url=_playbook_url(scenario))
    users = department_users(record.department_id, roles=permissions.holders("scenario.distribution.notice"))
    queued = False
    targets = [(u, u.email, u.name) for u in users] or [(None, record.department.email, record.department.name)]
    for user, address, label in targets:
        key = f"scenario-remind:{record.id}:{user.id if user else 'dep'}:{round_key}"
        before = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key))
        enqueue(kind="scenario.reminder", channel=EMAIL, subject=subject, body_text=body, recipient=user,
                address=address, recipient_label=label, department_id=record.department_id,
                source=("scenario_distribution", record.id), dedupe_key=key)
        queued = queued or before is None
    if queued:
        record.reminded_at = now()
        record.reminder_count = (record.reminder_count or 0) + 1
    return queued


def _silent_distributions(rule, cutoff):
    return db.session.scalars(select(ScenarioDistribution).join(Department, Department.id ==
                                                                ScenarioDistribution.department_id)
                              .where(ScenarioDistribution.acknowledged_at.is_(None), Department.status == ACTIVE,
                                     ScenarioDistribution.reminder_count < rule.max_rounds,
                                     ScenarioDistribution.distributed_at <= cutoff)
                              .order_by(ScenarioDistribution.id)).all()


def remind_due():
    """The scheduler's job: a Department silent on a distribution for SCENARIO_REMINDER_DELAY_HOURS since it was
    sent (or last reminded) is reminded, at most SCENARIO_REMINDER_MAX times (reminders by hand count too)."""
    done = reminders.run("SCENARIO", label="scenarios.remind", candidates=_silent_distributions,
                         sent_at="distributed_at", reminded_at="reminded_at", rounds="reminder_count",
                         remind=lambda r, n: _remind_record(r, f"auto{n}"))
    db.session.flush()
    return done


def pending_for_department(department_id):
    """Distributions a Department has not acknowledged yet, each marked new or updated."""
    rows = db.session.scalars(select(ScenarioDistribution).join(ScenarioVersion).where(
        ScenarioDistribution.department_id == department_id, ScenarioDistribution.acknowledged_at.is_(None))
        .order_by(ScenarioDistribution.distributed_at.desc())).unique().all()
    out = []
    for row in rows:
        earlier = db.session.scalar(select(func.count()).select_from(ScenarioDistribution).join(ScenarioVersion)
                                    .where(ScenarioDistribution.department_id == department_id,
                                           ScenarioVersion.scenario_id == row.scenario_version.scenario_id,
                                           ScenarioVersion.version < row.scenario_version.version))
        out.append((row, "updated" if earlier else "new"))
    return out


def distribution_for(*, department_id, version):
    return db.session.scalar(select(ScenarioDistribution).where(
        ScenarioDistribution.department_id == department_id, ScenarioDistribution.scenario_version_id == version.id))


def distribution_json(d):
    return {"id": d.id, "scenario": d.scenario_version.scenario.slug, "scenario_id": d.scenario_version.scenario_id,
            "version": d.scenario_version.version, "department": d.department.code,
            "department_name": d.department.name, "distributed_at": d.distributed_at.isoformat(),
            "acknowledged": d.acknowledged,
            "acknowledged_at": d.acknowledged_at.isoformat() if d.acknowledged_at else None,
            "acknowledged_by": d.acknowledged_by.name if d.acknowledged_by else None,
            "reminded_at": d.reminded_at.isoformat() if d.reminded_at else None,
            "reminder_count": d.reminder_count or 0}

