"""Casting: one person one vote, and nothing links a ballot to its voter."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ballots.canonical import canonical_json
from ballots.commitment import ballot_entry
from ballots.merkle import leaf_hash
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.refusals import CastRefused
from tests.conftest import cast_code
from voting.core.codes import generate_code

ANSWERS = {"brunnen": "no", "nutzung": "spielplatz", "projekte": ["baenke"]}
NOW = datetime(2026, 11, 24, 13, 47, tzinfo=UTC)


def cast(session, consultation, code, signer, answers=ANSWERS):  # type: ignore[no-untyped-def]
    return cast_code(session, consultation.id, code, signer, answers, NOW)


def test_cast_writes_mark_ballot_and_hourly_counter(session, signer, open_consultation):
    cast_result = cast(session, open_consultation, open_consultation.codes[0], signer)
    session.commit()
    ballot = session.exec(select(Ballot)).one()
    assert ballot.tracking_code == cast_result.tracking_code
    entry = ballot_entry(
        open_consultation.slug, ballot.tracking_code, cast_result.content, ballot.salt
    )
    assert cast_result.leaf_hash == leaf_hash(entry).hex()
    # Each ballot gets its own 256-bit salt.
    assert ballot.salt is not None and len(bytes.fromhex(ballot.salt)) == 32
    assert ballot.content == canonical_json(cast_result.content).decode()
    assert len(session.exec(select(Participation)).all()) == 1
    counter = session.exec(select(TurnoutCounter)).one()
    assert (counter.hour, counter.ballots) == (datetime(2026, 11, 24, 13, tzinfo=UTC), 1)
    cast(session, open_consultation, open_consultation.codes[1], signer)
    session.commit()
    session.refresh(counter)
    assert counter.ballots == 2


def test_the_same_code_votes_once(session, signer, open_consultation):
    cast(session, open_consultation, open_consultation.codes[0], signer)
    session.commit()
    with pytest.raises(CastRefused) as refused:
        cast(session, open_consultation, open_consultation.codes[0], signer)
    assert refused.value.reason == "already_voted"


def test_the_database_itself_refuses_a_second_mark(session, signer, open_consultation):
    cast(session, open_consultation, open_consultation.codes[0], signer)
    session.commit()
    mark = session.exec(select(Participation)).one()
    with pytest.raises(IntegrityError):
        session.execute(
            insert(Participation).values(
                consultation_id=mark.consultation_id, voter_id=mark.voter_id
            )
        )
    session.rollback()


@pytest.mark.parametrize(
    ("code", "reason"),
    [("nonsense", "code_format"), (generate_code(), "unknown_code")],
)
def test_wrong_codes_store_nothing(session, signer, open_consultation, code, reason):
    with pytest.raises(CastRefused) as refused:
        cast(session, open_consultation, code, signer)
    assert refused.value.reason == reason
    session.rollback()
    assert session.exec(select(Ballot)).all() == []
    assert session.exec(select(Participation)).all() == []
