"""Departments: reference data (63 of 2022, scores) and the 2025 merger into 34 units."""
import csv
import os
import re

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from .. import permissions, registry
from ..clock import now
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..models import DepartmentOwned, audit_note, model_classes
from ..text import fold
from .models import ACTIVE, MERGED, Department, OfficeScore

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
DEPARTMENTS_CSV = os.path.join(DATA_DIR, "departments_2022.csv")
SCORES_CSV = os.path.join(DATA_DIR, "office_scores_2021_2022.csv")
MERGER_CSV = os.path.join(DATA_DIR, "province_merger_2025.csv")

def department_name(province):
    return f"Sở GDĐT {province}"


def find_by_code(code, follow_merger=True):
    """A Department by its code or a former code; merged ones resolve to their successor."""
    if not code:
        return None
    code = code.strip().lower()
    dep = db.session.scalar(select(Department).where(Department.code == code))
    if dep is None:
        for candidate in db.session.scalars(select(Department).where(Department.former_codes.isnot(None))):
            if code in (candidate.former_codes or []):
                dep = candidate
                break
    while follow_merger and dep is not None and dep.status == MERGED and dep.merged_into_id:
        dep = db.session.get(Department, dep.merged_into_id)
    return dep


def list_departments(status=ACTIVE, q=None):
    stmt = select(Department).order_by(Department.sort_name)
    if status and status != "all":
        stmt = stmt.where(Department.status == status)
    deps = db.session.scalars(stmt).all()
    if q:
        needle = fold(q)
        deps = [d for d in deps if needle in fold(" ".join([d.name, d.province, d.code, *d.all_former_names()]))]
    return deps


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _score(value):
    value = (value or "").strip().replace(",", ".")
    return float(value) if value else None


def load_reference(departments_csv=DEPARTMENTS_CSV, scores_csv=SCORES_CSV):
    """Create the 63 Departments of 2022 and their 2021–2022 scores; existing ones are kept. Returns counts."""
    created = 0
    by_code = {d.code: d for d in db.session.scalars(select(Department))}
    known = set(by_code)
    for d in by_code.values():
        known.update(d.former_codes or [])
    for row in _read_csv(departments_csv):
        code = row["code"].strip()
        if code in known:
            continue
        dep = Department(code=code, province=row["province"].strip(), name=department_name(row["province"].strip()),
                         cluster_2022=int(row["cluster_2022"]), seq_2022=int(row["seq_2022"]), status=ACTIVE,
                         former_names=[], former_codes=[], settings={})
        db.session.add(dep)
        by_code[code] = dep
        created += 1
    db.session.flush()
    scores = 0
    for row in _read_csv(scores_csv):
        dep = find_by_code(row["code"], follow_merger=False)
        if dep is None:
            continue
        exists = db.session.scalar(select(OfficeScore).where(OfficeScore.department_id == dep.id,
                                                             OfficeScore.school_year == "2021-2022"))
        if exists is None:
            db.session.add(OfficeScore(department_id=dep.id, school_year="2021-2022",
                                       reporting=_score(row["reporting_score_max40"]),
                                       communication=_score(row["communication_score_max40"]),
                                       admin_reform=_score(row["admin_reform_score_max20"]),
                                       total=_score(row["total_max100"])))
            scores += 1
    db.session.flush()
    return {"departments_created": created, "scores_created": scores}


def _owned_models():
    """Every model whose rows move with their Department in a merger: the DepartmentOwned ones and any other with
    ``__merger__ = "move"`` and a ``department_id`` column (user accounts, listed first)."""
    models = [m for m in model_classes() if getattr(m, "__merger__", None) == "move"
              and "department_id" in m.__table__.c]
    return sorted(models, key=lambda m: (issubclass(m, DepartmentOwned), m.__name__))


def merge(*, old, new, at=None):
    """Merge Department ``old`` into ``new``: move its records, mark it merged. Returns moved counts."""
    at = at or now()
    db.session.flush()  # pending changes must reach the rows the bulk UPDATEs below move
    if old.id == new.id:
        raise ValidationError(_("A Department cannot merge into itself."), fields={"code_after": _("same as before")})
    if new.status != ACTIVE:
        raise ValidationError(_("%(code)s is not active.", code=new.code), fields={"code_after": _("not active")})
    for hook in registry.items("merge_hook"):  # registry.merge_hook: what must not carry over
        hook(old, new, at)
    moved = {}
    for model in _owned_models():
        table = model.__table__
        values = {"department_id": new.id}
        if "origin_department_id" in table.c:
            values["origin_department_id"] = func.coalesce(table.c.origin_department_id, old.id)
        result = db.session.execute(update(table).where(table.c.department_id == old.id).values(**values))
        if result.rowcount:
            moved[model.__name__] = result.rowcount
    old.status, old.merged_into_id, old.merged_at = MERGED, new.id, at
    audit_note("merge", "Department", entity_id=old.id, department_id=new.id,
           summary=f"{old.code} merged into {new.code}", changes={"moved": moved, "into": new.code})
    db.session.flush()
    db.session.expire_all()  # bulk UPDATEs bypassed the identity map
    return moved


def rename(*, department, code, province):
    """A unit that continues under a new name/code (Thừa Thiên Huế → Huế); the old ones stay findable."""
    if department.code != code:
        department.former_codes = [*(department.former_codes or []), department.code]
        department.code = code
    if department.province != province:
        department.former_names = [*(department.former_names or []), department.province]
        department.province = province
        department.name = department_name(province)


