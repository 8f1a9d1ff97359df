"""Communication plans: the Ministry publishes, Departments draft and submit, the Ministry compares."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from .. import inputs, permissions
from ..clock import local_today, now
from ..departments.models import ACTIVE, Department
from ..departments.service import find_by_code
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..scoping import can_see_department, is_ministry, scope
from ..text import fold
from .models import DRAFT, SUBMITTED, DepartmentPlan, DepartmentPlanVersion, MinistryPlan
from .years import parse_day, parse_school_year

MAX_THEMES = 30


def _clean_themes(themes, field="themes"):
    if isinstance(themes, str):
        themes = themes.splitlines()
    if not isinstance(themes, (list, tuple)):
        raise ValidationError(_("Themes must be a list."), fields={field: _("expected a list of themes")})
    out = []
    for t in themes:
        if not isinstance(t, str):
            raise ValidationError(_("Themes must be text."), fields={field: _("each theme is a text")})
        t = " ".join(t.split())
        if t and t not in out:
            if len(t) > 200:
                raise ValidationError(_("Theme too long."), fields={field: _("at most 200 characters per theme")})
            out.append(t)
    if len(out) > MAX_THEMES:
        raise ValidationError(_("Too many themes."), fields={field: _("at most %(n)s themes", n=MAX_THEMES)})
    return out


def parse_key_dates(value, field="key_dates"):
    """Key dates from a list of {"date", "label"} or text lines "dd/mm/yyyy | label"; sorted by date."""
    rows = []
    if isinstance(value, str):
        for n, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            if "|" not in line:
                raise ValidationError(_("Key dates need a date and a label."),
                                      fields={field: _("line %(n)s: write “dd/mm/yyyy | label”", n=n)})
            day, label = line.split("|", 1)
            rows.append({"date": day, "label": label})
    elif isinstance(value, (list, tuple)):
        rows = list(value)
    elif value is not None:
        raise ValidationError(_("Key dates must be a list."), fields={field: _("expected a list of {date, label}")})
    out = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValidationError(_("Key dates must be objects."), fields={field: _("item %(n)s: expected {date, label}", n=n)})
        try:
            day = parse_day(str(row.get("date") or ""), field)
        except ValidationError:
            raise ValidationError(_("Not a date."), fields={field: _("item %(n)s: date expected as dd/mm/yyyy", n=n)})
        label = " ".join(str(row.get("label") or "").split())
        if not label:
            raise ValidationError(_("A key date needs a label."), fields={field: _("item %(n)s: label is empty", n=n)})
        out.append({"date": day.isoformat(), "label": label[:200]})
    return sorted(out, key=lambda r: r["date"])


def get_ministry_plan(school_year):
    return db.session.scalar(select(MinistryPlan).where(MinistryPlan.school_year == school_year))


def ministry_plan_or_404(school_year):
    plan = get_ministry_plan(school_year)
    if plan is None:
        raise NotFound(_("The Ministry has not published a plan for this school year."), fields={"year": _("no plan")})
    return plan


def publish_ministry_plan(*, school_year, title, body, themes, key_dates, user):
    """Create or update the Ministry's plan for the year (published at once; edits keep it published)."""
    permissions.require(user, "plan.publish")
    school_year = parse_school_year(school_year, "school_year")
    errors = {}
    title = inputs.Fields({"title": title}, errors).text("title", max_length=300, required=True, single_line=True)
    themes = _clean_themes(themes)
    if not themes:
        errors["themes"] = _("at least one theme")
    if errors:
        raise ValidationError(_("The plan is incomplete."), fields=errors)
    key_dates = parse_key_dates(key_dates)
    plan = get_ministry_plan(school_year)
    if plan is None:
        plan = MinistryPlan(school_year=school_year)
        db.session.add(plan)
    removed = set(plan.themes or []) - set(themes)
    if removed:
        in_use = db.session.scalars(select(DepartmentPlan).where(DepartmentPlan.school_year == school_year)).all()
        if any(set(p.themes or []) & removed for p in in_use):
            raise ValidationError(_("Departments' plans cover a theme you removed."),
                                  fields={"themes": _("still covered by a Department plan: %(v)s",
                                                           v=", ".join(sorted(removed)))})
    plan.title, plan.body, plan.themes, plan.key_dates = title, body or "", themes, key_dates
    plan.published_at = plan.published_at or now()
    plan.published_by_id = user.id
    db.session.flush()
    return plan


def own_plan(department, school_year):
    """The Department's own plan for the year (not a merged-in unit's), or None."""
    return db.session.scalar(select(DepartmentPlan).where(
        DepartmentPlan.department_id == department.id, DepartmentPlan.school_year == school_year,
        DepartmentPlan.origin_department_id.is_(None)).order_by(DepartmentPlan.id))


