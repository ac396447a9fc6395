from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import StopValidation

from portal import db
from portal.regions.names import find_by_path, path_of


class ImportForm(FlaskForm):
    file = FileField(
        _l("Region CSV file"),
        validators=[FileRequired(_l("Choose a file.")), FileAllowed(["csv"], _l("Only .csv files are accepted."))],
    )


class RegionField(StringField):
    """A region chosen by name: shows the name path of the code it holds ("兰山区 义堂镇") and takes
    back a name path (what the suggestions fill in) or a code; ``data`` is always the 12-digit code.
    Text that names no single region is kept as typed and refused with a message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.unresolved = ""

    def _value(self):
        if self.unresolved:
            return self.unresolved
        return path_of(db.session(), self.data) or (self.data or "")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.unresolved = ""
        if not text:
            self.data = ""
            return
        # A code is passed on as it is: the rules say whether it exists and may be used there.
        code = text if len(text) == 12 and text.isdigit() else find_by_path(db.session(), text)
        if code is None:
            self.unresolved, self.data = text, ""
        else:
            self.data = code

    def pre_validate(self, form):
        if self.unresolved:
            raise StopValidation(_l("No single region has that name: pick one of the suggestions."))
