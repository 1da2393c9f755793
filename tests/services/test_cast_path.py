"""The cast path reads a consultation's questions from memory and writes plain rows."""

import dataclasses
import sqlite3
from contextlib import nullcontext
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, func, select

from ballots.definition import find_definition
from ballots.log import lock_log, tree_heads
from ballots.models import Ballot, Participation
from ballots.services import (
    _INSERT_BALLOT,
    CastRefused,
    PreparedBallot,
    cast_ballot,
    keep_receipt,
    prepare_ballot,
    record_ballot,
)
from tests.conftest import KNOWN_METHODS, PSEUDONYM_KEY, cast_code, spec_data
from voting.consultations.services import load_consultation, parse_spec
from voting.core.db import DriverStatement, committing, pipelined, release_locks, writes_follow
from voting.core.lifecycle import transition
from voting.core.models import Consultation
from voting.web.db import EXTENSION_KEY

ANSWERS = {"brunnen": "yes", "nutzung": "spielplatz", "projekte": ["baenke"]}
NOW = datetime(2026, 11, 24, 13, 47, tzinfo=UTC)


def prepared(session: Session, consultation_id: int, code: str) -> PreparedBallot:
    """Return the ballot of ``code`` with ANSWERS, prepared (read only) for recording."""
    definition = find_definition(session=session, consultation_id=consultation_id)
    assert definition is not None
    return prepare_ballot(
        consultation=definition,
        code=code,
        answers=ANSWERS,
        pseudonym_key=PSEUDONYM_KEY,
    )


def test_closing_stops_votes_at_once_though_the_questions_come_from_memory(
    session, signer, open_consultation
):
    cast = {"session": session, "pseudonym_key": PSEUDONYM_KEY, "signer": signer, "now": NOW}
    codes = open_consultation.codes
    cast_ballot(consultation_id=open_consultation.id, code=codes[0], answers=ANSWERS, **cast)
    session.commit()
    before = find_definition(session=session, consultation_id=open_consultation.id)
    consultation = session.get(Consultation, open_consultation.id)
    transition(session=session, consultation=consultation, action="close", actor="test")
    session.commit()
    after = find_definition(session=session, slug=open_consultation.slug)
    assert before is not None and after is not None
    assert after.questions is before.questions  # read once per process
    assert before.is_open and not after.is_open
    with pytest.raises(CastRefused) as refused:
        cast_ballot(consultation_id=open_consultation.id, code=codes[1], answers=ANSWERS, **cast)
    assert refused.value.reason == "not_open"


def test_a_ballot_prepared_while_open_is_refused_once_voting_closed(
    session, signer, open_consultation
):
    ballot = prepared(session, open_consultation.id, open_consultation.codes[0])
    consultation = session.get(Consultation, open_consultation.id)
    transition(session=session, consultation=consultation, action="close", actor="test")
    session.commit()
    with pytest.raises(CastRefused) as refused:
        record_ballot(session=session, ballot=ballot, signer=signer, now=NOW)
    assert refused.value.reason == "not_open"


def test_a_second_ballot_with_the_same_code_is_refused_where_the_mark_is_written(
    session, signer, open_consultation
):
    # Both prepared before either is recorded, as two racing requests would be.
    first = prepared(session, open_consultation.id, open_consultation.codes[0])
    second = prepared(session, open_consultation.id, open_consultation.codes[0])
    record_ballot(session=session, ballot=first, signer=signer, now=NOW)
    session.commit()
    with pytest.raises(CastRefused) as refused:
        record_ballot(session=session, ballot=second, signer=signer, now=NOW)
    assert refused.value.reason == "already_voted"
    session.rollback()
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 1


def test_a_draft_is_read_afresh_every_time(session):
    spec = parse_spec(spec_data("entwurf"), known_methods=KNOWN_METHODS)
    draft, _ = load_consultation(session=session, spec=spec, actor="test")
    session.commit()
    assert find_definition(session=session, slug="entwurf").title == spec.title
    changed = parse_spec(spec_data("entwurf", title="Neuer Titel"), known_methods=KNOWN_METHODS)
    load_consultation(session=session, spec=changed, actor="test")
    session.commit()
    assert find_definition(session=session, slug="entwurf").title == "Neuer Titel"
    assert find_definition(session=session, slug="gibt-es-nicht") is None


@pytest.mark.parametrize("in_pipeline", [False, True], ids=["alone", "pipelined"])
def test_driver_statements_raise_sqlalchemy_errors(session, signer, open_consultation, in_pipeline):
    cast = cast_code(
        session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS, NOW
    )
    session.commit()
    duplicate = {
        "consultation_id": open_consultation.id,
        "tracking_code": cast.tracking_code,  # unique
        "content": "{}",
        "district": "",
        "leaf_index": 99,
        "leaf_hash": "00" * 32,
    }
    statement = DriverStatement(insert(Ballot.__table__))
    connection = session.connection()
    # Pipelined on PostgreSQL, the insert is only sent; its error arrives as the block ends.
    with pytest.raises(IntegrityError), pipelined(connection) if in_pipeline else nullcontext():
        statement.execute(connection, duplicate)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 1


