from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class ImportForm(FlaskForm):
    file = FileField(
        _l("Region CSV file"),
        validators=[FileRequired(_l("Choose a file.")), FileAllowed(["csv"], _l("Only .csv files are accepted."))],
    )
