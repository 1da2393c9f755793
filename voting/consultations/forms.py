"""The consultation editor's form and its translation to and from the consultation format.

The form only parses what staff typed (dates, numbers, option and parameter lines);
whether the result is a valid consultation is decided by
``voting.consultations.services.parse_spec``, whose problems
``voting.consultations.spec_errors`` shows at the fields they name.
"""

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtf_translations
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from voting.core.lifecycle import BERLIN
from voting.core.models import Consultation
from voting.web.form_checks import WholeNumberRange

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class QuestionForm(Form):
    """One question: text, counting method, its parameters and options."""

    class Meta:
        """Translate WTForms' own messages ("Not a valid choice.") as FlaskForm does."""

        def get_translations(self, form: Form) -> Any:
            """Return Flask-WTF's translations, which follow the visitor's language."""
            return wtf_translations

    key = StringField(_l("Short name (letters a–z, digits, - and _)"), validators=[Optional()])
    text = TextAreaField(_l("Question"), validators=[Length(max=2000)])
    method = SelectField(_l("Counting method"))
    params = TextAreaField(
        _l("Method parameters, one per line: name = value"), validators=[Length(max=2000)]
    )
    options = TextAreaField(
        _l("Options, one per line: label, or key | label, or key | label | cost"),
        validators=[Length(max=20000)],
    )
    remove = BooleanField(_l("Remove this question when saving"))


