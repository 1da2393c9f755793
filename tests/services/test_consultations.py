"""Consultations from JSON, their lifecycle and its audit trail."""

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from results.methods import METHODS
from tests.conftest import KNOWN_METHODS, register_rows, spec_data
from voting.consultations.problems import SpecError, SpecProblem
from voting.consultations.services import load_consultation, parse_spec
from voting.consultations.spec_errors import problem_message
from voting.core.lifecycle import ConsultationError, transition
from voting.core.models import AuditEvent, Consultation, Status, utcnow
from voting.electorate.services import import_electorate


def load(session: Session, **overrides):  # type: ignore[no-untyped-def]
    spec = parse_spec(spec_data(**overrides), known_methods=KNOWN_METHODS)
    return load_consultation(session=session, spec=spec, actor="test")


def test_loading_twice_neither_fails_nor_duplicates(session):
    first, what = load(session)
    assert what == "created"
    assert [q.method for q in first.questions] == ["yes_no", "single", "approval"]
    assert first.questions[0].option_keys == ["yes", "no", "abstain"]
    data = spec_data()
    data["period"] = {
        "opens_at": first.opens_at.isoformat(),
        "closes_at": first.closes_at.isoformat(),
    }
    again, what = load_consultation(
        session=session, spec=parse_spec(data, known_methods=KNOWN_METHODS), actor="test"
    )
    assert what == "unchanged" and again.id == first.id
    assert len(session.exec(select(Consultation)).all()) == 1


def test_a_draft_is_replaced_but_a_scheduled_one_is_frozen(session):
    consultation, _ = load(session)
    updated, what = load(session, title="Neuer Titel")
    assert what == "updated" and updated.title == "Neuer Titel"
    assert len(updated.questions) == 3
    transition(session=session, consultation=consultation, action="schedule", actor="test")
    with pytest.raises(ConsultationError, match="frozen"):
        load(session, title="Noch ein Titel")
    session.refresh(consultation)
    assert consultation.title == "Neuer Titel"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"questions": []}, "questions"),
        ({"slug": "Mit Leerzeichen"}, "slug"),
        ({"kind": "egal"}, "kind"),
        (
            {"period": {"opens_at": "2027-01-02T00:00", "closes_at": "2027-01-01T00:00"}},
            "closes_at must be after opens_at",
        ),
        (
            {
                "questions": [
                    {
                        "key": "a",
                        "text": "?",
                        "method": "single",
                        "options": [{"key": "x", "label": "X"}],
                    }
                ]
            },
            "at least two options",
        ),
        (
            {
                "questions": [
                    {
                        "key": "a",
                        "text": "?",
                        "method": "borda_count",
                        "options": [{"key": "x", "label": "X"}, {"key": "y", "label": "Y"}],
                    }
                ]
            },
            "questions.0.method: unknown method",
        ),
    ],
)
def test_definition_errors_name_the_field(change, message):
    with pytest.raises(ConsultationError, match=message):
        parse_spec(spec_data(**change), known_methods=KNOWN_METHODS)


def test_local_times_are_read_as_berlin_time():
    data = spec_data(period={"opens_at": "2027-03-01T08:00", "closes_at": "2027-03-29T18:00"})
    spec = parse_spec(data, known_methods=KNOWN_METHODS)
    assert spec.period.opens_at.utcoffset() == timedelta(hours=1)


def test_lifecycle_steps_in_order_each_recorded(session):
    consultation, _ = load(session)
    with pytest.raises(ConsultationError, match="not scheduled"):
        transition(session=session, consultation=consultation, action="open", actor="anna")
    transition(session=session, consultation=consultation, action="schedule", actor="anna")
    with pytest.raises(ConsultationError, match="electorate is empty"):
        transition(session=session, consultation=consultation, action="open", actor="anna")
    import_electorate(
        session=session,
        consultation=consultation,
        rows=register_rows(2),
        min_district_voters=1,
        pseudonym_key="k",
        write_letter=lambda letter: None,
        actor="anna",
    )
    transition(session=session, consultation=consultation, action="open", actor="anna")
    transition(
        session=session,
        consultation=consultation,
        action="close",
        actor="ben",
        now=consultation.closes_at,
    )
    assert consultation.status == Status.CLOSED
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    steps = [(e.actor, e.action, e.details.get("after")) for e in events]
    assert steps == [
        ("test", "consultation.created", None),
        ("anna", "consultation.schedule", "scheduled"),
        ("anna", "electorate.imported", None),
        ("anna", "consultation.open", "open"),
        ("ben", "consultation.close", "closed"),
    ]
    assert all(e.at <= utcnow() for e in events)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            {"key": "wahl", "text": "Wer?", "method": "stv", "params": {"seats": 5}},
            "questions.0.params.seats: must be a whole number from 1 to 2",
        ),
        (
            {"key": "wahl", "text": "Wer?", "method": "pb_greedy", "params": {"budget": 100}},
            "questions.0.params.costs: pb_greedy needs this parameter",
        ),
        (
            {
                "key": "wahl",
                "text": "Wer?",
                "method": "pb_equal_shares",
                "params": {"budget": 100, "costs": {"x": 10, "y": 0, "z": 5}},
            },
            "questions.0.params.costs.y: must be a positive whole amount",
        ),
        (
            {"key": "wahl", "text": "Wer?", "method": "irv", "params": {"max_choices": 2}},
            "questions.0.params.max_choices: not a parameter of irv",
        ),
    ],
)
def test_method_parameters_are_checked_and_the_field_named(question, message):
    question["options"] = [{"key": k, "label": k.upper()} for k in ("x", "y", "z")]
    with pytest.raises(ConsultationError, match=re.escape(message)):
        parse_spec(spec_data(questions=[question]), known_methods=METHODS)


