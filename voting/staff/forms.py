"""Staff forms; every one carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
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
