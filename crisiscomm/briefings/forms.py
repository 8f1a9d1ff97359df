from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import CANCELLED, HELD, PLANNED, POSTPONED
from ..forms import select_choices


def status_choices():
    return [(PLANNED, _l("planned")), (HELD, _l("held")), (POSTPONED, _l("postponed")),
            (CANCELLED, _l("cancelled"))]


class BriefingForm(FlaskForm):
    department = SelectField(_l("Department"), validators=[Optional()], validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_link = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    topics = TextAreaField(_l("Topics"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=select_choices(status_choices()), default=PLANNED)
    status_reason = TextAreaField(_l("Reason (postponed or cancelled)"), validators=[Optional()])
    internal_units = TextAreaField(_l("Invited internal units (one per line)"), validators=[Optional()])
    speaker_ids = SelectMultipleField(_l("Speakers"), coerce=int, validators=[Optional()], validate_choice=False)
    minutes = TextAreaField(_l("Minutes (Markdown)"), validators=[Optional()])
    attachments = TextAreaField(_l("Attachments (one link per line, optionally 'title | https://…')"),
                                validators=[Optional()])


class ExamPeriodForm(FlaskForm):
    name = StringField(_l("Exam"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("First day"), validators=[DataRequired()])
    end_date = DateField(_l("Last day"), validators=[DataRequired()])
