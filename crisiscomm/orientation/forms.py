from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass  # the service checks each id is the sender's own (a 422 naming the field)


class MessageForm(FlaskForm):
    """The texts are checked by the service (inputs.text: bounds, one line where it must be)."""

    subject = StringField(_l("Subject"))
    holding_line = TextAreaField(_l("Agreed answer (holding line)"),
                                 description=_l("The one answer every school gives when asked."))
    may_say = TextAreaField(_l("What may be said"))
    may_not_say = TextAreaField(_l("What must not be said"))
    refer_press_to = StringField(_l("Refer the press to"),
                                 description=_l("Filled in with the Department's official spokesperson."))
    playbook_url = StringField(_l("Playbook section (link)"),
                               description=_l("A page of the app (/scenarios/…) or an https:// link."))
    all = BooleanField(_l("All schools and units"))
    group_ids = MultiCheckboxField(_l("Groups"), choices=[])
    school_ids = MultiCheckboxField(_l("Schools"), choices=[])
    departments = MultiCheckboxField(_l("Departments"), choices=[])