def test_a_vote_after_an_error_in_a_pipeline_is_recorded(session, signer, open_consultation):
    connection = session.connection()
    with pytest.raises(IntegrityError), pipelined(connection):
        DriverStatement(insert(Ballot.__table__)).execute(
            connection,
            {"consultation_id": open_consultation.id},  # content missing
        )
    session.rollback()
    cast = cast_code(
        session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS, NOW
    )
    session.commit()
    assert cast.receipt["tree_size"] == 1
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 1


def test_on_sqlite_a_vote_holds_the_write_lock_for_its_writes_alone(
    session, signer, open_consultation
):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the write lock taken at BEGIN IMMEDIATE is SQLite's")
    other = sqlite3.connect(session.get_bind().url.database, timeout=0, isolation_level=None)
    ballot = prepared(session, open_consultation.id, open_consultation.codes[0])
    other.execute("BEGIN IMMEDIATE")  # while the vote only reads, others may write
    other.execute("ROLLBACK")
    writes_follow(session)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    cast = record_ballot(session=session, ballot=ballot, signer=signer, now=NOW)
    session.commit()
    other.execute("BEGIN IMMEDIATE")  # released with the commit
    other.execute("ROLLBACK")
    assert other.execute("SELECT tracking_code FROM ballot").fetchall() == [(cast.tracking_code,)]
    other.close()


def test_a_vote_committed_with_its_writes_is_stored_and_a_refused_one_is_not(
    app, session, signer, open_consultation
):
    first = prepared(session, open_consultation.id, open_consultation.codes[0])
    again = prepared(session, open_consultation.id, open_consultation.codes[0])
    with committing(session):
        cast = record_ballot(session=session, ballot=first, signer=signer, now=NOW)
    with Session(app.extensions[EXTENSION_KEY]) as other:  # committed: others see it
        assert other.exec(select(Ballot.tracking_code)).all() == [cast.tracking_code]
    with pytest.raises(CastRefused), committing(session):
        record_ballot(session=session, ballot=again, signer=signer, now=NOW)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 1
    assert session.exec(select(func.count()).select_from(Participation)).one() == 1


def test_on_postgresql_the_next_cast_may_append_before_a_receipt_is_durable(
    app, session, signer, open_consultation
):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("committing without waiting for the disk is PostgreSQL's")
    first = prepared(session, open_consultation.id, open_consultation.codes[0])
    engine = app.extensions[EXTENSION_KEY]
    with committing(session):
        cast = record_ballot(session=session, ballot=first, signer=signer, now=NOW)
        release_locks(session)
        # The receipt's transaction waits for the disk again, as every other commit does.
        driver_cursor = session.connection().connection.driver_connection.cursor()
        driver_cursor.execute("SHOW synchronous_commit")
        assert driver_cursor.fetchone() == ("on",)
        # Another cast locks the log at once, and sees the ballot; the receipt is not out.
        with engine.connect() as other:
            other.execute(text("SET lock_timeout = '2s'"))
            assert lock_log(session=Session(bind=other), consultation_id=first.consultation.id)
            assert other.execute(text("SELECT count(*) FROM ballot")).scalar_one() == 1
        keep_receipt(session=session, cast=cast)
    with Session(engine) as after:
        heads = tree_heads(session=after, consultation_id=open_consultation.id)
    assert heads == [cast.receipt]


def test_a_write_that_fails_before_the_log_is_released_commits_nothing_queued_after_it(
    session, signer, open_consultation
):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("committing without waiting for the disk is PostgreSQL's")
    ballot = prepared(session, open_consultation.id, open_consultation.codes[0])
    with pytest.raises(IntegrityError), committing(session):
        cast = record_ballot(session=session, ballot=ballot, signer=signer, now=NOW)
        # A second ballot with the same leaf index breaks the log's unique constraint.
        _INSERT_BALLOT.execute(
            session.connection(),
            {
                "consultation_id": open_consultation.id,
                "tracking_code": "T000-0000-0000",
                "content": "{}",
                "district": "",
                "leaf_index": 0,
                "leaf_hash": "00" * 32,
            },
        )
        release_locks(session)
        keep_receipt(session=session, cast=cast)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Ballot)).one() == 0
    assert session.exec(select(func.count()).select_from(Participation)).one() == 0


def test_on_postgresql_a_wrong_code_is_refused_without_waiting_for_the_log(
    app, session, signer, open_consultation
):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's write lock is one for the whole database")
    engine = app.extensions[EXTENSION_KEY]
    first = prepared(session, open_consultation.id, open_consultation.codes[0])
    record_ballot(session=session, ballot=first, signer=signer, now=NOW)
    session.commit()  # the log exists now
    wrong = dataclasses.replace(first, voter_key="0" * 64)
    with engine.connect() as other:  # a cast holding the log, as for a slow disk
        assert lock_log(session=Session(bind=other), consultation_id=open_consultation.id)
        session.connection().exec_driver_sql("SET lock_timeout = '2s'")
        with pytest.raises(CastRefused) as refused:
            record_ballot(session=session, ballot=wrong, signer=signer, now=NOW)
        assert refused.value.reason == "unknown_code"
        session.rollback()
        second = prepared(session, open_consultation.id, open_consultation.codes[1])
        session.connection().exec_driver_sql("SET lock_timeout = '100ms'")
        with pytest.raises(OperationalError, match="lock timeout"):  # a voter waits
            record_ballot(session=session, ballot=second, signer=signer, now=NOW)
    session.rollback()