def apply_merger(path=MERGER_CSV, at=None):
    """Apply a merger file (code_before, province_before, code_after, province_after). Idempotent.

    Returns a report: {"merged": [...], "renamed": [...], "unchanged": n, "active": n, "merged_total": n}.
    """
    rows = _read_csv(path)
    problems = {}
    for i, row in enumerate(rows, start=2):
        for key in ("code_before", "code_after", "province_after"):
            if not (row.get(key) or "").strip():
                problems[f"row {i}"] = f"{key} is empty"
    if problems:
        raise ValidationError(_("The merger file has errors."), fields=problems)
    groups = {}
    for row in rows:
        groups.setdefault(row["code_after"].strip(), []).append(row)
    report = {"merged": [], "renamed": [], "unchanged": 0}
    for code_after, members in groups.items():
        province_after = members[0]["province_after"].strip()
        befores = [find_by_code(r["code_before"].strip(), follow_merger=False) for r in members]
        missing = [r["code_before"] for r, d in zip(members, befores) if d is None]
        if missing:
            raise ValidationError(_("Unknown Departments in the merger file."),
                                  fields={c: _("unknown department") for c in missing})
        survivor = find_by_code(code_after, follow_merger=False)
        if survivor is None or survivor not in befores:
            # The unit continues under a new code: the first listed former unit carries on, renamed.
            survivor = next((d for d in befores if d.status == ACTIVE), befores[0])
        if survivor.code != code_after or survivor.province != province_after:
            before = survivor.code
            rename(department=survivor, code=code_after, province=province_after)
            audit_note("rename", "Department", entity_id=survivor.id, department_id=survivor.id,
                   summary=f"{before} continues as {code_after}")
            report["renamed"].append({"from": before, "to": code_after})
        for dep in befores:
            if dep.id == survivor.id:
                continue
            if dep.status == MERGED and dep.merged_into_id == survivor.id:
                report["unchanged"] += 1
                continue
            moved = merge(old=dep, new=survivor, at=at)
            report["merged"].append({"from": dep.code, "into": survivor.code, "moved": moved})
    db.session.flush()
    report["active"] = db.session.scalar(select(func.count()).where(Department.status == ACTIVE))
    report["merged_total"] = db.session.scalar(select(func.count()).where(Department.status == MERGED))
    return report


def can_see(user, department_id):
    """Whether ``user`` reaches Department ``department_id``'s records: the Ministry every Department's, a
    Department's users their own (crisiscomm/scoping.py applies it to queries)."""
    if not (user and user.is_authenticated):
        return False
    return user.is_ministry or (department_id is not None and user.department_id == department_id)


def resolve(code, user, allow_merged=False):
    """The Department a request of ``user`` acts on.

    Department users act on their own Department (a code naming another one is a 404);
    Ministry users must name one. A merged Department's code resolves to its successor
    unless ``allow_merged``.
    """
    if not (user and user.is_authenticated):
        raise NotFound()
    if not code:
        if user.department_id is None:
            raise ValidationError(_("A department is required."), fields={"department": _("required")})
        return db.session.get(Department, user.department_id)
    if not isinstance(code, str) or len(code) > 64:
        raise ValidationError(_("Unknown department."), fields={"department": _("a department code")})
    department = find_by_code(code, follow_merger=not allow_merged)
    if department is None or not can_see(user, department.id):
        raise NotFound(fields={"department": _("unknown department")})
    return department


def department_summary(department):
    """Counts of what a Department holds, for its page: {model name: count}."""
    counts = {}
    for model in _owned_models():
        counts[model.__name__] = db.session.scalar(
            select(func.count()).select_from(model).where(model.department_id == department.id))
    return counts


# --- public contact details (filled into playbooks) ------------------------------------------------

# Columns of the Department and keys of its settings["public"] that a playbook can quote.
PUBLIC_COLUMNS = ("phone", "email", "website", "address")
PUBLIC_SETTINGS = ("exam_hotline", "fanpage", "zalo")


def can_edit_public_contact(user, department):
    return permissions.can(user, "department.public.edit") and (
        permissions.can(user, "department.public.edit.any") or user.department_id == department.id)


def public_contact(department):
    """The Department's public contact details: {"phone", "email", "website", "address", "exam_hotline", …}."""
    public = (department.settings or {}).get("public") or {}
    out = {name: getattr(department, name) for name in PUBLIC_COLUMNS}
    out.update({name: public.get(name) for name in PUBLIC_SETTINGS})
    return out


def update_public_contact(*, department, user, **values):
    """Save the portal, hotlines, email, address, fanpage and Zalo a Department's playbooks quote."""
    if not can_edit_public_contact(user, department):
        raise PermissionDenied()
    unknown = sorted(set(values) - set(PUBLIC_COLUMNS) - set(PUBLIC_SETTINGS))
    if unknown:
        raise ValidationError(_("Unknown fields."), fields={k: _("unknown field") for k in unknown})
    clean, errors = {}, {}
    for name, value in values.items():
        value = (value or "").strip() or None
        if value and len(value) > 300:
            errors[name] = _("at most %(n)s characters", n=300)
        elif value and name in ("phone", "exam_hotline") and not re.fullmatch(r"[0-9+().\s-]{3,30}", value):
            errors[name] = _("a phone number, e.g. 024 3825 1234")
        elif value and name == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            errors[name] = _("an email address")
        elif value and name in ("website", "fanpage") and not re.match(r"https?://\S+$", value):
            errors[name] = _("an address starting with https://")
        clean[name] = value
    if errors:
        raise ValidationError(_("The contact details could not be saved."), fields=errors)
    public = dict((department.settings or {}).get("public") or {})
    for name, value in clean.items():
        if name in PUBLIC_COLUMNS:
            setattr(department, name, value)
        else:
            public[name] = value
    department.settings = {**(department.settings or {}), "public": public}
    db.session.flush()
    return department
