"""Staff forms; every one carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
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
