from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class SchoolForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    level = SelectField(_l("Level"), choices=[])
    ownership = SelectField(_l("Ownership"), choices=[])
    commune = StringField(_l("Commune or ward"), validators=[Length(max=200)])
    address = StringField(_l("Address"), validators=[Length(max=500)])
    code = StringField(_l("Code"), validators=[Length(max=40)])
    aliases = TextAreaField(_l("Other names (one a line)"))
    notes = TextAreaField(_l("Notes"))


class FocalPointForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Role in the network"), choices=[])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    email = StringField(_l("Email"), validators=[Length(max=254)])


class AccountForm(FlaskForm):
    email = StringField(_l("Email to sign in with"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("First password (pass it on to the person)"), validators=[DataRequired()])


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"))


class ImportForm(FlaskForm):
    file = FileField(_l("File (XLSX or CSV)"))


class ReportForm(FlaskForm):
    title = StringField(_l("What happened"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Details"))
    occurred_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField(_l("Where"), validators=[Length(max=300)])
    exam_related = BooleanField(_l("Related to an exam"))
