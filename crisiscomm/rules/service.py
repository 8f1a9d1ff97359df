"""Deadline rules: which one applies, and the defaults seeded from the legal sources."""
import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import permissions, registry
from ..clock import now, parse_datetime
from ..departments.models import Department
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..text import fold
from .models import (APPLIES_TO, AUTHORITIES, CONFIDENCES, INCIDENT_FIRST_STATEMENT, INQUIRY_RESPONSE, LAW,
                     MINISTRY_BENCHMARK, PRODUCT_DEFAULT, PROVINCE_REGULATION, REPORTED, DeadlineRule)

AUTHORITY_LABELS = {
    LAW: _l("Law or decree"),
    MINISTRY_BENCHMARK: _l("Ministry benchmark (binds the Ministry's units)"),
    PROVINCE_REGULATION: _l("Province's spokesperson regulation"),
    PRODUCT_DEFAULT: _l("Product default (not a legal figure)"),
}
CONFIDENCE_LABELS = {
    "verified": _l("verified in the published text"),
    REPORTED: _l("reported, not verified"),
    PRODUCT_DEFAULT: _l("product default"),
}
_QD22 = dict(source_document="Quyết định 22/QĐ-BGDĐT (Quy chế phát ngôn và cung cấp thông tin cho báo chí của "
                             "Bộ Giáo dục và Đào tạo)", source_date=date(2019, 1, 8), source_article="",
             confidence=REPORTED)

SEED = [
    dict(key="inquiry_default", name="Trả lời câu hỏi của báo chí (mặc định của sản phẩm)",
         applies_to=INQUIRY_RESPONSE, duration_minutes=24 * 60, incident_linked=None,
         legal_source="Mặc định của sản phẩm, không phải con số pháp định. Sở áp dụng thời hạn trong quy chế phát "
                      "ngôn của tỉnh (nhập tại mục Quy định của tỉnh) hoặc đặt số giờ mặc định riêng.",
         source_status="product default", authority=PRODUCT_DEFAULT, confidence=PRODUCT_DEFAULT),
    dict(key="incident_first_statement_hot",
         name="Thông tin ban đầu về sự cố nghiêm trọng: mốc 6 giờ của Bộ (tham chiếu cho Sở)",
         applies_to=INCIDENT_FIRST_STATEMENT, duration_minutes=6 * 60, severities=["high", "critical"],
         legal_source="Quy chế phát ngôn của Bộ GDĐT: người phát ngôn cung cấp thông tin ban đầu cho báo chí trong "
                      "vòng 6 giờ. Quy chế này ràng buộc các đơn vị thuộc Bộ; với Sở GDĐT đây là mốc tham chiếu, "
                      "thời hạn pháp lý của Sở là thời hạn trong quy chế phát ngôn của UBND tỉnh. Thời hạn tính từ "
                      "khi Sở biết sự việc. Số điều khoản và ngày ký chưa đối chiếu được với văn bản gốc "
                      "(theo tin đã đăng, chưa kiểm chứng).",
         source_status="reported, not verified", authority=MINISTRY_BENCHMARK, **_QD22),
    dict(key="incident_first_statement_default", name="Thông tin ban đầu về sự cố (mặc định của sản phẩm)",
         applies_to=INCIDENT_FIRST_STATEMENT, duration_minutes=24 * 60,
         legal_source="Mặc định của sản phẩm cho sự cố mức thấp/trung bình, không phải con số pháp định. Nghị định "
                      "09/2017/NĐ-CP (Điều 6) yêu cầu chủ động, kịp thời cung cấp thông tin khi có sự kiện đột xuất "
                      "nhưng không quy định số giờ.",
         source_status="product default", authority=PRODUCT_DEFAULT, confidence=PRODUCT_DEFAULT,
         source_document="Nghị định 09/2017/NĐ-CP", source_article="Điều 6", source_date=date(2017, 2, 9)),
]
# Seeded by earlier versions, withdrawn: Decision 22 says nothing about every inquiry linked to an incident.
WITHDRAWN = ("inquiry_incident_linked",)


def seed_defaults():
    """Create the default rules that do not exist yet (an admin's edits are kept); withdrawn ones are switched off."""
    existing = set(db.session.scalars(select(DeadlineRule.key)))
    created = 0
    for spec in SEED:
        if spec["key"] not in existing:
            db.session.add(DeadlineRule(**{"channels": [], "priorities": [], "severities": [], **spec}))
            created += 1
    for rule in db.session.scalars(select(DeadlineRule).where(DeadlineRule.key.in_(WITHDRAWN),
                                                              DeadlineRule.active.is_(True))):
        rule.active = False
    db.session.flush()
    return created


def _matches(rule, value, allowed):
    return not allowed or (value is not None and value in allowed)


def _specificity(rule):
    return (rule.incident_linked is not None) + bool(rule.channels) + bool(rule.priorities) + bool(rule.severities)


