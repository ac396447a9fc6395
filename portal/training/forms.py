from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.regions.forms import RegionField


class SessionForm(FlaskForm):
    topic = StringField(_l("Topic"), validators=[DataRequired(_l("This field is required.")), Length(max=200)])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter a date as YYYY-MM-DD."))])
    region_code = RegionField(_l("Held by (region)"), validators=[DataRequired(_l("This field is required."))])
    trainer = StringField(_l("Trainer"), validators=[DataRequired(_l("This field is required.")), Length(max=100)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])


class MaterialsForm(FlaskForm):
    # What a file really is, is decided by its content (portal.visits.photos): pages of slides or
    # handouts as photos or scans.
    pages = MultipleFileField(_l("Pages of the materials"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
