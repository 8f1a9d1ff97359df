from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..stories.forms import MultiCheckboxField


class CourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Length(max=300)])
    online = BooleanField(_l("Online"))
    topics = MultiCheckboxField(_l("Topics"), choices=[])
    trainers = TextAreaField(_l("Trainers (one per line)"))
    description = TextAreaField(_l("Description"))
    invited = MultiCheckboxField(_l("Departments invited"), choices=[])


class MaterialForm(FlaskForm):
    title = StringField(_l("Title of the material"), validators=[Length(max=300)])
    file = FileField(_l("File (PDF, Word, PowerPoint, Excel, JPEG, PNG)"))
    url = StringField(_l("or a link"), validators=[Length(max=1000)])