def applicable_rule(applies_to, at=None, channel=None, priority=None, severity=None, incident_linked=None,
                    department_id=None):
    """The rule for these facts at time ``at``, or None: the Department's own (province) rules first, then the
    national ones; among them the most specific, ties to the shortest deadline."""
    at = at or now()
    rules = db.session.scalars(select(DeadlineRule).where(
        DeadlineRule.applies_to == applies_to, DeadlineRule.active.is_(True),
        or_(DeadlineRule.department_id.is_(None), DeadlineRule.department_id == department_id),
        or_(DeadlineRule.valid_from.is_(None), DeadlineRule.valid_from <= at),
        or_(DeadlineRule.valid_to.is_(None), DeadlineRule.valid_to > at))).all()
    candidates = [r for r in rules
                  if _matches(r, channel, r.channels) and _matches(r, priority, r.priorities)
                  and _matches(r, severity, r.severities)
                  and (r.incident_linked is None or bool(incident_linked) == r.incident_linked)]
    if not candidates:
        return None
    return sorted(candidates, key=lambda r: (r.department_id is None, -_specificity(r), r.duration_minutes))[0]


def authority_label(rule):
    return AUTHORITY_LABELS.get(rule.authority, rule.authority)


def confidence_label(rule):
    return CONFIDENCE_LABELS.get(rule.confidence, rule.confidence)


def describe(rule):
    """'<name> (<kind>; <document, article, date>; <confidence>)': a deadline's source in one line of text."""
    parts = [str(authority_label(rule))] + ([source_line(rule)] if source_line(rule) else []) + [
        str(confidence_label(rule))]
    return f"{rule.name} ({'; '.join(parts)})"


def source_line(rule):
    """'Quyết định …, Điều …, ngày dd/mm/yyyy': the document as a reader would cite it."""
    parts = [p for p in (rule.source_document, rule.source_article) if p]
    if rule.source_date:
        parts.append(_("issued %(date)s", date=rule.source_date.strftime("%d/%m/%Y")))
    return ", ".join(parts)


# --- administration (Ministry admin) ----------------------------------------------------------

RULE_FIELDS = ("name", "legal_source", "source_status", "applies_to", "duration_minutes", "channels", "priorities",
               "severities", "incident_linked", "valid_from", "valid_to", "active", "department_id", "authority",
               "source_document", "source_article", "source_date", "confidence")
# Changing these on a rule in use would rewrite history: the rule is end-dated and a new version made instead.
_SUBSTANCE = ("applies_to", "duration_minutes", "channels", "priorities", "severities", "incident_linked",
              "valid_from", "department_id")


def can_manage(user, department_id=None):
    """The Ministry admin manages every rule; a Department's director, deputy or spokesperson their own province's."""
    if permissions.can(user, "rule.edit.national"):
        return True
    return permissions.can(user, "rule.edit.department") and department_id is not None \
        and department_id == user.department_id


def can_edit_some(user):
    """Whether ``user`` may enter rules at all (which ones: ``can_manage``)."""
    return permissions.can(user, "rule.edit.national") or permissions.can(user, "rule.edit.department")


def list_rules(user=None):
    """National rules and, for a Department user, that Department's own; every rule for the Ministry."""
    stmt = select(DeadlineRule)
    if user is not None and not user.is_ministry:
        stmt = stmt.where(or_(DeadlineRule.department_id.is_(None), DeadlineRule.department_id == user.department_id))
    return db.session.scalars(stmt.order_by(DeadlineRule.department_id.is_not(None), DeadlineRule.department_id,
                                            DeadlineRule.applies_to, DeadlineRule.valid_from.desc(),
                                            DeadlineRule.name)).all()


def rule_in_use(rule):
    """Whether a due time was computed from ``rule`` (asked of the domains that compute them: registry.rule_user)."""
    return any(uses(rule) for uses in registry.items("rule_user"))


def choices():
    """The (value, label) pairs a rule may be limited to, per list column, from the domains that have them
    (registry.rule_choices); a group no domain offers is empty."""
    groups = {"channels": [], "priorities": [], "severities": []}
    for group, func in registry.items("rule_choices"):
        groups[group] = list(func())
    return groups


