from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .passwords import MAX_LOGIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254, message=_l("Too long."))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(), Length(max=MAX_LOGIN_PASSWORD_LENGTH, message=_l("Too long."))])


class PasswordForm(FlaskForm):
    # Length and strength are checked by users.passwords, which names the problem in Vietnamese.
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(), Length(max=MAX_LOGIN_PASSWORD_LENGTH, message=_l("Too long."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(max=MAX_PASSWORD_LENGTH * 8, message=_l("Too long."))])


TOKEN_EXPIRY_CHOICES = [SelectChoice("30", _l("30 days")), SelectChoice("90", _l("90 days")),
                        SelectChoice("365", _l("1 year")), SelectChoice("", _l("No expiry (until revoked)"))]


class TokenForm(FlaskForm):
    label = StringField(_l("Label"), validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))])
    expires = SelectField(_l("Expires after"), choices=TOKEN_EXPIRY_CHOICES, default="90")


class UserAdminForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])
    department = SelectField(_l("Department"), choices=[])
