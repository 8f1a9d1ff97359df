"""Deadline rules: which one applies, and the defaults seeded from the legal sources."""
from sqlalchemy import or_, select

from ..clock import now
from ..extensions import db
from .models import INCIDENT_FIRST_STATEMENT, INQUIRY_RESPONSE, DeadlineRule

SEED = [
    dict(key="inquiry_default", name="Trả lời câu hỏi của báo chí (mặc định của Sở)", applies_to=INQUIRY_RESPONSE,
         duration_minutes=24 * 60, incident_linked=None,
         legal_source="Mặc định của sản phẩm, không phải con số pháp định; Sở có thể đặt thời hạn riêng.",
         source_status="product default"),
    dict(key="inquiry_incident_linked", name="Trả lời câu hỏi liên quan đến sự cố", applies_to=INQUIRY_RESPONSE,
         duration_minutes=6 * 60, incident_linked=True,
         legal_source="Quyết định 22/QĐ-BGDĐT ngày 08/01/2019 (quy chế phát ngôn của Bộ GDĐT): cung cấp thông tin "
                      "ban đầu cho báo chí trong vòng 6 giờ kể từ khi xảy ra sự kiện.",
         source_status="confirmed in a published summary of the decision"),
    dict(key="incident_first_statement_hot", name="Thông tin ban đầu về sự cố nghiêm trọng",
         applies_to=INCIDENT_FIRST_STATEMENT, duration_minutes=6 * 60, severities=["high", "critical"],
         legal_source="Quyết định 22/QĐ-BGDĐT ngày 08/01/2019: người phát ngôn cung cấp thông tin ban đầu trong vòng "
                      "6 giờ; Nghị định 09/2017/NĐ-CP Điều 6: chủ động, kịp thời thông tin khi có sự kiện đột xuất.",
         source_status="confirmed in a published summary of the decision"),
    dict(key="incident_first_statement_default", name="Thông tin ban đầu về sự cố",
         applies_to=INCIDENT_FIRST_STATEMENT, duration_minutes=24 * 60,
         legal_source="Mặc định của sản phẩm cho sự cố mức thấp/trung bình; Nghị định 09/2017/NĐ-CP Điều 6.",
         source_status="product default"),
]


def seed_defaults():
    """Create the default rules that do not exist yet (an admin's edits are kept)."""
    existing = set(db.session.scalars(select(DeadlineRule.key)))
    created = 0
    for spec in SEED:
        if spec["key"] not in existing:
            db.session.add(DeadlineRule(**{"channels": [], "priorities": [], "severities": [], **spec}))
            created += 1
    db.session.flush()
    return created


def _matches(rule, value, allowed):
    return not allowed or (value is not None and value in allowed)


def _specificity(rule):
    return (rule.incident_linked is not None) + bool(rule.channels) + bool(rule.priorities) + bool(rule.severities)


def applicable_rule(applies_to, at=None, channel=None, priority=None, severity=None, incident_linked=None):
    """The most specific active rule for these facts at time ``at`` (ties: the shortest deadline), or None."""
    at = at or now()
    rules = db.session.scalars(select(DeadlineRule).where(
        DeadlineRule.applies_to == applies_to, DeadlineRule.active.is_(True),
        or_(DeadlineRule.valid_from.is_(None), DeadlineRule.valid_from <= at),
        or_(DeadlineRule.valid_to.is_(None), DeadlineRule.valid_to > at))).all()
    candidates = [r for r in rules
                  if _matches(r, channel, r.channels) and _matches(r, priority, r.priorities)
                  and _matches(r, severity, r.severities)
                  and (r.incident_linked is None or bool(incident_linked) == r.incident_linked)]
    if not candidates:
        return None
    return sorted(candidates, key=lambda r: (-_specificity(r), r.duration_minutes))[0]


# --- administration (Ministry admin) ----------------------------------------------------------

RULE_FIELDS = ("name", "legal_source", "source_status", "applies_to", "duration_minutes", "channels", "priorities",
               "severities", "incident_linked", "valid_from", "valid_to", "active")
# Changing these on a rule in use would rewrite history: the rule is end-dated and a new version made instead.
_SUBSTANCE = ("applies_to", "duration_minutes", "channels", "priorities", "severities", "incident_linked",
              "valid_from")


def list_rules():
    return db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.applies_to, DeadlineRule.valid_from.desc(),
                                                            DeadlineRule.name)).all()


def rule_in_use(rule):
    from ..inquiries.models import Inquiry

    return db.session.scalar(select(Inquiry.id).where(Inquiry.deadline_rule_id == rule.id).limit(1)) is not None


def _clean(data):
    from ..errors import ValidationError
    from ..text import fold
    from .models import APPLIES_TO

    errors, out = {}, {}
    out["name"] = (data.get("name") or "").strip()
    if not out["name"]:
        errors["name"] = "required"
    out["legal_source"] = (data.get("legal_source") or "").strip()
    if not out["legal_source"]:
        errors["legal_source"] = "required: the law or decision this deadline comes from"
    out["source_status"] = (data.get("source_status") or "").strip()[:200]
    out["applies_to"] = data.get("applies_to")
    if out["applies_to"] not in APPLIES_TO:
        errors["applies_to"] = "one of " + ", ".join(APPLIES_TO)
    try:
        out["duration_minutes"] = int(data.get("duration_minutes"))
        if not 1 <= out["duration_minutes"] <= 60 * 24 * 60:
            raise ValueError
    except (TypeError, ValueError):
        errors["duration_minutes"] = "a whole number of minutes, 1 to 86400"
    for name in ("channels", "priorities", "severities"):
        value = data.get(name) or []
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
        out[name] = sorted({fold(v).replace(" ", "_") for v in value if v and v.strip()})
    linked = data.get("incident_linked")
    out["incident_linked"] = {"": None, None: None, "any": None, "yes": True, "no": False, True: True,
                              False: False}.get(linked, "bad")
    if out["incident_linked"] == "bad":
        errors["incident_linked"] = "yes, no or any"
    for name in ("valid_from", "valid_to"):
        value = data.get(name)
        if value in (None, ""):
            out[name] = None
            continue
        try:
            from ..clock import parse_datetime

            out[name] = parse_datetime(value)
        except (TypeError, ValueError):
            errors[name] = "a date and time"
    if out.get("valid_from") and out.get("valid_to") and out["valid_to"] <= out["valid_from"]:
        errors["valid_to"] = "must be after valid from"
    out["active"] = bool(data.get("active", True))
    if errors:
        raise ValidationError("Please correct the rule.", fields=errors)
    return out


def _new_key(name):
    import re

    from ..text import fold

    base = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:50] or "rule"
    key, n = base, 2
    while db.session.scalar(select(DeadlineRule.id).where(DeadlineRule.key == key)):
        key, n = f"{base}_{n}", n + 1
    return key


def create_rule(*, user, data):
    from ..scoping import require_role

    require_role("ministry_admin", user=user)
    values = _clean(data)
    rule = DeadlineRule(key=_new_key(values["name"]), **values)
    db.session.add(rule)
    db.session.flush()
    return rule


def update_rule(*, user, rule, data):
    """Edit a rule. If deadlines were already computed from it and its substance changes, the rule is
    end-dated now and a new rule takes over from now: past due times stay explained by the rule in force."""
    from ..scoping import require_role

    require_role("ministry_admin", user=user)
    values = _clean(data)
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
