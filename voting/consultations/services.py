"""Defining consultations from JSON (the editor and `consultations load`)."""

from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlmodel import Session

from ballots.content import METHOD_SHAPES
from results.methods import METHODS
from results.methods.params import ParamError, check_params
from voting.consultations.problems import Location, SpecError, SpecProblem
from voting.core.audit import record_event
from voting.core.lifecycle import BERLIN, find_consultation
from voting.core.models import Consultation, Kind, Option, Question, Status

YES_NO_OPTIONS = (("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung"))
# A question can be used when ballots can be cast for it and counted.
KNOWN_METHODS = frozenset(METHOD_SHAPES) & frozenset(METHODS)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Where below the model that checks it a rule's problem lies, kept in the error's context.
_BELOW = "below"


def _broken(code: str, message: str, *, below: Location, **params: Any) -> PydanticCustomError:
    """Return the error for one of our rules: its code, English wording, place and details."""
    return PydanticCustomError(code, message, {**params, _BELOW: below})


def _first_repeated(keys: list[str]) -> int | None:
    """Return the position of the first key that stands earlier in the list too, if any."""
    seen: set[str] = set()
    for position, key in enumerate(keys):
        if key in seen:
            return position
        seen.add(key)
    return None


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionSpec(_Spec):
    key: Key
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class QuestionSpec(_Spec):
    key: Key
    text: Text
    method: str
    params: dict[str, Any] = Field(default_factory=dict)
    options: list[OptionSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_options(self) -> "QuestionSpec":
        if self.method == "yes_no":
            if self.options:
                raise _broken(
                    "fixed_options",
                    "yes_no questions have the fixed options yes, no, abstain",
                    below=("options",),
                )
            return self
        if len(self.options) < 2:
            raise _broken(
                "too_few_options", "a question needs at least two options", below=("options",)
            )
        repeated = _first_repeated([option.key for option in self.options])
        if repeated is not None:
            raise _broken(
                "duplicate_option_key",
                "option keys must be unique within a question",
                below=("options", repeated, "key"),
                key=self.options[repeated].key,
            )
        # Method parameters are checked in parse_spec, by the counting methods' own rules.
        return self


class PeriodSpec(_Spec):
    opens_at: datetime
    closes_at: datetime

    @model_validator(mode="after")
    def _check_order(self) -> "PeriodSpec":
        # A time without offset is local time in the city.
        self.opens_at = _aware(self.opens_at)
        self.closes_at = _aware(self.closes_at)
        if self.closes_at <= self.opens_at:
            raise _broken(
                "closes_before_opens", "closes_at must be after opens_at", below=("closes_at",)
            )
        return self


class EligibilitySpec(_Spec):
    min_age: int = Field(default=18, ge=0, le=120)
    districts: list[str] = Field(default_factory=list)


class ConsultationSpec(_Spec):
    """The JSON format of a consultation, as loaded by `flask consultations load`."""

    slug: Key
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: str = ""
    summary_easy: str = ""  # Leichte Sprache
    kind: Literal["advisory", "binding"] = Kind.ADVISORY.value
    period: PeriodSpec
    eligibility: EligibilitySpec = Field(default_factory=EligibilitySpec)
    questions: list[QuestionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_questions(self) -> "ConsultationSpec":
        repeated = _first_repeated([question.key for question in self.questions])
        if repeated is not None:
            raise _broken(
                "duplicate_question_key",
                "question keys must be unique",
                below=("questions", repeated, "key"),
                key=self.questions[repeated].key,
            )
        return self


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


def _problem(error: ErrorDetails) -> SpecProblem:
    params = dict(error.get("ctx") or {})
    below = params.pop(_BELOW, ())
    return SpecProblem((*error["loc"], *below), error["type"], params, error["msg"])


def parse_spec(data: Any, *, known_methods: Collection[str] = KNOWN_METHODS) -> ConsultationSpec:
    """Validate a consultation definition; raise SpecError with every problem found."""
    try:
        spec = ConsultationSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_problem(error) for error in exc.errors(include_url=False)) from exc
    problems = []
    for index, question in enumerate(spec.questions):
        if question.method not in known_methods:
            known = ", ".join(sorted(known_methods))
            problems.append(
                SpecProblem(
                    ("questions", index, "method"),
                    "unknown_method",
                    {"method": question.method, "known": known},
                    f"unknown method {question.method!r}; known: {known}",
                )
            )
            continue
        options = (
            [key for key, _ in YES_NO_OPTIONS]
            if question.method == "yes_no"
            else [o.key for o in question.options]
        )
        try:
            check_params(question.method, options, question.params)
        except ParamError as exc:
            location = ("questions", index, *exc.location)
            problems.append(SpecProblem(location, exc.code, exc.params, exc.message))
    if problems:
        raise SpecError(problems)
    return spec


def spec_of(consultation: Consultation) -> dict[str, Any]:
    """Return a stored consultation in the JSON format it was loaded from."""
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "description": consultation.description,
        "summary_easy": consultation.summary_easy,
        "kind": consultation.kind,
        "period": {
            "opens_at": consultation.opens_at.isoformat(),
            "closes_at": consultation.closes_at.isoformat(),
        },
        "eligibility": {"min_age": consultation.min_age, "districts": consultation.districts},
        "questions": [
            {
                "key": question.key,
                "text": question.text,
                "method": question.method,
                "params": question.params,
                "options": []
                if question.method == "yes_no"
                else [{"key": o.key, "label": o.label} for o in question.options],
            }
            for question in consultation.questions
        ],
    }


def _questions(spec: ConsultationSpec) -> list[Question]:
    questions = []
    for position, question in enumerate(spec.questions):
        options = (
            [OptionSpec(key=key, label=label) for key, label in YES_NO_OPTIONS]
            if question.method == "yes_no"
            else question.options
        )
        questions.append(
            Question(
                position=position,
                key=question.key,
                text=question.text,
                method=question.method,
                params=question.params,
                options=[
                    Option(position=i, key=option.key, label=option.label)
                    for i, option in enumerate(options)
                ],
            )
        )
    return questions


def load_consultation(
    *, session: Session, spec: ConsultationSpec, actor: str
) -> tuple[Consultation, str]:
    """Create or update a consultation from its definition; return it and what happened.

    Loading the same definition again changes nothing. A draft is replaced by the
    new definition; from "scheduled" on, questions are frozen and a different
    definition is refused.
    """
    fields = {
        "title": spec.title,
        "description": spec.description,
        "summary_easy": spec.summary_easy,
        "kind": spec.kind,
        "opens_at": spec.period.opens_at,
        "closes_at": spec.period.closes_at,
        "min_age": spec.eligibility.min_age,
        "districts": spec.eligibility.districts,
    }
    consultation = find_consultation(session=session, slug=spec.slug)
    if consultation is None:
        consultation = Consultation(slug=spec.slug, questions=_questions(spec), **fields)
        session.add(consultation)
        session.flush()
        record_event(
            session=session,
            actor=actor,
            action="consultation.created",
            consultation_id=consultation.id,
        )
        return consultation, "created"
    stored = ConsultationSpec.model_validate(spec_of(consultation))
    if stored == spec:
        return consultation, "unchanged"
    if consultation.status != Status.DRAFT:
        raise SpecError.of(
            (),
            "definition_frozen",
            f"{spec.slug} is {consultation.status}: its definition is frozen since scheduling",
        )
    for name, value in fields.items():
        setattr(consultation, name, value)
    consultation.questions.clear()
    session.flush()
    consultation.questions.extend(_questions(spec))
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="consultation.updated",
        consultation_id=consultation.id,
    )
    return consultation, "updated"
