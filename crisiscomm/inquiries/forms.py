from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import select_choices
from .settings import approver_choices

CHANNEL_LABELS = [("phone", _l("Phone")), ("email", _l("Email")), ("in_person", _l("In person")),
                  ("social_media", _l("Social media")), ("official_letter", _l("Official letter"))]
PRIORITY_LABELS = [("normal", _l("Normal")), ("high", _l("High")), ("urgent", _l("Urgent"))]
OUTLET_TYPE_LABELS = [("online", _l("Online newspaper")), ("central_resident", _l("Central press, resident office")),
                      ("provincial", _l("Provincial newspaper")), ("broadcast", _l("Radio / television")),
                      ("ministry", _l("Ministry-level press"))]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class IntakeForm(FlaskForm):
    department = SelectField(_l("Department"), validate_choice=False)
    received_at = DateTimeLocalField(_l("Received at"), format=LOCAL_FORMAT, validators=[DataRequired()])
    channel = SelectField(_l("Channel"), choices=select_choices(CHANNEL_LABELS), default="phone")
    journalist = StringField(_l("Journalist"), validators=[DataRequired(), Length(max=200)])
    contact_id = HiddenField()
    outlet = StringField(_l("Outlet (new journalist)"), validators=[Optional(), Length(max=200)])
    outlet_type = SelectField(_l("Outlet type"), choices=select_choices(OUTLET_TYPE_LABELS), default="online")
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    questions = TextAreaField(_l("Questions"), validators=[Optional()])
    journalist_phone = StringField(_l("Journalist's phone"), validators=[Optional(), Length(max=40)])
    deadline_preset = RadioField(_l("Answer by"), choices=select_choices([("default", _l("Legal default")), ("2h", _l("+2 hours")),
                                                                          ("end_of_day", _l("End of day")),
                                                                          ("tomorrow_10", _l("Tomorrow 10:00"))]),
                                 default="default", validate_choice=False)
    deadline = DateTimeLocalField(_l("Exact deadline"), format=LOCAL_FORMAT, validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=select_choices(PRIORITY_LABELS), default="normal")
    incident_id = SelectField(_l("Linked incident"), validate_choice=False, default="")


class ImportForm(FlaskForm):
    department = SelectField(_l("Department"), validate_choice=False)
    file = FileField(_l("Forwarded email (.eml)"))


class SettingsForm(FlaskForm):
    department = HiddenField()
    approver = SelectField(_l("Answers are approved by"), choices=select_choices(approver_choices()))
    default_hours = IntegerField(_l("Default answer time (hours)"), validators=[Optional(), NumberRange(1, 720)])
    due_soon_minutes = IntegerField(_l("\"Due soon\" warning (minutes before the deadline)"),
                                    validators=[Optional(), NumberRange(5, 1440)])
