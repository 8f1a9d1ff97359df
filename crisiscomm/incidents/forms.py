from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..scenarios.models import CATEGORIES, SEVERITIES
from .labels import category_label, severity_label


def category_choices():
    return [(c, category_label(c)) for c in CATEGORIES]


def severity_choices():
    return [(s, severity_label(s)) for s in SEVERITIES]


class EditForm(FlaskForm):
    """The incident's facts (service.EDITABLE)."""
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    severity = SelectField(_l("Severity"), choices=[], validate_choice=False)
    exam_related = BooleanField(_l("Exam-related (alerts the exam steering board)"))
    exam = StringField(_l("Exam"), validators=[Optional(), Length(max=300)])
    occurred_at = DateTimeLocalField(_l("Occurred at"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    known_at = DateTimeLocalField(_l("Known to the Department since"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional()])


class IncidentForm(EditForm):
    """A new incident: its facts, its Department, a playbook, and whether it is a drill."""
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    scenario = SelectField(_l("Scenario (playbook)"), choices=[], validate_choice=False)
    drill = BooleanField(_l("Drill (DIỄN TẬP): alerts only the people named below"))
    drill_recipients = SelectMultipleField(_l("Drill participants"), choices=[], validate_choice=False,
                                           widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    closing_summary = TextAreaField(_l("What happened (required to close)"))
    closing_public_summary = TextAreaField(_l("What was said publicly (required to close)"))
    reason = StringField(_l("Reason (required to reopen)"))


class StatementForm(FlaskForm):
    text = TextAreaField(_l("Statement text"), validators=[DataRequired()])
    channel = StringField(_l("Channel"), validators=[DataRequired(), Length(max=48)])
    published_at = DateTimeLocalField(_l("Published at"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    approved_by = SelectField(_l("Approved by"), choices=[], validate_choice=False)


class ScenarioForm(FlaskForm):
    scenario = SelectField(_l("Scenario (playbook)"), choices=[], validate_choice=False)


class PolicyForm(FlaskForm):
    timeout_minutes = IntegerField(_l("Timeout before escalating (minutes)"),
                                   validators=[DataRequired(), NumberRange(1, 240)])
    critical_timeout_minutes = IntegerField(_l("Timeout for critical incidents (minutes)"),
                                            validators=[DataRequired(), NumberRange(1, 240)])
    members_1 = TextAreaField(_l("Also at level 1"))
    members_2 = TextAreaField(_l("Also at level 2"))
    members_3 = TextAreaField(_l("Also at level 3"))
    require_instant_channel = BooleanField(_l("Level 1 must have an instant channel (push or SMS/chat)"))


class OfficeForm(FlaskForm):
    members = TextAreaField(_l("Ministry office list (level 3)"))