class ConsultationForm(FlaskForm):
    """A consultation draft."""

    slug = StringField(
        _l("Address (part of the web address, e.g. stadtpark-2027; empty: from the title)"),
        validators=[Optional(), Length(max=40)],
    )
    title = StringField(
        _l("Title"),
        validators=[InputRequired(message=_l("Please enter a title.")), Length(max=300)],
    )
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=50000)])
    summary_easy = TextAreaField(
        _l("Summary in Leichte Sprache (optional, Markdown)"), validators=[Length(max=20000)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("advisory", _l("Citizens' survey (advisory)")),
            SelectChoice("binding", _l("Citizens' decision (binding)")),
        ],
    )
    opens_at = DateTimeLocalField(
        _l("Voting opens (Europe/Berlin)"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Please enter when voting opens."))],
    )
    closes_at = DateTimeLocalField(
        _l("Voting closes (Europe/Berlin)"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Please enter when voting closes."))],
    )
    min_age = IntegerField(
        _l("Minimum age on the closing day"),
        default=18,
        validators=[
            InputRequired(message=_l("Please enter a minimum age.")),
            WholeNumberRange(min=0, max=120, message=_l("The minimum age must be from 0 to 120.")),
        ],
    )
    districts = TextAreaField(
        _l("Districts, one per line (empty: the whole city)"), validators=[Length(max=5000)]
    )
    questions = FieldList(FormField(QuestionForm), min_entries=1, max_entries=50)
    add_question = SubmitField(_l("Add a question"))
    save = SubmitField(_l("Save draft"))

    def set_methods(self, methods: list[SelectChoice]) -> None:
        """Offer these (name, label) counting methods in every question."""
        for entry in self.questions:
            entry.form.method.choices = methods


def slugify(label: str) -> str:
    """Return a key for an option from its label: lower case a–z, digits and dashes."""
    text = unicodedata.normalize("NFKD", label.lower().translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")
    return key or "option"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        # Brackets nested deeper than the parser goes are no value either.
        raise ValueError(text) from None


def _number(text: str) -> int | float:
    value = _json(text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(text)
    return value


def parse_options(text: str) -> tuple[list[dict[str, str]], dict[str, Any], list[str]]:
    """Read option lines; return the options, their costs by key, and errors by line."""
    options: list[dict[str, str]] = []
    costs: dict[str, Any] = {}
    errors: list[str] = []
    taken: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        if len(parts) > 3:
            errors.append(_("Line %(line)d: at most key | label | cost.", line=number))
            continue
        if len(parts) == 1:
            key, label = slugify(parts[0]), parts[0]
            base, suffix = key, 2
            while key in taken:  # two labels with the same key: number them
                key = f"{base[:37]}-{suffix}"
                suffix += 1
        else:
            key, label = parts[0], parts[1]
        if len(parts) == 3 and parts[2]:
            try:
                costs[key] = _number(parts[2].replace(".", "").replace(",", "."))
            except ValueError:
                errors.append(
                    _(
                        "Line %(line)d: the cost %(cost)s is not a number.",
                        line=number,
                        cost=parts[2],
                    )
                )
        taken.add(key)
        options.append({"key": key, "label": label})
    return options, costs, errors


def parse_params(text: str) -> tuple[dict[str, Any], list[str]]:
    """Read ``name = value`` lines; values are JSON where they parse as JSON, else text."""
    params: dict[str, Any] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        name, sep, value = raw.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            errors.append(
                _("Line %(line)d: write name = value, e.g. max_choices = 3.", line=number)
            )
            continue
        try:
            params[name] = _json(value)
        except ValueError:
            params[name] = value
    return params, errors


def form_to_spec(form: ConsultationForm) -> tuple[dict[str, Any], bool]:
    """Build the consultation definition from the form; False if a field could not be read."""
    readable = True
    questions = []
    for entry in form.questions:
        question = entry.form
        if question.remove.data:
            continue
        params, param_errors = parse_params(question.params.data or "")
        options, costs, option_errors = parse_options(question.options.data or "")
        question.params.errors = [*question.params.errors, *param_errors]
        question.options.errors = [*question.options.errors, *option_errors]
        readable = readable and not param_errors and not option_errors
        if costs:
            params["costs"] = costs
        if form.kind.data == "binding" and question.method.data == "yes_no":
            # A Bürgerentscheid is decided only with the quorum of GemO RLP §17a.
            params.setdefault("quorum", "rlp_buergerentscheid")
        text = (question.text.data or "").strip()
        questions.append(
            {
                "key": (question.key.data or "").strip() or slugify(text)[:40] or "question",
                "text": text,
                "method": question.method.data,
                "params": params,
                "options": [] if question.method.data == "yes_no" else options,
            }
        )
    districts = [line.strip() for line in (form.districts.data or "").splitlines() if line.strip()]
    spec = {
        "slug": (form.slug.data or "").strip() or slugify(form.title.data or "")[:40],
        "title": form.title.data or "",
        "description": form.description.data or "",
        "summary_easy": form.summary_easy.data or "",
        "kind": form.kind.data,
        "period": {
            "opens_at": form.opens_at.data.strftime(DATETIME_FORMAT),
            "closes_at": form.closes_at.data.strftime(DATETIME_FORMAT),
        },
        "eligibility": {"min_age": form.min_age.data, "districts": districts},
        "questions": questions,
    }
    return spec, readable


def _local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN).replace(tzinfo=None)


def form_data(consultation: Consultation) -> dict[str, Any]:
    """Return the form's values for a stored consultation."""
    questions = []
    for question in consultation.questions:
        params = dict(question.params)
        costs = params.pop("costs", {}) or {}
        lines = []
        for option in question.options:
            cost = f" | {costs[option.key]}" if option.key in costs else ""
            lines.append(f"{option.key} | {option.label}{cost}")
        questions.append(
            {
                "key": question.key,
                "text": question.text,
                "method": question.method,
                "params": "\n".join(
                    f"{name} = {json.dumps(value, ensure_ascii=False)}"
                    for name, value in params.items()
                ),
                "options": "" if question.method == "yes_no" else "\n".join(lines),
            }
        )
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "description": consultation.description,
        "summary_easy": consultation.summary_easy,
        "kind": consultation.kind,
        "opens_at": _local(consultation.opens_at),
        "closes_at": _local(consultation.closes_at),
        "min_age": consultation.min_age,
        "districts": "\n".join(consultation.districts),
        "questions": questions,
    }


def flat_errors(form: ConsultationForm) -> list[tuple[str, str, str]]:
    """Return (field id, label, problem) for every error, questions included, in form order."""
    found = []
    for field in form:
        if field.name == "questions":
            for entry in field:
                for sub in entry.form:
                    found += [(sub.id, str(sub.label.text), e) for e in sub.errors]
        elif field.errors and isinstance(field.errors, list):
            found += [(field.id, str(field.label.text), str(e)) for e in field.errors]
    return found
