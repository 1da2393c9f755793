"""The ballot form, built from a consultation's questions."""

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, Label, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ballots.content import METHOD_SHAPES
from ballots.definition import BallotDefinition

YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain")}


class CheckboxesField(SelectMultipleField):
    """Several options as check boxes, one per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _OptionSelect:
    """One select per option of a ranking or grading field, shown like a radio choice."""

    def __init__(self, field: "PerOptionField", key: str, label: str) -> None:
        self.field = field
        self.key = key
        self.id = f"{field.id}-{key}"
        self.label = Label(self.id, label)

    def __call__(self, **kwargs: Any) -> Markup:
        chosen = self.field.raw.get(self.key, "")
        parts = [f'<select name="{escape(self.field.name)}" id="{escape(self.id)}">']
        for value, text in [("", self.field.empty_text), *self.field.values]:
            selected = " selected" if value == chosen else ""
            token = f"{self.key}:{value}" if value else ""
            parts.append(f'<option value="{escape(token)}"{selected}>{escape(text)}</option>')
        parts.append("</select>")
        return Markup("".join(parts))


class PerOptionField(Field):
    """A select per option, all under the field's name, each value "option:value".

    Without JavaScript a ranking is entered as a rank number per option, and grades as a
    grade per option; the answer's rules are checked by ballots.content, not here.
    """

    def __init__(
        self,
        label: str,
        *,
        options: Sequence[tuple[str, str]],
        values: Sequence[tuple[str, str]],
        empty_text: str,
        ranking: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        self.options = list(options)
        self.values = list(values)
        self.empty_text = empty_text
        self.ranking = ranking
        self.raw: dict[str, str] = {}

    def __iter__(self) -> Iterator[_OptionSelect]:
        return iter(_OptionSelect(self, key, label) for key, label in self.options)

    def process_formdata(self, valuelist: list[str]) -> None:
        keys = {key for key, _ in self.options}
        allowed = {value for value, _ in self.values}
        for item in valuelist:
            if not item:
                continue
            key, _sep, value = item.partition(":")
            if not value:
                continue  # "option:" is an option left out, as the empty choice is
            if key not in keys or value not in allowed or key in self.raw:
                raise ValueError(str(_l("Please choose only among the options shown.")))
            self.raw[key] = value
        if not self.raw:
            self.data = None
        elif self.ranking:
            ranks = sorted((int(value), key) for key, value in self.raw.items())
            if len({rank for rank, _ in ranks}) != len(ranks):
                raise ValueError(str(_l("Please give each rank to one option only.")))
            self.data = [key for _, key in ranks]
        else:
            self.data = {key: int(value) for key, value in self.raw.items()}


class BallotForm(FlaskForm):
    """The polling code; question fields are added per consultation."""

    class Meta:
        # CSRFProtect checks the token of every POST already; checking it twice costs a
        # signature check per vote.
        csrf = False

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


def option_labels(consultation: BallotDefinition) -> dict[str, dict[str, str]]:
    """Return the option labels by question and option key; yes/no/abstain translated.

    Built once per process and language.
    """
    key = ("option_labels", str(get_locale()))
    labels = consultation.derived.get(key)
    if labels is None:
        labels = consultation.derived[key] = {
            q.key: {
                o.key: str(YES_NO_LABELS[o.key]) if q.method == "yes_no" else o.label
                for o in q.options
            }
            for q in consultation.questions
        }
    return labels


def ballot_form_class(
    consultation: BallotDefinition, *, with_code: bool = True
) -> type[BallotForm]:
    """Return a form class with one field per question of ``consultation``.

    ``with_code=False`` leaves out the polling code (a verified resident needs none).
    Built once per process and language: labels are translated when it is built.
    """
    key = ("ballot_form", str(get_locale()), with_code)
    form_class = consultation.derived.get(key)
    if form_class is None:
        form_class = _build_form_class(consultation)
        if not with_code:
            form_class = type("ResidentBallotForm", (form_class,), {"code": None})
        consultation.derived[key] = form_class
    return form_class


def _build_form_class(consultation: BallotDefinition) -> type[BallotForm]:
    fields: dict[str, Field] = {}
    labels = option_labels(consultation)
    for question in consultation.questions:
        choices = [SelectChoice(key, label) for key, label in labels[question.key].items()]
        # Validity beyond "a known option" is checked by ballots.content, the one
        # place that knows each method's rules; the field only parses.
        shape = METHOD_SHAPES.get(question.method)
        options = [(o.key, o.label) for o in question.options]
        if shape == "approval":
            fields[f"q_{question.key}"] = CheckboxesField(
                question.text, choices=choices, validators=[Optional()], validate_choice=False
            )
        elif shape == "ranking":
            places = [(str(n), str(n)) for n in range(1, len(options) + 1)]
            fields[f"q_{question.key}"] = PerOptionField(
                question.text,
                options=options,
                values=places,
                empty_text=str(_l("not ranked")),
                ranking=True,
            )
        elif shape == "grades":
            grades = [(str(n), name) for n, name in enumerate(question.params.get("grades", []))]
            fields[f"q_{question.key}"] = PerOptionField(
                question.text,
                options=options,
                values=grades,
                empty_text=str(_l("no grade")),
                ranking=False,
            )
        else:
            fields[f"q_{question.key}"] = RadioField(
                question.text, choices=choices, validators=[Optional()], validate_choice=False
            )
    return type("ConsultationBallotForm", (BallotForm,), fields)
