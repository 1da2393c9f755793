"""The one cast path: what it reads from memory, what it locks, and what one commit stores."""

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, func, select

from ballots.casting import PollingCode, cast_ballot
from ballots.definition import find_definition
from ballots.log import lock_log, tree_heads
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.refusals import CastRefused
from tests.conftest import PSEUDONYM_KEY, cast_code, close_voting, spec_data
from voting.consultations.services import load_consultation, parse_spec
from voting.core.codes import generate_code
from voting.core.db import begin_write
from voting.core.models import Consultation
from voting.web.db import EXTENSION_KEY

ANSWERS = {"brunnen": "yes", "nutzung": "spielplatz", "projekte": ["baenke"]}
NOW = datetime(2026, 11, 24, 13, 47, tzinfo=UTC)


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def close(session: Session, consultation_id: int) -> None:
    consultation = session.get(Consultation, consultation_id)
    close_voting(session, consultation, "test")
    session.commit()


def test_closing_stops_votes_at_once_though_the_questions_come_from_memory(
    session, signer, open_consultation
):
    codes = open_consultation.codes
    cast_code(session, open_consultation.id, codes[0], signer, ANSWERS, NOW)
    session.commit()
    before = find_definition(session=session, consultation_id=open_consultation.id)
    close(session, open_consultation.id)
    after = find_definition(session=session, slug=open_consultation.slug)
    assert before is not None and after is not None
    assert after.questions is before.questions  # read once per process
    assert before.is_open and not after.is_open
    with pytest.raises(CastRefused) as refused:
        cast_code(session, open_consultation.id, codes[1], signer, ANSWERS, NOW)
    assert refused.value.reason == "not_open"


def test_a_ballot_shown_while_open_is_refused_once_voting_closed(
    session, signer, open_consultation
):
    # The ballot page was read while open; the status is read again under the log's lock.
    shown = find_definition(session=session, consultation_id=open_consultation.id)
    close(session, open_consultation.id)
    begin_write(session)
    with pytest.raises(CastRefused) as refused:
        cast_ballot(
            session=session,
            consultation=shown,
            credential=PollingCode(open_consultation.codes[0]),
            answers=ANSWERS,
            pseudonym_key=PSEUDONYM_KEY,
            signer=signer,
            now=NOW,
        )
    assert refused.value.reason == "not_open"
    session.rollback()
    assert count(session, Participation) == 0


def test_a_draft_is_read_afresh_every_time(session):
    spec = parse_spec(spec_data("entwurf"))
    load_consultation(session=session, spec=spec, actor="test")
    session.commit()
    assert find_definition(session=session, slug="entwurf").title == spec.title
    changed = parse_spec(spec_data("entwurf", title="Neuer Titel"))
    load_consultation(session=session, spec=changed, actor="test")
    session.commit()
    assert find_definition(session=session, slug="entwurf").title == "Neuer Titel"
    assert find_definition(session=session, slug="gibt-es-nicht") is None


def test_one_commit_stores_mark_ballot_tree_head_and_turnout_and_a_refusal_stores_nothing(
    app, session, signer, open_consultation
):
    code = open_consultation.codes[0]
    cast = cast_code(session, open_consultation.id, code, signer, ANSWERS, NOW)
    with Session(app.extensions[EXTENSION_KEY]) as other:  # nothing is seen before the commit
        assert count(other, Ballot) == 0
    session.commit()
    with Session(app.extensions[EXTENSION_KEY]) as other:
        assert other.exec(select(Ballot.tracking_code)).all() == [cast.tracking_code]
        assert tree_heads(session=other, consultation_id=open_consultation.id) == [cast.receipt]
        assert (count(other, Participation), count(other, TurnoutCounter)) == (1, 1)
    with pytest.raises(CastRefused):
        cast_code(session, open_consultation.id, code, signer, ANSWERS, NOW)
    session.rollback()
    assert (count(session, Ballot), count(session, Participation)) == (1, 1)


def test_a_write_that_fails_after_the_ballot_leaves_neither_mark_nor_ballot(
    session, signer, open_consultation
):
    cast_code(session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS, NOW)
    with pytest.raises(IntegrityError):
        # A second ballot at the same leaf index breaks the log's unique constraint.
        session.execute(
            insert(Ballot).values(
                consultation_id=open_consultation.id,
                tracking_code="T000-0000-0000",
                content="{}",
                district="",
                leaf_index=0,
                leaf_hash="00" * 32,
            )
        )
        session.commit()
    session.rollback()
    assert (count(session, Ballot), count(session, Participation)) == (0, 0)


def test_an_acknowledged_vote_waits_for_the_disk(session, signer, open_consultation):
    cast_code(session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS, NOW)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
    else:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
    session.commit()


def test_on_sqlite_a_vote_holds_the_write_lock_until_its_commit(session, signer, open_consultation):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the write lock taken at BEGIN IMMEDIATE is SQLite's")
    other = sqlite3.connect(session.get_bind().url.database, timeout=0, isolation_level=None)
    cast = cast_code(session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    session.commit()
    other.execute("BEGIN IMMEDIATE")  # released with the commit
    other.execute("ROLLBACK")
    assert other.execute("SELECT tracking_code FROM ballot").fetchall() == [(cast.tracking_code,)]
    other.close()


def test_on_postgresql_a_wrong_code_is_refused_without_waiting_for_the_log(
    app, session, signer, open_consultation
):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's write lock is one for the whole database")
    engine = app.extensions[EXTENSION_KEY]
    cast_code(session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS, NOW)
    session.commit()  # the log exists now
    with engine.connect() as other:  # a cast holding the log, as for a slow disk
        assert lock_log(session=Session(bind=other), consultation_id=open_consultation.id)
        session.connection().exec_driver_sql("SET lock_timeout = '2s'")
        with pytest.raises(CastRefused) as refused:
            cast_code(session, open_consultation.id, generate_code(), signer, ANSWERS)
        assert refused.value.reason == "unknown_code"
        session.rollback()
        session.connection().exec_driver_sql("SET lock_timeout = '100ms'")
        with pytest.raises(OperationalError, match="lock timeout"):  # a voter waits
            cast_code(session, open_consultation.id, open_consultation.codes[1], signer, ANSWERS)
    session.rollback()
    assert count(session, Participation) == 1
    assert session.execute(text("SELECT count(*) FROM ballot")).scalar_one() == 1