def _question(method: str, options: list[str], **fields: Any) -> dict[str, Any]:
    return {
        "key": "frage",
        "text": "Was?",
        "method": method,
        "options": [{"key": key, "label": key.upper()} for key in options],
        **fields,
    }


@pytest.mark.parametrize(
    ("change", "location", "code", "params"),
    [
        (
            {"questions": [_question("lottery", ["x", "y"])]},
            ("questions", 0, "method"),
            "unknown_method",
            {"method": "lottery", "known": ", ".join(sorted(KNOWN_METHODS))},
        ),
        (
            {"questions": [_question("pb_greedy", ["x", "y"], params={"costs": {"x": 1, "y": 2}})]},
            ("questions", 0, "params", "budget"),
            "missing_param",
            {"name": "budget", "method": "pb_greedy"},
        ),
        (
            {"questions": [_question("approval", ["x", "y"], params={"max_choices": 3})]},
            ("questions", 0, "params", "max_choices"),
            "whole_number_range",
            {"name": "max_choices", "low": 1, "high": 2},
        ),
        (
            {"period": {"opens_at": "2027-01-02T00:00", "closes_at": "2027-01-01T00:00"}},
            ("period", "closes_at"),
            "closes_before_opens",
            {},
        ),
        (
            {"questions": [_question("single", ["x", "y"]), _question("yes_no", [])]},
            ("questions", 1, "key"),
            "duplicate_question_key",
            {"key": "frage"},
        ),
        (
            {"questions": [_question("single", [])]},
            ("questions", 0, "options"),
            "too_few_options",
            {},
        ),
        (
            {"questions": [_question("single", ["x", "y", "x"])]},
            ("questions", 0, "options", 2, "key"),
            "duplicate_option_key",
            {"key": "x"},
        ),
        (
            {"questions": [_question("yes_no", ["x"])]},
            ("questions", 0, "options"),
            "fixed_options",
            {},
        ),
        ({"title": " "}, ("title",), "string_too_short", {"min_length": 1}),
    ],
)
def test_each_problem_names_its_place_kind_and_details(app, change, location, code, params):
    with pytest.raises(SpecError) as error:
        parse_spec(spec_data(**change), known_methods=KNOWN_METHODS)
    (problem,) = error.value.problems
    assert (problem.location, problem.code, dict(problem.params)) == (location, code, params)
    # The command line and the logs read the place and the English wording.
    assert str(error.value) == f"{'.'.join(map(str, location))}: {problem.message}"
    with app.test_request_context():
        # Each has words of its own, not the message for a problem nobody worded.
        assert problem_message(problem) != problem_message(replace(problem, code="?"))


def test_every_problem_found_is_listed():
    questions = [
        _question("lottery", ["x", "y"]),
        {**_question("stv", ["x", "y", "z"]), "key": "wahl"},
    ]
    with pytest.raises(SpecError) as error:
        parse_spec(spec_data(questions=questions), known_methods=KNOWN_METHODS)
    assert [p.location for p in error.value.problems] == [
        ("questions", 0, "method"),
        ("questions", 1, "params", "seats"),
    ]
    assert str(error.value).endswith("; questions.1.params.seats: stv needs this parameter")


def test_pydantic_problems_get_a_few_product_messages_and_a_fallback_naming_the_field(app):
    data = spec_data(title="", eligibility={"min_age": "alt"}, colour="grün")
    with pytest.raises(SpecError) as error:
        parse_spec(data, known_methods=KNOWN_METHODS)
    with app.test_request_context():
        shown = {problem.path: problem_message(problem) for problem in error.value.problems}
        unknown = SpecProblem(("questions", 0, "text"), "string_unicode", {}, "not unicode")
        fallback = problem_message(unknown)
    assert shown == {
        "title": "Dieses Feld darf nicht leer sein.",
        "eligibility.min_age": "Bitte geben Sie eine ganze Zahl ein.",
        "colour": "colour gehört nicht zur Festlegung einer Abstimmung.",
    }
    assert fallback == "Der Wert von questions.0.text kann nicht verwendet werden."


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
PLACES = [
    ("slug",),
    ("title",),
    ("kind",),
    ("period",),
    ("period", "opens_at"),
    ("eligibility", "min_age"),
    ("eligibility", "districts"),
    ("questions",),
    ("questions", 0),
    ("questions", 1, "key"),
    ("questions", 1, "method"),
    ("questions", 2, "params"),
    ("questions", 2, "options"),
    ("questions", 2, "options", 0, "key"),
    ("extra",),
]


def put(data: Any, place: tuple[str | int, ...], value: Any) -> None:
    """Set ``value`` at ``place`` in ``data`` where an earlier change left that place."""
    *parents, last = place
    for part in parents:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(data, dict):
        data[last] = value
    elif isinstance(data, list) and isinstance(last, int) and last < len(data):
        data[last] = value


@settings(max_examples=200, deadline=None)
@given(
    changes=st.lists(st.tuples(st.sampled_from(PLACES), json_values), max_size=3),
    method=st.sampled_from(sorted(METHODS)),
    params=st.dictionaries(
        st.sampled_from(["budget", "costs", "seats", "grades", "x"]), json_values
    ),
)
def test_junk_anywhere_is_refused_as_problems_with_a_place(changes, method, params):
    data = spec_data()
    data["questions"][2].update(method=method, params=params)
    for place, value in changes:
        put(data, place, value)
    try:
        parse_spec(data, known_methods=METHODS)
    except SpecError as error:
        assert error.problems
        assert all(isinstance(problem.location, tuple) for problem in error.problems)
