"""Account forms: validation messages in both languages; the rules re-check everything."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.regions.forms import RegionField

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    username = StringField(_l("User name, mobile or e-mail"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    next = HiddenField()


class AccountForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(REQUIRED), Length(min=3, max=64)])
    display_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    email = StringField(
        _l("E-mail (for password reset)"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)])
    region_code = RegionField(_l("Region"), validators=[Optional()])
    in_post_since = DateField(_l("Took up the post on"), validators=[Optional()])
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(REQUIRED)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(REQUIRED)])


class ResetWithCodeForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(REQUIRED), Length(max=64)])
    code = StringField(_l("One-time code"), validators=[DataRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(REQUIRED)])


class ForgotPasswordForm(FlaskForm):
    identifier = StringField(_l("User name or e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(REQUIRED)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post (log out, deactivate, reset, end a session)."""
