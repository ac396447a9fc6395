from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

MODE_LABELS = {"home": _l("Home visit"), "school": _l("At school"), "phone": _l("By phone")}


class VisitForm(FlaskForm):
    visited_on = DateField(_l("Visit date"), validators=[DataRequired(_l("Enter a date as YYYY-MM-DD."))])
    mode = RadioField(_l("How"), choices=list(MODE_LABELS.items()), default="home",
                      validators=[DataRequired(_l("This field is required."))])
    seen = StringField(_l("Who was seen"), validators=[Optional(), Length(max=200)])
    findings = TextAreaField(_l("What you found"), validators=[Optional(), Length(max=2000)])
    follow_up = TextAreaField(_l("Follow-up actions"), validators=[Optional(), Length(max=1000)])
    # What a file really is, is decided by its content (portal.visits.photos); ``accept`` only
    # narrows the browser's file picker.
    photos = MultipleFileField(_l("Photos"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    via = HiddenField()
