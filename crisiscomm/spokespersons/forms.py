from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import select_choices


class AssignForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=select_choices([
        ("official", _l("Official spokesperson")),
        ("authorized", _l("Authorised to speak (case or topics, limited time)"))]))
    topics = StringField(_l("Case or topics"), validators=[Optional(), Length(max=1000)])
    decision_number = StringField(_l("Decision number"), validators=[Optional(), Length(max=100)])
    decision_date = DateField(_l("Decision date"), validators=[Optional()])
    decision_url = StringField(_l("Link to the signed decision (scan)"), validators=[Optional(), Length(max=500)])
    effective_from = DateTimeLocalField(_l("Effective from"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    effective_to = DateTimeLocalField(_l("Effective until"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    public_phone = StringField(_l("Published phone"), validators=[Optional(), Length(max=64)])
    public_email = StringField(_l("Published email"), validators=[Optional(), Length(max=254)])
    note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)])
    replace = BooleanField(_l("Replace the current official spokesperson (their assignment ends when this one starts)"))


class EndForm(FlaskForm):
    effective_to = DateTimeLocalField(_l("End at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
