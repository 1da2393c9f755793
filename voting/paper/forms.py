"""Staff forms of the paper channel; every one carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ballots.forms import YES_NO_LABELS
from voting.core.models import Question
from voting.web.form_checks import OfferedChoice, WholeNumberRange

FIELD_LABELS = {
    "blank": _l("Blank (no mark)"),
    "invalid": _l("Invalid"),
    "voted": _l("Ballots with at least one mark"),
}


class PaperMarkForm(FlaskForm):
    """The code of a polling card returned by post."""

    code = StringField(
        _l("Polling code of the returned card"),
        validators=[
            DataRequired(message=_l("Please enter the code printed on the card.")),
            Length(max=64, message=_l("The code is too long.")),
        ],
    )


class PaperCountForm(FlaskForm):
    """One district's paper count of one question; figure fields are added per question."""

    district = SelectField(
        _l("District"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Please choose a district.")),
            OfferedChoice(_l("This district is not part of the electorate.")),
        ],
    )

    def figure_fields(self) -> list[Field]:
        """Return the figure fields in order."""
        return [field for field in self if field.short_name.startswith("n_")]

    def figures(self) -> dict[str, int]:
        """Return the entered figures by name."""
        return {field.short_name[2:]: field.data for field in self.figure_fields()}


def paper_count_form_class(question: Question, names: list[str]) -> type[PaperCountForm]:
    """Return a form class with one whole-number field per figure of ``question``."""
    labels = {o.key: o.label for o in question.options}
    fields: dict[str, Field] = {}
    for name in names:
        if name in FIELD_LABELS:
            label = FIELD_LABELS[name]
        elif question.method == "yes_no":
            label = YES_NO_LABELS[name]
        else:
            label = labels[name]
        fields[f"n_{name}"] = IntegerField(
            label,
            validators=[
                InputRequired(message=_l("Please enter a number, 0 if there are none.")),
                WholeNumberRange(
                    min=0, max=10_000_000, message=_l("Please enter a whole number of 0 or more.")
                ),
            ],
        )
    return type("QuestionPaperCountForm", (PaperCountForm,), fields)
