"""Staff forms; every one carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Staff login."""

    username = StringField(
        _l("User name"),
        validators=[DataRequired(message=_l("Please enter your user name.")), Length(max=80)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=1024)],
    )


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""


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


ROLE_CHOICES = [
    SelectChoice("editor", _l("editor")),
    SelectChoice("auditor", _l("auditor (read only)")),
    SelectChoice("admin", _l("administrator")),
]


class NewStaffForm(FlaskForm):
    """A new staff account."""

    username = StringField(
        _l("User name"),
        validators=[DataRequired(message=_l("Please enter a user name.")), Length(max=80)],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="editor")
    password = PasswordField(
        _l("Initial password (at least 12 characters)"),
        validators=[
            DataRequired(message=_l("Please enter a password.")),
            Length(min=12, max=1024, message=_l("The password needs at least 12 characters.")),
        ],
    )


class StaffRoleForm(FlaskForm):
    """Change one member's role or deactivate the account."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("May log in"))
