from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CaptureForm(FlaskForm):
    link = StringField(_l("Link to the post or article"), validators=[DataRequired(), Length(max=1000)])
    title = StringField(_l("Title or first line"), validators=[DataRequired(), Length(max=500)])
    text = TextAreaField(_l("What it says"))
    outlet = StringField(_l("Where (page, group, channel, outlet)"), validators=[Length(max=200)])
    published_at = DateTimeLocalField(_l("Seen or posted at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    reach = IntegerField(_l("Estimated reach (views, shares)"), validators=[Optional(), NumberRange(min=0)])
    screenshot = FileField(_l("Screenshot (JPEG, PNG or WebP; optional)"))
