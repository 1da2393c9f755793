"""Forms every feature's views share."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""


class ConfirmForm(ActionForm):
    """The button of a step that cannot be undone, and the box that says so."""

    understood = BooleanField(
        _l("I have understood: this cannot be undone."),
        validators=[
            DataRequired(
                message=_l("Please tick the box to confirm that you understand what happens.")
            )
        ],
    )


class EarlyCloseForm(ConfirmForm):
    """A request to close voting before the scheduled end: its reason and the box."""

    reason = TextAreaField(
        _l("Why should voting close early?"),
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[
            DataRequired(message=_l("Please write down why voting should close early.")),
            Length(max=1000, message=_l("Please keep the reason to 1,000 characters.")),
        ],
    )
