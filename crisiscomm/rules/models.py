from datetime import timedelta

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Auditable, IdMixin, TimestampMixin
from ..types import JSONType, UTCDateTime

INQUIRY_RESPONSE = "inquiry_response"  # due time of a press inquiry's answer
INCIDENT_FIRST_STATEMENT = "incident_first_statement"  # first public statement after an incident
APPLIES_TO = (INQUIRY_RESPONSE, INCIDENT_FIRST_STATEMENT)

# What kind of text a rule comes from: only a law or the province's own regulation binds a Department;
# the Ministry's spokesperson regulation binds the Ministry's units and is a benchmark for the Departments.
LAW = "law"
MINISTRY_BENCHMARK = "ministry_benchmark"
PROVINCE_REGULATION = "province_regulation"
PRODUCT_DEFAULT = "product_default"
AUTHORITIES = (LAW, MINISTRY_BENCHMARK, PROVINCE_REGULATION, PRODUCT_DEFAULT)

# How sure we are of the source: read in the published text, only reported (summaries, press), or our default.
VERIFIED = "verified"
REPORTED = "reported"
CONFIDENCES = (VERIFIED, REPORTED, PRODUCT_DEFAULT)


class DeadlineRule(IdMixin, TimestampMixin, Auditable, db.Model):
    """A response deadline from the law or the Ministry's rules, kept as data a Ministry admin edits.

    A rule applies to a kind of record and, optionally, only to some channels, priorities or
    severities, or only to inquiries linked to an incident; it is valid in [valid_from, valid_to).
    When several apply, a rule of the Department's own province wins, then the most specific
    (see service.applicable_rule). National rules have no department.
    """

    __tablename__ = "deadline_rule"

    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    applies_to: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    legal_source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_status: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    channels: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # empty: any
    priorities: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # empty: any
    severities: Mapped[list] = mapped_column(JSONType, nullable=False, default=list)  # empty: any
    incident_linked: Mapped[bool | None] = mapped_column(Boolean)  # None: either
    valid_from = mapped_column(UTCDateTime)
    valid_to = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Where the figure comes from, as data (shown wherever the deadline is shown).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)  # None: national
    authority: Mapped[str] = mapped_column(String(32), nullable=False, default=PRODUCT_DEFAULT)
    source_document: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    source_article: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    source_date = mapped_column(Date)  # the date the document was issued
    confidence: Mapped[str] = mapped_column(String(16), nullable=False, default=PRODUCT_DEFAULT)

    department = relationship("Department")

    @property
    def duration(self):
        return timedelta(minutes=self.duration_minutes)
