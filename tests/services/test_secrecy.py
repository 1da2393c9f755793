"""Ballot secrecy: nothing in the database links a participation mark to its ballot."""

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, inspect, select, text
from sqlmodel import Session

from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.receipts import Signer
from ballots.traces import erase_cast_order, erase_traces
from results.services import count_consultation
from tests.conftest import (
    PSEUDONYM_KEY,
    OpenConsultation,
    cast_code,
    close_voting,
    make_open_consultation,
)
from voting.core.codes import normalise_code
from voting.core.models import Consultation, Voter
from voting.core.pseudonyms import code_hash

ANSWERS = {"brunnen": "yes", "nutzung": "garten", "projekte": ["licht"]}


def test_no_column_or_key_joins_a_mark_to_a_ballot(session):
    schema = inspect(session.get_bind())
    marks = {c["name"]: c for c in schema.get_columns("participation")}
    assert set(marks) == {"consultation_id", "voter_id"}
    assert schema.get_pk_constraint("participation")["constrained_columns"] == [
        "consultation_id",
        "voter_id",
    ]
    ballots = {c["name"]: c for c in schema.get_columns("ballot")}
    assert set(ballots) == {
        "id",
        "consultation_id",
        "tracking_code",
        "channel",
        "content",
        "salt",
        "district",
        "leaf_index",
        "leaf_hash",
    }
    # No time of any kind on either side, so no shared timestamp.
    for column in [*marks.values(), *ballots.values()]:
        assert not isinstance(column["type"], DateTime), column["name"]
    assert [fk["referred_table"] for fk in schema.get_foreign_keys("ballot")] == ["consultation"]
    assert sorted(fk["referred_table"] for fk in schema.get_foreign_keys("participation")) == [
        "consultation",
        "voter",
    ]
    # Nothing anywhere refers to a ballot, and no log table refers to a voter.
    for table in schema.get_table_names():
        referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert "ballot" not in referred and "participation" not in referred, table
        if table in ("ballot", "log_state", "tree_head", "turnout_counter"):
            assert "voter" not in referred, table


def stored_order(session, voter_of_code):  # type: ignore[no-untyped-def]
    """Return the marks as a dump reads them: in storage order, without ORDER BY."""
    rows = session.execute(text("SELECT voter_id FROM participation")).scalars()
    return [voter_of_code[voter] for voter in rows]


def cast_in_order(
    session: Session,
    signer: Signer,
    consultation: OpenConsultation,
    order: list[int],
    time_of: Callable[[int], datetime],
) -> None:
    """Cast and commit the ballot of code ``order[step]`` at ``time_of(step)``, step by step."""
    for step, position in enumerate(order):
        cast_code(
            session, consultation.id, consultation.codes[position], signer, ANSWERS, time_of(step)
        )
        session.commit()


def test_the_order_of_the_log_says_nothing_about_the_order_of_the_marks(session, signer):
    consultation = make_open_consultation(session, voters=12)
    order = list(range(12))
    random.Random(7).shuffle(order)
    now = datetime(2027, 3, 2, 17, 59, tzinfo=UTC)
    cast_in_order(session, signer, consultation, order, lambda step: now + timedelta(minutes=step))
    voter_of_code = {
        session.execute(
            select(Voter.id).where(Voter.code_hash == code_hash(PSEUDONYM_KEY, normalise_code(c)))
        ).scalar_one(): i
        for i, c in enumerate(consultation.codes)
    }
    leaves = session.execute(select(Ballot.leaf_index).order_by(Ballot.id)).scalars().all()
    assert leaves == list(range(12)) and order != sorted(order)
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        # WITHOUT ROWID: SQLite keeps the marks in voter order from the start.
        assert stored_order(session, voter_of_code) == sorted(order)

    assert erase_cast_order(session=session, consultation_id=consultation.id) == 12
    session.commit()
    assert stored_order(session, voter_of_code) == sorted(order)
    if postgres:
        # Each mark was inserted in its ballot's transaction; after the rewrite every mark
        # and every ballot carry one and the same transaction id.
        marks = set(session.execute(text("SELECT xmin::text FROM participation")).scalars())
        ballots = set(session.execute(text("SELECT xmin::text FROM ballot")).scalars())
        assert len(marks) == 1 and marks == ballots

    # Turnout over time exists only as hourly counters: 17:59 and 18:10 fall into two hours.
    counters = session.execute(select(TurnoutCounter.hour, TurnoutCounter.ballots)).all()
    assert sorted(counters) == [
        (datetime(2027, 3, 2, 17, tzinfo=UTC), 1),
        (datetime(2027, 3, 2, 18, tzinfo=UTC), 11),
    ]
    assert len(session.execute(select(Participation)).all()) == 12


def test_after_the_count_storage_keeps_no_trace_of_the_order_of_voting(session, signer):
    consultation = make_open_consultation(session, voters=8)
    order = [5, 2, 7, 0, 3, 6, 1, 4]
    cast_in_order(
        session, signer, consultation, order, lambda _: datetime(2027, 3, 2, 17, tzinfo=UTC)
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # During voting each mark shares its transaction id with exactly one ballot.
        marks_xmin = session.execute(text("SELECT xmin::text FROM participation")).scalars()
        ballots_xmin = session.execute(text("SELECT xmin::text FROM ballot")).scalars()
        assert len(set(marks_xmin) & set(ballots_xmin)) == 8

    item = session.get(Consultation, consultation.id)
    close_voting(session, item, "test")
    session.commit()

    def assert_no_trace() -> None:
        stored = session.execute(text("SELECT voter_id FROM participation")).scalars().all()
        assert stored == sorted(stored) and len(stored) == 8
        if postgres:
            # One rewrite stamped every mark and every ballot alike.
            marks = set(session.execute(text("SELECT xmin::text FROM participation")).scalars())
            ballots = set(session.execute(text("SELECT xmin::text FROM ballot")).scalars())
            assert len(marks) == 1 and marks == ballots
        session.rollback()

    # What every way of closing runs once the close is committed.
    assert erase_traces(engine=session.get_bind().engine, consultation_id=item.id)
    assert_no_trace()
    # Counting erases again before it counts, in case that failed.
    count_consultation(session=session, consultation=item, actor="test")
    session.commit()
    assert_no_trace()
    # The count still sees every ballot.
    assert session.execute(
        select(Ballot.leaf_index).order_by(Ballot.leaf_index)
    ).scalars().all() == list(range(8))