def _clean(data, *, user):
    errors, out = {}, {}
    out["name"] = (data.get("name") or "").strip()[:200]
    if not out["name"]:
        errors["name"] = _("required")
    out["legal_source"] = (data.get("legal_source") or "").strip()
    if not out["legal_source"]:
        errors["legal_source"] = _("required: what the text says about this deadline")
    out["source_status"] = (data.get("source_status") or "").strip()[:200]
    out["applies_to"] = data.get("applies_to")
    if out["applies_to"] not in APPLIES_TO:
        errors["applies_to"] = _("one of: %(values)s", values=", ".join(APPLIES_TO))
    try:
        out["duration_minutes"] = int(data.get("duration_minutes"))
        if not 1 <= out["duration_minutes"] <= 60 * 24 * 60:
            raise ValueError
    except (TypeError, ValueError):
        errors["duration_minutes"] = _("a whole number of minutes, 1 to 86400")
    for name in ("channels", "priorities", "severities"):
        value = data.get(name) or []
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
        out[name] = sorted({fold(v).replace(" ", "_") for v in value if v and v.strip()})
    linked = data.get("incident_linked")
    out["incident_linked"] = {"": None, None: None, "any": None, "yes": True, "no": False, True: True,
                              False: False}.get(linked, "bad")
    if out["incident_linked"] == "bad":
        errors["incident_linked"] = _("yes, no or any")
    for name in ("valid_from", "valid_to"):
        value = data.get(name)
        if value in (None, ""):
            out[name] = None
            continue
        try:
            out[name] = parse_datetime(value)
        except (TypeError, ValueError):
            errors[name] = _("a date and time")
    if out.get("valid_from") and out.get("valid_to") and out["valid_to"] <= out["valid_from"]:
        errors["valid_to"] = _("must be after valid from")
    out["active"] = bool(data.get("active", True))
    # The source, as data.
    department_id = data.get("department_id") if user.is_ministry else user.department_id
    if department_id in (None, ""):
        out["department_id"] = None
    else:
        try:
            department = db.session.get(Department, int(department_id))
        except (TypeError, ValueError):
            department = None
        if department is None:
            errors["department_id"] = _("unknown Department")
        out["department_id"] = department.id if department is not None else None
    if not user.is_ministry:
        data = {**data, "authority": PROVINCE_REGULATION}  # a Department enters only its province's regulation
    out["authority"] = data.get("authority") or PRODUCT_DEFAULT
    if out["authority"] not in AUTHORITIES:
        errors["authority"] = _("one of: %(values)s", values=", ".join(AUTHORITIES))
    out["source_document"] = (data.get("source_document") or "").strip()[:300]
    out["source_article"] = (data.get("source_article") or "").strip()[:200]
    value = data.get("source_date")
    out["source_date"] = None
    if isinstance(value, date):
        out["source_date"] = value
    elif value not in (None, ""):
        try:
            out["source_date"] = date.fromisoformat(str(value).strip())
        except ValueError:
            errors["source_date"] = _("a date, e.g. 2024-03-15")
    out["confidence"] = data.get("confidence") or (PRODUCT_DEFAULT if out["authority"] == PRODUCT_DEFAULT
                                                   else REPORTED)
    if out["confidence"] not in CONFIDENCES:
        errors["confidence"] = _("one of: %(values)s", values=", ".join(CONFIDENCES))
    if out["authority"] == PROVINCE_REGULATION:
        if out["department_id"] is None and "department_id" not in errors:
            errors["department_id"] = _("required: the Department whose province issued the regulation")
        if not out["source_document"]:
            errors["source_document"] = _("required: the number of the province's decision")
        if out["source_date"] is None and "source_date" not in errors:
            errors["source_date"] = _("required: the date the decision was issued")
    elif out["authority"] != PRODUCT_DEFAULT and not out["source_document"]:
        errors["source_document"] = _("required: the document this deadline comes from")
    if out["authority"] == PRODUCT_DEFAULT:
        out["confidence"] = PRODUCT_DEFAULT
    if errors:
        raise ValidationError(_("Please correct the rule."), fields=errors)
    return out


def _new_key(name):
    base = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:50] or "rule"
    key, n = base, 2
    while db.session.scalar(select(DeadlineRule.id).where(DeadlineRule.key == key)):
        key, n = f"{base}_{n}", n + 1
    return key


def _require_manager(user, department_id):
    if not can_manage(user, department_id):
        raise PermissionDenied()


def create_rule(*, user, data):
    if not can_edit_some(user):
        raise PermissionDenied()
    values = _clean(data, user=user)
    _require_manager(user, values["department_id"])
    rule = DeadlineRule(key=_new_key(values["name"]), **values)
    db.session.add(rule)
    db.session.flush()
    return rule


def update_rule(*, user, rule, data):
    """Edit a rule. If deadlines were already computed from it and its substance changes, the rule is
    end-dated now and a new rule takes over from now: past due times stay explained by the rule in force."""
    _require_manager(user, rule.department_id)
    values = _clean(data, user=user)
    _require_manager(user, values["department_id"])
    changed = [k for k in _SUBSTANCE if k != "valid_from" and getattr(rule, k) != values[k]]
    if changed and rule_in_use(rule):
        t = now()
        rule.valid_to = t
        values["valid_from"] = max(values["valid_from"] or t, t)
        successor = DeadlineRule(key=_new_key(values["name"]), **values)
        db.session.add(successor)
        db.session.flush()
        return successor
    for k, v in values.items():
        setattr(rule, k, v)
    db.session.flush()
    return rule
