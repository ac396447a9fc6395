from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, Length, Optional

DECISIONS = ("approve", "reject")


class DecideForm(FlaskForm):
    """Approve or reject one pending entry: the pressed button names the decision."""

    decision = StringField(validators=[AnyOf(DECISIONS, message=_l("Choose approve or reject."))])
    reason = StringField(_l("Reason (needed to reject)"), validators=[Optional(), Length(max=500)])
