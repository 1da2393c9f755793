"""Forms of resident accounts; every one carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from voting.web.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH


class RegisterForm(FlaskForm):
    """Sign up with e-mail address and password."""

    email = StringField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Please enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Please choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l(
                    "The password needs at least %(min)d characters.", min=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(message=_l("Please enter the password a second time.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )


class ResidentLoginForm(FlaskForm):
    """Resident login."""

    email = StringField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Please enter your e-mail address.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=1024)],
    )


class VerifyForm(FlaskForm):
    """The one-time code from the residency letter."""

    code = StringField(
        _l("Code from your letter"),
        validators=[
            DataRequired(message=_l("Please enter the code from your letter.")),
            Length(max=64, message=_l("The code is too long.")),
        ],
    )


class ResidencyCodeForm(FlaskForm):
    """Staff issue a residency code for one person of the register."""

    person_id = StringField(
        _l("Person id in the register (Ordnungsmerkmal)"),
        validators=[
            DataRequired(message=_l("Please enter the person id from the register.")),
            Length(max=80, message=_l("The person id is too long.")),
        ],
    )
