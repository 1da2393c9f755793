"""The register upload form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectChoice


class RegisterUploadForm(FlaskForm):
    """A register export to preview, or to import after the preview."""

    register = FileField(
        _l("Register export (CSV)"),
        validators=[FileRequired(message=_l("Please choose the register file."))],
    )
    letters = RadioField(
        _l("Polling-card letters as"),
        choices=[
            SelectChoice("pdf", _l("PDF for window envelopes (DIN 5008)")),
            SelectChoice("csv", _l("CSV for the print shop's mail merge")),
        ],
        default="pdf",
    )
    skip_bad_lines = BooleanField(_l("Leave out the bad lines listed above and import the rest"))
