"""Consultations from JSON, their lifecycle and its audit trail."""

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from results.methods import METHODS
from tests.conftest import KNOWN_METHODS, register_rows, spec_data
from voting.consultations.services import load_consultation, parse_spec
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
        pseudonym_key="k",
        write_letter=lambda letter: None,
        actor="anna",
    )
    transition(session=session, consultation=consultation, action="open", actor="anna")
    transition(session=session, consultation=consultation, action="close", actor="ben")
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
