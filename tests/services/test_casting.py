"""Casting: one person one vote, and nothing links a ballot to its voter."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ballots.canonical import canonical_json
from ballots.merkle import leaf_hash
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.services import CastRefused, ballot_entry, cast_ballot
from tests.conftest import PSEUDONYM_KEY
from voting.codes import generate_code

ANSWERS = {"brunnen": "no", "nutzung": "spielplatz", "projekte": ["baenke"]}
NOW = datetime(2026, 11, 24, 13, 47, tzinfo=UTC)


def cast(session, consultation, code, answers=ANSWERS):  # type: ignore[no-untyped-def]
    return cast_ballot(
        session=session,
        consultation_id=consultation.id,
        code=code,
        answers=answers,
        pseudonym_key=PSEUDONYM_KEY,
        now=NOW,
    )


def test_cast_writes_mark_ballot_and_hourly_counter(session, open_consultation):
    cast_result = cast(session, open_consultation, open_consultation.codes[0])
    session.commit()
    ballot = session.exec(select(Ballot)).one()
    assert ballot.tracking_code == cast_result.tracking_code
    entry = ballot_entry(open_consultation.slug, ballot.tracking_code, cast_result.content)
    assert cast_result.leaf_hash == leaf_hash(entry).hex()
    assert ballot.content == canonical_json(cast_result.content).decode()
    assert len(session.exec(select(Participation)).all()) == 1
    counter = session.exec(select(TurnoutCounter)).one()
    assert (counter.hour, counter.ballots) == (datetime(2026, 11, 24, 13, tzinfo=UTC), 1)
    cast(session, open_consultation, open_consultation.codes[1])
    session.commit()
    session.refresh(counter)
    assert counter.ballots == 2


def test_the_same_code_votes_once(session, open_consultation):
    cast(session, open_consultation, open_consultation.codes[0])
    session.commit()
    with pytest.raises(CastRefused) as refused:
        cast(session, open_consultation, open_consultation.codes[0])
    assert refused.value.reason == "already_voted"


def test_the_database_itself_refuses_a_second_mark(session, open_consultation):
    cast(session, open_consultation, open_consultation.codes[0])
    session.commit()
    mark = session.exec(select(Participation)).one()
    with pytest.raises(IntegrityError):
        session.execute(
            insert(Participation).values(
                consultation_id=mark.consultation_id, voter_id=mark.voter_id
            )
        )
    session.rollback()


def test_nothing_links_a_ballot_to_a_voter(session):
    mark_columns = {c["name"] for c in inspect(session.get_bind()).get_columns("participation")}
    assert mark_columns == {"consultation_id", "voter_id"}
    ballot_columns = {c["name"] for c in inspect(session.get_bind()).get_columns("ballot")}
    assert ballot_columns == {"id", "consultation_id", "tracking_code", "content", "district"}
    foreign = inspect(session.get_bind()).get_foreign_keys("ballot")
    assert [fk["referred_table"] for fk in foreign] == ["consultation"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [("nonsense", "code_format"), (generate_code(), "unknown_code")],
)
def test_wrong_codes_store_nothing(session, open_consultation, code, reason):
    with pytest.raises(CastRefused) as refused:
        cast(session, open_consultation, code)
    assert refused.value.reason == reason
    session.rollback()
    assert session.exec(select(Ballot)).all() == []
    assert session.exec(select(Participation)).all() == []
