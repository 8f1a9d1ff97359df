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
