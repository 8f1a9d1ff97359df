from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DistributeForm(FlaskForm):
    version = SelectField(_l("Version"), coerce=int, validators=[DataRequired()])
    target = RadioField(_l("Send to"), choices=[SelectChoice("all", _l("All active Departments")),
                                                SelectChoice("chosen", _l("Only the Departments chosen below"))],
                        default="all")
    departments = MultiCheckboxField(_l("Departments"), choices=[])

    def validate_departments(self, field):
        if self.target.data == "chosen" and not field.data:
            raise ValidationError(_l("Choose at least one Department."))


class AdaptationForm(FlaskForm):
    body = TextAreaField(_l("Playbook text (Markdown)"), validators=[DataRequired()])
    updated_at = HiddenField()