def save_department_plan(*, department, school_year, title, body, themes, user, submit=False):
    """Save the Department's draft for the year; ``submit`` also records a new submitted version."""
    permissions.require(user, "plan.write")
    if not can_see_department(department.id, user):
        raise NotFound()
    if department.status != ACTIVE:
        raise ValidationError(_("This Department has merged."), fields={"department": _("not active")})
    school_year = parse_school_year(school_year, "school_year")
    ministry = get_ministry_plan(school_year)
    if ministry is None:
        raise ValidationError(_("The Ministry has not published its plan for this school year yet."),
                              fields={"school_year": _("no Ministry plan for this year")})
    errors = {}
    title = inputs.Fields({"title": title}, errors).text("title", max_length=300, required=True, single_line=True)
    themes = _clean_themes(themes)
    unknown = [t for t in themes if t not in (ministry.themes or [])]
    if unknown:
        errors["themes"] = _("not a theme of the Ministry's plan: %(v)s", v=", ".join(unknown))
    if submit:
        if not (body or "").strip():
            errors["body"] = _("write the plan before submitting it")
        if not themes and "themes" not in errors:
            errors["themes"] = _("choose at least one of the Ministry's themes")
    if errors:
        raise ValidationError(_("The plan cannot be saved."), fields=errors)
    plan = own_plan(department, school_year)
    if plan is None:
        plan = DepartmentPlan(department_id=department.id, school_year=school_year, ministry_plan_id=ministry.id,
                              status=DRAFT, version=0)
        db.session.add(plan)
    plan.title, plan.body, plan.themes, plan.updated_by_id = title, body or "", themes, user.id
    if submit:
        at = now()
        plan.version = (plan.version or 0) + 1
        plan.status = SUBMITTED
        plan.submitted_at, plan.submitted_by_id = at, user.id
        plan.first_submitted_at = plan.first_submitted_at or at
        # newest first, as plan.versions is ordered
        plan.versions.insert(0, DepartmentPlanVersion(department_id=department.id, version=plan.version, title=title,
                                                      body=body or "", themes=themes, submitted_at=at,
                                                      submitted_by_id=user.id))
    db.session.flush()
    return plan


def submission_status(school_year):
    """[(department, plan or None)] for every active Department, by name (Ministry roles only)."""
    if not is_ministry():
        raise NotFound()
    departments = sorted(db.session.scalars(select(Department).where(Department.status == ACTIVE)).all(),
                         key=lambda d: fold(d.province))
    plans = {p.department_id: p for p in db.session.scalars(select(DepartmentPlan).where(
        DepartmentPlan.school_year == school_year, DepartmentPlan.origin_department_id.is_(None))).all()}
    return [(d, plans.get(d.id)) for d in departments]


def list_plans(school_year, user=None):
    """Department plans for the year the user may see (own Department; every one for the Ministry)."""
    stmt = scope(select(DepartmentPlan).where(DepartmentPlan.school_year == school_year), DepartmentPlan, user)
    return db.session.scalars(stmt.order_by(DepartmentPlan.department_id, DepartmentPlan.id)).all()


def submitted_version(plan):
    """The latest submitted version of a plan, or None."""
    return plan.versions[0] if plan.versions else None


def compare(*, school_year, codes):
    """Submitted plans of the named Departments, side by side (Ministry roles only)."""
    if not is_ministry():
        raise NotFound()
    if len(codes) < 2:
        raise ValidationError(_("Choose at least two Departments to compare."),
                              fields={"departments": _("choose at least two")})
    if len(codes) > 6:
        raise ValidationError(_("Compare at most six plans at once."), fields={"departments": _("at most six")})
    out = []
    for code in codes:
        dep = find_by_code(code)
        if dep is None:
            raise NotFound(fields={"departments": _("unknown department %(code)s", code=code)})
        plan = own_plan(dep, school_year)
        out.append((dep, plan, submitted_version(plan) if plan else None))
    return out


def theme_coverage(school_year):
    """{theme: number of Departments whose submitted plan covers it}."""
    ministry = get_ministry_plan(school_year)
    counts = {t: 0 for t in (ministry.themes if ministry else [])}
    for plan in db.session.scalars(select(DepartmentPlan).where(DepartmentPlan.school_year == school_year,
                                                                DepartmentPlan.status == SUBMITTED)).all():
        version = submitted_version(plan)
        for t in (version.themes if version else []):
            if t in counts:
                counts[t] += 1
    return counts


def days_until(key_date):
    return (date.fromisoformat(key_date["date"]) - local_today()).days
