from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


class StoryForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary for a pitch (at most 60 words)"), validators=[DataRequired()])
    body = TextAreaField(_l("Story (Markdown)"))
    unit = StringField(_l("School or unit"), validators=[Length(max=300)])
    commune = StringField(_l("Commune or ward"), validators=[Length(max=200)])
    province = StringField(_l("Province or city"), validators=[Length(max=200)])
    story_date = DateField(_l("Date"), validators=[Optional()])
    topics = MultiCheckboxField(_l("Topics"), choices=[])
    proposed_by_name = StringField(_l("Proposed by"), validators=[Length(max=300)])
