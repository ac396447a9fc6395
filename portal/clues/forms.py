"""Forms of the clues area; the rules re-check everything they accept."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.clues.labels import OUTCOME_LABELS, SOURCE_LABELS
from portal.clues.models import ClueSource
from portal.clues.rules import MAX_CONTACT, MAX_PLACE, MAX_REF, MAX_TEXT
from portal.regions.forms import RegionField

REQUIRED = _l("This field is required.")
URGENCY_CHOICES = [("0", _l("Not urgent: the child needs help")), ("1", _l("Urgent: the child is in danger now"))]


class PublicClueForm(FlaskForm):
    region = RegionField(_l("Town or street"), validators=[DataRequired(REQUIRED)])
    place = StringField(_l("Where exactly"), validators=[DataRequired(REQUIRED), Length(max=MAX_PLACE)])
    text = TextAreaField(_l("What you saw"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT)])
    urgent = RadioField(_l("Urgency"), choices=URGENCY_CHOICES, default="0", validators=[DataRequired(REQUIRED)])
    contact = StringField(_l("Your telephone or e-mail (optional)"), validators=[Optional(), Length(max=MAX_CONTACT)])
    # A field people never see: software that fills every field reveals itself.
    website = StringField(_l("Leave this empty"), validators=[Optional()])
    # One form, sent once: a replayed or double-clicked post is recognised by this.
    submission = HiddenField()


class StaffClueForm(FlaskForm):
    source = SelectField(_l("Source"), choices=[(s.value, SOURCE_LABELS[s]) for s in ClueSource
                                                if s not in (ClueSource.public, ClueSource.partner_list)],
                         validators=[DataRequired(REQUIRED)])
    source_ref = StringField(_l("Reference (department, caller, document number)"),
                             validators=[Optional(), Length(max=MAX_REF)])
    region = RegionField(_l("Village, town or county"), validators=[DataRequired(REQUIRED)])
    place = StringField(_l("Where exactly"), validators=[DataRequired(REQUIRED), Length(max=MAX_PLACE)])
    text = TextAreaField(_l("What was seen or reported"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT)])
    urgent = RadioField(_l("Urgency"), choices=URGENCY_CHOICES, default="0", validators=[DataRequired(REQUIRED)])
    contact = StringField(_l("Contact of the person reporting (optional)"),
                          validators=[Optional(), Length(max=MAX_CONTACT)])
    submission = HiddenField()  # as on the public form: a form sent twice records one clue


class TrackForm(FlaskForm):
    code = StringField(_l("Tracking code"), validators=[DataRequired(REQUIRED), Length(max=40)])


class AssignForm(FlaskForm):
    director = SelectField(_l("Child director"), coerce=int, validators=[DataRequired(REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


class OutcomeForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), choices=[(o.value, label) for o, label in OUTCOME_LABELS.items()],
                         validators=[DataRequired(REQUIRED)])
    child_id = SelectField(_l("The new file"), coerce=int, validators=[Optional()], validate_choice=False)
    assessment_id = SelectField(_l("The assessment"), coerce=int, validators=[Optional()], validate_choice=False)
    receiving_unit = StringField(_l("Receiving unit"), validators=[Optional(), Length(max=200)])
    transferred_on = DateField(_l("Date of the transfer"), validators=[Optional()])
    receipt = StringField(_l("Their receipt (number or note)"), validators=[Optional(), Length(max=200)])
    reason = TextAreaField(_l("Why it is unfounded"), validators=[Optional(), Length(max=500)])


class CountsForm(FlaskForm):
    class Meta:
        csrf = False

    region = RegionField(_l("Region"), validators=[Optional()])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


