"""Forms of the needs area; the rules re-check everything they accept."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.categories import NEED_CATEGORY_LABELS
from portal.children.forms import MultiCheckboxField
from portal.needs.labels import KIND_LABELS, URGENCY_LABELS

REQUIRED = _l("This field is required.")


class NeedForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[(k.value, v) for k, v in NEED_CATEGORY_LABELS.items()],
                           validators=[DataRequired(REQUIRED)])
    kind = RadioField(_l("Kind of help"), choices=[(k.value, v) for k, v in KIND_LABELS.items()], default="service",
                      validators=[DataRequired(REQUIRED)])
    description = TextAreaField(_l("What the child lacks (internal: staff only)"),
                                validators=[DataRequired(REQUIRED), Length(max=2000)])
    urgency = RadioField(_l("Urgency"), choices=[(str(k), v) for k, v in URGENCY_LABELS.items()], default="2",
                         validators=[DataRequired(REQUIRED)])
    slots = IntegerField(_l("Helpers needed"), default=1, validators=[Optional(), NumberRange(1, 200)])
    # Required for their own kind only (the rules check it): marked so the browser asks for the one shown.
    target_yuan = DecimalField(_l("Target amount (yuan, money needs)"), places=2,
                               validators=[Optional(), NumberRange(1, 1_000_000)], render_kw={"required": True})
    pairing_months = IntegerField(_l("Pairing period (months)"), validators=[Optional(), NumberRange(1, 36)],
                                  render_kw={"required": True})
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    children = MultiCheckboxField(_l("Children taking part (activities)"), coerce=int)


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


class PublishForm(FlaskForm):
    summary = TextAreaField(_l("Public summary"), validators=[DataRequired(REQUIRED), Length(max=1000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


class DeliveryForm(FlaskForm):
    report = TextAreaField(_l("What was delivered"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    service_date = DateField(_l("Date of the service"), validators=[DataRequired(REQUIRED)])
    hours = DecimalField(_l("Your hours (volunteers)"), places=1, validators=[Optional(), NumberRange(0, 24)])


class MessageForm(FlaskForm):
    text = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED), Length(max=1000)])


class BoardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField(_l("Category"), validators=[Optional()])
    kind = SelectField(_l("Kind of help"), validators=[Optional()])
    county = SelectField(_l("County / district"), validators=[Optional()])
    urgency = SelectField(_l("Urgency"), validators=[Optional()])
    before = DateField(_l("Deadline before"), validators=[Optional()])
    town = SelectField(_l("Town / street"), validators=[Optional(), Length(max=12)], validate_choice=False)
