"""Incidents: the log, its immutable timeline, the escalation rows, the checklist and the policies."""
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import permissions
from ..clock import now
from ..extensions import db
from ..models import Auditable, DepartmentOwned, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
CONTAINED = "contained"
CLOSED = "closed"
STATUSES = (OPEN, ACKNOWLEDGED, CONTAINED, CLOSED)


def _role_holding(duty):
    """The one role that holds ``duty``: the audiences of people alerted for their role bear its name."""
    (role,) = permissions.holders(duty)
    return role


# Who a level-1..3 recipient is, for the acknowledgement rule and the page (stored in Escalation.audience).
AUD_DIRECTOR = _role_holding("department.head")
AUD_STEERING = _role_holding("incident.alert.exam")
AUD_DEPUTY = _role_holding("incident.alert.deputy")
AUD_SPOKESPERSON = _role_holding("incident.alert.spokesperson")
AUD_MINISTRY = "ministry_office"
AUD_EXTRA = "policy_member"
AUD_DRILL = "drill"


class AppendOnlyError(RuntimeError):
    pass


class Incident(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A communication incident. Never hidden, never deleted."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_department_occurred", "department_id", "occurred_at"),)

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    exam_related: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    exam: Mapped[str | None] = mapped_column(String(300))
    occurred_at = mapped_column(UTCDateTime, nullable=False, index=True)
    reported_at = mapped_column(UTCDateTime, nullable=False)
    # When the Department learned of it (a clip may surface days after the event): the statement clock starts here.
    known_at = mapped_column(UTCDateTime, nullable=False,
                             default=lambda ctx: ctx.get_current_parameters().get("reported_at"))
    place: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN, index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scenario_version_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_version.id"))
    drill: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    # The users named for a drill: the only people a drill incident ever reaches.
    drill_recipient_ids: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)
    # Reported by a school's focal point and not yet confirmed by the Department: no escalation, no statement clock
    # until a communication officer confirms it (incidents.school_reports).
    awaiting_confirmation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    closing_summary: Mapped[str | None] = mapped_column(Text)
    closing_public_summary: Mapped[str | None] = mapped_column(Text)
    closed_at = mapped_column(UTCDateTime)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")

    # Escalation state (the escalation job reads and moves these).
    escalation_level: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    escalation_round: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_escalation_at = mapped_column(UTCDateTime, index=True)
    level1_acknowledged_at = mapped_column(UTCDateTime)
    timeout_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=10)

    # Public-statement clock.
    first_statement_due_at = mapped_column(UTCDateTime, index=True)
    first_statement_rule_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_rule.id"))
    first_statement_id: Mapped[int | None] = mapped_column(ForeignKey("statement.id"))
    first_statement_at = mapped_column(UTCDateTime)
    statement_overdue_alerted_at = mapped_column(UTCDateTime)

    reporter = relationship("User", foreign_keys=[reporter_id])
    scenario_version = relationship("ScenarioVersion")
    first_statement = relationship("Statement", foreign_keys=[first_statement_id])
    first_statement_rule = relationship("DeadlineRule")
    events = relationship("IncidentEvent", back_populates="incident", order_by="IncidentEvent.id",
                          passive_deletes="all")
    escalations = relationship("Escalation", back_populates="incident",
                               order_by="(Escalation.level, Escalation.id)", passive_deletes="all")
    checklist = relationship("ChecklistItem", back_populates="incident",
                             order_by="(ChecklistItem.due_at, ChecklistItem.position, ChecklistItem.id)",
                             passive_deletes="all")

    @property
    def statement_overdue(self):
        return statement_overdue(self)


def statement_overdue(incident, at=None):
    """Whether the first public statement is late (``incident`` may be a row with the same columns)."""
    return (incident.first_statement_at is None and incident.first_statement_due_at is not None
            and incident.first_statement_due_at <= (at or now()) and incident.status != CLOSED)


class IncidentEvent(IdMixin, db.Model):
    """One timeline entry. Append-only: the mapper refuses updates and deletes."""

    __tablename__ = "incident_event"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), nullable=False, index=True)
    at = mapped_column(UTCDateTime, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data: Mapped[dict] = mapped_column(JSONType, nullable=False, default=dict)

    incident = relationship("Incident", back_populates="events")
    actor = relationship("User")


@event.listens_for(IncidentEvent, "before_update")
@event.listens_for(IncidentEvent, "before_delete")
def _refuse_event_change(mapper, connection, target):
    raise AppendOnlyError("the incident timeline is append-only")


@event.listens_for(Incident, "before_delete")
def _refuse_incident_delete(mapper, connection, target):
    raise AppendOnlyError("incidents are never deleted")


class Escalation(IdMixin, db.Model):
    """One person (or address) alerted about an incident at one level."""

    __tablename__ = "incident_escalation"
    __table_args__ = (UniqueConstraint("incident_id", "level", "recipient_key"),)

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    audience: Mapped[str] = mapped_column(String(32), nullable=False)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    recipient_key: Mapped[str] = mapped_column(String(300), nullable=False)  # "user:<id>" or "email:<addr>"
    recipient_label: Mapped[str] = mapped_column(String(300), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(32))
    notified_at = mapped_column(UTCDateTime, nullable=False, index=True)
    reminders: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_reminded_at = mapped_column(UTCDateTime)
    ack_nonce: Mapped[str] = mapped_column(String(64), nullable=False)
    acknowledged_at = mapped_column(UTCDateTime)
    acknowledged_via: Mapped[str | None] = mapped_column(String(16))  # "link" | "app" | "api"
    ack_link_used_at = mapped_column(UTCDateTime)  # the emailed link works once

    incident = relationship("Incident", back_populates="escalations")
    recipient = relationship("User")


class ChecklistItem(IdMixin, db.Model):
    """A playbook action for one incident, from the activated scenario's phases."""

    __tablename__ = "incident_checklist_item"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), nullable=False, index=True)
    scenario_version_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_version.id"))
    phase: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    due_after: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    owner_role: Mapped[str | None] = mapped_column(String(32))
    due_at = mapped_column(UTCDateTime, nullable=False, index=True)
    done_at = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    overdue_alerted_at = mapped_column(UTCDateTime)

    incident = relationship("Incident", back_populates="checklist")
    done_by = relationship("User")

    @property
    def overdue(self):
        return self.done_at is None and self.due_at <= now()


class EscalationPolicy(IdMixin, TimestampMixin, Auditable, DepartmentOwned, db.Model):
    """A Department's saved escalation policy. Without one, the default applies (see service.policy_for)."""

    __tablename__ = "escalation_policy"

    timeout_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    critical_timeout_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    # Level-1 people (director, steering board) must have a verified push or Apprise channel: flagged when not.
    require_instant_channel: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The role-derived recipients (director, steering board, deputies, spokesperson) are always included;
    # members add named people or addresses to a level.
    members = relationship("EscalationPolicyMember", back_populates="policy", order_by="(EscalationPolicyMember.level,"
                           " EscalationPolicyMember.id)", cascade="all, delete-orphan")


class EscalationPolicyMember(IdMixin, db.Model):
    __tablename__ = "escalation_policy_member"

    policy_id: Mapped[int] = mapped_column(ForeignKey("escalation_policy.id"), nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))

    policy = relationship("EscalationPolicy", back_populates="members")
    user = relationship("User")


class MinistryOfficeMember(IdMixin, TimestampMixin, Auditable, db.Model):
    """Level 3: the Ministry office list (Văn phòng Bộ), kept by a Ministry admin."""

    __tablename__ = "ministry_office_member"

    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))

    user = relationship("User")
