"""Forms of the helpers area; the rules re-check everything they accept."""

import logging

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.categories import NEED_CATEGORY_LABELS, SKILL_LABELS, SUBJECTS
from portal.children.forms import MultiCheckboxField
from portal.helpers.rules import MAX_AREAS
from portal.regions.forms import RegionField

log = logging.getLogger(__name__)

REQUIRED = _l("This field is required.")


def _area_list(label):
    return FieldList(RegionField(label, validators=[Optional()]), min_entries=MAX_AREAS,
                     max_entries=MAX_AREAS)


def _categories(label):
    return MultiCheckboxField(label, choices=[(k.value, v) for k, v in NEED_CATEGORY_LABELS.items()])


class AccountFields(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    confirm = PasswordField(_l("Password again"), validators=[DataRequired(REQUIRED), Length(max=128)])
    phone = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    # A field people never see: software that fills every field reveals itself.
    website = StringField(_l("Leave this empty"), validators=[Optional()])


class RegisterForm(AccountFields):
    display_name = StringField(_l("Real name"), validators=[DataRequired(REQUIRED), Length(max=50)])
    id_number = StringField(_l("Identity number (optional)"), validators=[Optional(), Length(max=20)])
    areas = _area_list(_l("Region you serve"))
    anonymous = BooleanField(_l("Give anonymously: my name is never shown with my gifts"))
    agree = BooleanField(_l("I agree that the portal keeps these details to match me with children's needs"),
                         validators=[DataRequired(_l("Agree to continue."))])


class VerifyForm(FlaskForm):
    code = StringField(_l("Verification code"), validators=[DataRequired(REQUIRED), Length(max=10)])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    phone = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    areas = _area_list(_l("Region"))
    categories = _categories(_l("Needs I want to help with"))
    skills = MultiCheckboxField(_l("Skills"), choices=[(k.value, v) for k, v in SKILL_LABELS.items()])
    subjects = MultiCheckboxField(_l("Tutoring subjects"), choices=[(s, s) for s in SUBJECTS])
    weekdays = BooleanField(_l("Weekdays"))
    weekends = BooleanField(_l("Weekends"))
    hours_per_month = IntegerField(_l("Hours per month"), validators=[Optional(), NumberRange(0, 300)], default=0)
    capacity = IntegerField(_l("Open tasks at once"), validators=[Optional(), NumberRange(1, 50)], default=1)
    languages = StringField(_l("Languages and dialects (separated by commas)"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("About me"), validators=[Optional(), Length(max=500)])
    anonymous = BooleanField(_l("Give anonymously: my name is never shown with my gifts"))


class CertificateForm(FlaskForm):
    skill = SelectField(_l("Skill"), choices=[(k.value, v) for k, v in SKILL_LABELS.items()],
                        validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Certificate (name and number)"), validators=[DataRequired(REQUIRED), Length(max=100)])
    photo = FileField(_l("Photo or scan of the certificate (JPEG, PNG or WebP)"))


class RecordCheckForm(FlaskForm):
    """A no-criminal-record certificate (无犯罪记录证明): vetting for needs that put an adult alone
    with a child."""

    title = StringField(_l("Certificate number"), validators=[DataRequired(REQUIRED), Length(max=100)])
    issued_on = DateField(_l("Issued on"), validators=[DataRequired(REQUIRED)])
    id_number = StringField(_l("Identity number (as on the certificate)"), validators=[Optional(), Length(max=30)])
    photo = FileField(_l("Photo or scan of the certificate (JPEG, PNG or WebP)"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


class HelperFilterForm(FlaskForm):
    class Meta:
        csrf = False

    role = SelectField(_l("Kind"), validators=[Optional()])
    skill = SelectField(_l("Skill"), validators=[Optional()])
    verified_only = BooleanField(_l("Verified only"))
    category = SelectField(_l("Category"), validators=[Optional()])
    active = SelectField(_l("Status"), validators=[Optional()])
    q = StringField(_l("Name or user name"), validators=[Optional(), Length(max=50)])


class OrgFields(FlaskForm):
    """What an organization's administrator may edit. Not the credit code: it identifies the
    organization, and a different one is a different organization, to be vetted as such."""

    name = StringField(_l("Organization name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    legal_representative = StringField(_l("Legal representative"), validators=[DataRequired(REQUIRED), Length(max=50)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(REQUIRED), Length(max=50)])
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(REQUIRED), Length(max=20)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    description = TextAreaField(_l("What the organization does"), validators=[Optional(), Length(max=1000)])
    areas = _area_list(_l("Service area"))
    categories = _categories(_l("Categories of need served"))
    skills = MultiCheckboxField(_l("Services offered"), choices=[(k.value, v) for k, v in SKILL_LABELS.items()])
    also_donor = BooleanField(_l("The organization also donates money"))


class OrgApplyForm(OrgFields, AccountFields):
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(REQUIRED), Length(max=30)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=50)])


class InviteForm(FlaskForm):
    email = StringField(_l("E-mail of the person invited (optional)"), validators=[Optional(), Length(max=254)])


class JoinForm(AccountFields):
    display_name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=50)])


class VetForm(FlaskForm):
    action = SelectField(_l("Decision"), validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)])


def area_codes(form) -> list[str]:
    """The service-area codes chosen in ``form``'s area fields, blanks left out."""
    return [entry.data for entry in form.areas if entry.data]


def fill_areas(form, codes: list[str]) -> None:
    """Show ``codes`` in ``form``'s area fields."""
    for entry, code in zip(form.areas, codes, strict=False):
        entry.data = code


def honeypot_filled(form) -> bool:
    """A bot filled the field people never see: pretend it worked and change nothing."""
    if form.website.data:
        log.warning("registration honeypot filled from %s", request.remote_addr)
        return True
    return False
