"""The ballot form, built from a consultation's questions."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from voting.models import Consultation, Question

YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain")}


class CheckboxesField(SelectMultipleField):
    """Several options as check boxes, one per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BallotForm(FlaskForm):
    """The polling code; question fields are added per consultation."""

    code = StringField(
        _l("Polling code from your letter"),
        validators=[
            DataRequired(message=_l("Please enter the code from your polling-card letter.")),
            Length(max=64, message=_l("The code is too long.")),
        ],
    )

    def question_fields(self) -> list[Field]:
        """Return the question fields in ballot order."""
        return [field for field in self if field.name.startswith("q_")]

    def answers(self) -> dict[str, Any]:
        """Return the raw answers by question key."""
        return {field.name[2:]: field.data or None for field in self.question_fields()}


def option_label(question: Question, key: str, label: str) -> str:
    """Return an option's label; yes/no/abstain in the visitor's language."""
    return str(YES_NO_LABELS[key]) if question.method == "yes_no" else label


def ballot_form_class(consultation: Consultation) -> type[BallotForm]:
    """Return a form class with one field per question of ``consultation``."""
    fields: dict[str, Field] = {}
    for question in consultation.questions:
        choices = [
            SelectChoice(o.key, option_label(question, o.key, o.label)) for o in question.options
        ]
        # Validity beyond "a known option" is checked by ballots.content, the one
        # place that knows each method's rules; the field only parses.
        if question.method == "approval":
            fields[f"q_{question.key}"] = CheckboxesField(
                question.text, choices=choices, validators=[Optional()], validate_choice=False
            )
        else:
            fields[f"q_{question.key}"] = RadioField(
                question.text, choices=choices, validators=[Optional()], validate_choice=False
            )
    return type("ConsultationBallotForm", (BallotForm,), fields)
