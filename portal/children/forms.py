"""Forms of the children area; the rules re-check everything they accept."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.children.grading import DIMENSION_LABELS, INDICATORS
from portal.children.labels import CATEGORY_LABELS, GENDER_LABELS, SCHOOL_STAGE_LABELS
from portal.regions.forms import RegionField

REQUIRED = _l("This field is required.")
DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GuardianForm(Form):
    relation = StringField(_l("Relation"), validators=[Optional(), Length(max=20)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20)])
    situation = StringField(_l("Situation"), validators=[Optional(), Length(max=200)])


class ChildForm(FlaskForm):
    name = StringField(_l("Child's name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    gender = RadioField(_l("Gender"), choices=[(k.value, v) for k, v in GENDER_LABELS.items()],
                        validators=[DataRequired(REQUIRED)])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired(DATE_MESSAGE)])
    id_number = StringField(_l("Identity number"), validators=[Optional(), Length(max=20)])
    ethnicity = StringField(_l("Ethnicity"), validators=[Optional(), Length(max=20)])
    region_code = RegionField(_l("Village or community"), validators=[DataRequired(REQUIRED)])
    household_registration = StringField(_l("Household registration"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Current address"), validators=[Optional(), Length(max=200)])
    categories = MultiCheckboxField(_l("Categories"), choices=[(k.value, v) for k, v in CATEGORY_LABELS.items()])
    school = StringField(_l("School"), validators=[Optional(), Length(max=100)])
    grade = StringField(_l("Grade"), validators=[Optional(), Length(max=30)])
    school_stage = SelectField(_l("School stage"), choices=[(k.value, v) for k, v in SCHOOL_STAGE_LABELS.items()],
                               default="none")
    disability_category = StringField(_l("Disability category"), validators=[Optional(), Length(max=30)])
    disability_level = StringField(_l("Disability grade"), validators=[Optional(), Length(max=10)])
    chronic_illness = StringField(_l("Chronic illness"), validators=[Optional(), Length(max=200)])
    benefits = StringField(_l("Benefits received (separated by commas)"), validators=[Optional(), Length(max=300)])
    guardians = FieldList(FormField(GuardianForm), min_entries=2, max_entries=4)
    confirm_not_duplicate = BooleanField(_l("I have checked: this is a different child"))


class AssessmentForm(FlaskForm):
    assessed_on = DateField(_l("Assessment date"), validators=[DataRequired(DATE_MESSAGE)])
    team = StringField(_l("Assessed by (joint team)"), validators=[Optional(), Length(max=200)])
    indicators = MultiCheckboxField(_l("Indicators"), choices=[(i.key, i.label) for i in INDICATORS])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)])

    def indicator_groups(self):
        """The indicator checkboxes grouped by dimension, for the template."""
        by_key = {option.data: option for option in self.indicators}
        return [
            (label, [by_key[i.key] for i in INDICATORS if i.dimension == dimension])
            for dimension, label in DIMENSION_LABELS.items()
        ]
