"""Forms of proposals and their moderation; every one carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from voting.web.form_checks import OfferedChoice, whole_number

MAX_COST = 2_000_000_000  # whole euros; what the column holds


class ProposalForm(FlaskForm):
    """A resident's proposal."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Please give your proposal a title.")),
            Length(max=200, message=_l("The title may have at most 200 characters.")),
        ],
    )
    text = TextAreaField(
        _l("What do you propose, and why?"),
        validators=[
            DataRequired(message=_l("Please describe your proposal.")),
            Length(max=10000, message=_l("The text may have at most 10,000 characters.")),
        ],
    )
    district = StringField(
        _l("District (optional)"),
        validators=[
            Optional(),
            Length(max=100, message=_l("The district may have at most 100 characters.")),
        ],
    )
    cost_estimate = StringField(
        _l("Estimated cost in euros (optional)"),
        validators=[Optional(), Length(max=20)],
    )

    def validate_cost_estimate(self, field: Field) -> None:
        """Accept whole euros, with thousands separated by dots or spaces."""
        if parse_euros(field.data) is None:
            raise ValidationError(
                _l("Please enter the cost as a whole number of euros, e.g. 15000.")
            )

    def cost(self) -> int | None:
        """Return the estimated cost in whole euros, or None if not given."""
        return parse_euros(self.cost_estimate.data) if self.cost_estimate.data else None


def parse_euros(text: str | None) -> int | None:
    """Return whole euros from "15.000 €" or "15000"; None if it is no such amount."""
    digits = (text or "").replace(".", "").replace(" ", "").replace("€", "").strip()
    return whole_number(digits, MAX_COST)


class ModerationForm(FlaskForm):
    """Staff decide on a submitted proposal; asking for changes and rejecting need a reason."""

    decision = StringField(
        validators=[
            AnyOf(["publish", "request_changes", "reject"], message=_l("Unknown decision."))
        ]
    )
    note = TextAreaField(
        _l("Reason or requested changes (shown to the author)"),
        validators=[Length(max=5000, message=_l("The note may have at most 5,000 characters."))],
    )


class OptionForm(FlaskForm):
    """Staff turn a proposal into an option of a draft consultation's question."""

    question = SelectField(
        _l("Question of a draft consultation"),
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Please choose a question.")),
            OfferedChoice(_l("Please choose one of the questions shown.")),
        ],
    )
