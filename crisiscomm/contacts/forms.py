from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import BROADCAST, CENTRAL_RESIDENT, MINISTRY_LEVEL, ONLINE, PROVINCIAL
from ..forms import select_choices


def outlet_type_choices():
    return [(CENTRAL_RESIDENT, _l("Central press (resident in the province)")),
            (PROVINCIAL, _l("Provincial press")),
            (BROADCAST, _l("Radio / TV")),
            (ONLINE, _l("Online outlet")),
            (MINISTRY_LEVEL, _l("Ministry-level outlet"))]


class ContactForm(FlaskForm):
    department = SelectField(_l("Department"), choices=[], validators=[Optional()])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    outlet = StringField(_l("Outlet"), validators=[DataRequired(), Length(max=200)])
    outlet_type = SelectField(_l("Outlet type"), choices=select_choices(outlet_type_choices()))
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    beat = StringField(_l("Beat / topics"), validators=[Optional(), Length(max=300)])
    phones = TextAreaField(_l("Phones"), validators=[Optional(), Length(max=400)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class ImportForm(FlaskForm):
    department = SelectField(_l("Department"), choices=[], validators=[Optional()])
    file = FileField(_l("CSV or Excel (.xlsx) file"))


class ImportMappingForm(FlaskForm):
    default_outlet_type = SelectField(_l("Outlet type when a row has none"), choices=select_choices(outlet_type_choices()))


class ImportConfirmForm(FlaskForm):
    only_valid = BooleanField(_l("Import only the valid rows (skip the rows with errors)"))
    on_duplicate = SelectField(_l("Rows that repeat an existing contact's email or phone"),
                               choices=select_choices([("skip", _l("Skip them")),
                                                       ("import", _l("Import them anyway (merge later)"))]),
                               default="skip")  # only shown when the file has duplicates
