"""Forms of the donations area; the rules re-check everything they accept (amounts are parsed from
the typed text by ``rules.parse_yuan``, never through a float)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REQUIRED = _l("This field is required.")
FUND_CHOICES = [("general", _l("General fund")), ("scholarship", _l("Scholarship")),
                ("medical_aid", _l("Medical aid")), ("living_allowance", _l("Living allowance"))]


class OfflineGiftForm(FlaskForm):
    fund = SelectField(_l("Fund"), choices=FUND_CHOICES, validators=[Optional()])
    amount = StringField(_l("Amount (yuan)"), validators=[DataRequired(REQUIRED), Length(max=20)])
    channel = RadioField(_l("Received as"), choices=[("bank", _l("Bank transfer")), ("cash", _l("Cash"))],
                         default="bank", validators=[DataRequired(REQUIRED)])
    payer = StringField(_l("Payer"), validators=[DataRequired(REQUIRED), Length(max=100)])
    paid_on = DateField(_l("Date received"), validators=[DataRequired(REQUIRED)])
    reference = StringField(_l("Bank reference or receipt book number"), validators=[Optional(), Length(max=100)])
    anonymous = BooleanField(_l("The donor wishes to stay anonymous"))
    message = TextAreaField(_l("Donor's message"), validators=[Optional(), Length(max=500)])
    receipt_scan = FileField(_l("Scanned bank slip or receipt (photo)"),
                             render_kw={"accept": "image/jpeg,image/png,image/webp"})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)])


class RefundForm(FlaskForm):
    amount = StringField(_l("Amount to refund (yuan)"), validators=[DataRequired(REQUIRED), Length(max=20)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)])


class GiveForm(FlaskForm):
    """A donor's online gift: a suggested amount or one typed (``amount`` wins when filled)."""

    suggested = RadioField(_l("Amount"), choices=[], validate_choice=False, validators=[Optional()])
    amount = StringField(_l("Or another amount (yuan)"), validators=[Optional(), Length(max=20)])
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=100)])
    email = StringField(_l("E-mail for the receipt"), validators=[Optional(), Length(max=200)])
    anonymous = BooleanField(_l("Give anonymously (the public pages and the receipt show no name)"))
    message = TextAreaField(_l("Message (optional, not shown publicly)"), validators=[Optional(), Length(max=500)])
    monthly = BooleanField(_l("Give this every month (月捐)"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("What was found and done"), validators=[DataRequired(REQUIRED), Length(max=500)])
