"""Forms of the programmes area. Amounts are typed in yuan and parsed to fen by the routes with
string arithmetic; the rules re-check everything (``eligibility.check_*``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.children.forms import MultiCheckboxField
from portal.children.grading import LEVEL_LABELS
from portal.children.labels import CATEGORY_LABELS, SCHOOL_STAGE_LABELS, STATUS_LABELS
from portal.programmes.eligibility import DOCUMENTS, MAX_AGE
from portal.programmes.labels import AMOUNT_TYPE_LABELS, KIND_LABELS, PERIOD_LABELS

REQUIRED = _l("This field is required.")
AGE_MESSAGE = _l("An age is a whole number of years from 0 to %(n)d.", n=MAX_AGE)


class ProgrammeForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(REQUIRED), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    period_type = SelectField(_l("Paid"), choices=[(k.value, v) for k, v in PERIOD_LABELS.items()])
    fund_code = SelectField(_l("Fund it pays from"), choices=[])
    active = BooleanField(_l("Active"), default=True)
    categories = MultiCheckboxField(_l("Categories (any of them)"),
                                    choices=[(k.value, v) for k, v in CATEGORY_LABELS.items()])
    age_min = IntegerField(_l("Lowest age"), validators=[Optional(), NumberRange(0, MAX_AGE, AGE_MESSAGE)])
    age_max = IntegerField(_l("Highest age"), validators=[Optional(), NumberRange(0, MAX_AGE, AGE_MESSAGE)])
    school_stages = MultiCheckboxField(_l("School stages"),
                                       choices=[(k.value, v) for k, v in SCHOOL_STAGE_LABELS.items()])
    risk_levels = MultiCheckboxField(_l("Grading levels"), choices=[(k.value, v) for k, v in LEVEL_LABELS.items()])
    statuses = MultiCheckboxField(_l("File statuses"), choices=[(k.value, v) for k, v in STATUS_LABELS.items()],
                                  default=["active"])
    regions = StringField(_l("Only these regions (codes, separated by commas)"), validators=[Optional(), Length(max=500)])
    required_documents = MultiCheckboxField(_l("Required documents"), choices=list(DOCUMENTS.items()))
    amount_type = RadioField(_l("Amount"), choices=[(k, v) for k, v in AMOUNT_TYPE_LABELS.items()], default="fixed",
                             validators=[DataRequired(REQUIRED)])
    amount = StringField(_l("Fixed amount per child per period (yuan)"), validators=[Optional(), Length(max=20)])
    percent = IntegerField(_l("Share of eligible costs (percent)"), validators=[Optional()])
    cap = StringField(_l("At most (yuan)"), validators=[Optional(), Length(max=20)])

    def category_amount_fields(self):
        return [(key, getattr(self, f"amount_{key}")) for key in CATEGORY_LABELS]


# One amount per category for a table by category ("孤儿 1,800 元, 事实无人抚养 1,500 元").
for _key, _label in CATEGORY_LABELS.items():
    setattr(ProgrammeForm, f"amount_{_key.value}",
            StringField(_label, validators=[Optional(), Length(max=20)]))


class AddChildForm(FlaskForm):
    child_id = IntegerField(_l("File number"), validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=300)])


class RemoveForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=300)])


class EnrolForm(FlaskForm):
    documents = MultiCheckboxField(_l("Documents collected"), choices=list(DOCUMENTS.items()))
    invoices = StringField(_l("Total of the hospital invoices (yuan)"), validators=[Optional(), Length(max=20)])
