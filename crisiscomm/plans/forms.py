from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


class MinistryPlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Plan (Markdown)"))
    themes = TextAreaField(_l("Themes, one per line"), validators=[DataRequired()])
    key_dates = TextAreaField(_l("Key dates, one per line: dd/mm/yyyy | label"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # the service checks themes against the Ministry's plan
        pass


class DepartmentPlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Plan (Markdown)"))
    themes = MultiCheckboxField(_l("Ministry themes this plan covers"), choices=[])
