"""Casting a ballot: the participation mark and the ballot in one transaction."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ballots.canonical import canonical_json
from ballots.content import BallotError, build_content
from ballots.definition import find_definition
from ballots.log import append_leaf, lock_log, store_tree_head
from ballots.merkle import leaf_hash
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.receipts import Signer, issued_hour, sign_receipt
from voting.codes import ALPHABET, CodeFormatError, CodeTypoError, format_code, normalise_code
from voting.db import begin_write
from voting.models import Voter
from voting.pseudonyms import code_hash


class CastRefused(Exception):
    """A ballot that is not accepted; nothing was stored.

    ``reason`` is one of "not_open", "code_format", "code_typo", "unknown_code",
    "already_voted", "ballot_invalid"; ``error`` holds the BallotError where one applies.
    A resident's ballot (by register reference) may also be refused as "not_in_electorate".
    """

    def __init__(self, reason: str, error: BallotError | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


@dataclass(frozen=True)
class CastBallot:
    """A ballot written in the open transaction; its receipt may be handed out once committed."""

    consultation: str
    tracking_code: str
    content: dict[str, Any]
    receipt: dict[str, Any]

    @property
    def leaf_hash(self) -> str:
        """Return the hex hash of the ballot's leaf in the log."""
        return str(self.receipt["leaf_hash"])


def new_tracking_code() -> str:
    """Return a random public tracking code (60 bits, e.g. ``T4KM-8ZQX-3NPA``)."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(12)))


def ballot_entry(consultation: str, tracking_code: str, content: Mapping[str, Any]) -> bytes:
    """Return the bytes of a ballot's log entry, which its leaf hash covers."""
    return canonical_json(
        {"consultation": consultation, "tracking_code": tracking_code, "content": content}
    )


_voters = Voter.__table__
_VOTER_BY_CODE_HASH = select(_voters.c.id, _voters.c.district).where(
    _voters.c.consultation_id == bindparam("cid"), _voters.c.code_hash == bindparam("code_hash")
)
_VOTER_BY_REF = select(_voters.c.id, _voters.c.district).where(
    _voters.c.consultation_id == bindparam("cid"), _voters.c.ref == bindparam("ref")
)


def find_voter_by_code(
    *, session: Session, consultation_id: int, code: str, pseudonym_key: str
) -> Row[Any]:
    """Return the id and district of the voter holding this polling code; else refuse."""
    try:
        normalised = normalise_code(code)
    except CodeTypoError:
        raise CastRefused("code_typo") from None
    except CodeFormatError:
        raise CastRefused("code_format") from None
    voter = (
        session.connection()
        .execute(
            _VOTER_BY_CODE_HASH,
            {"cid": consultation_id, "code_hash": code_hash(pseudonym_key, normalised)},
        )
        .first()
    )
    if voter is None:
        raise CastRefused("unknown_code")
    return voter


def find_voter_by_reference(
    *, session: Session, consultation_id: int, register_ref: str
) -> Row[Any]:
    """Return the id and district of the voter with this register reference; else refuse."""
    voter = (
        session.connection()
        .execute(_VOTER_BY_REF, {"cid": consultation_id, "ref": register_ref})
        .first()
    )
    if voter is None:
        raise CastRefused("not_in_electorate")
    return voter


def cast_resident_ballot(
    *,
    session: Session,
    consultation_id: int,
    register_ref: str,
    answers: Mapping[str, Any],
    signer: Signer,
    now: datetime,
) -> CastBallot:
    """Cast the ballot of a verified resident, who is found by register reference, not code.

    The same participation mark as a polling card's keeps the person to one vote.
    """
    return cast_ballot(
        session=session,
        consultation_id=consultation_id,
        code="",
        answers=answers,
        pseudonym_key="",
        signer=signer,
        now=now,
        register_ref=register_ref,
    )


def cast_ballot(
    *,
    session: Session,
    consultation_id: int,
    code: str,
    answers: Mapping[str, Any],
    pseudonym_key: str,
    signer: Signer,
    now: datetime,
    register_ref: str | None = None,
) -> CastBallot:
    """Mark the voter, store the ballot unlinked, append it to the log and sign the receipt.

    The voter is the holder of ``code`` or, where ``register_ref`` is given, the
    verified resident with that register reference (see cast_resident_ballot).

    Flushes, does not commit: the caller commits and hands out the receipt only
    then, and must treat an IntegrityError as "already voted" (the unique
    participation mark keeps a second ballot out even if two requests race).
    """
    begin_write(session)
    consultation = find_definition(session=session, consultation_id=consultation_id)
    if consultation is None or not consultation.is_open:
        raise CastRefused("not_open")
    if register_ref is None:
        voter = find_voter_by_code(
            session=session, consultation_id=consultation_id, code=code, pseudonym_key=pseudonym_key
        )
    else:
        voter = find_voter_by_reference(
            session=session, consultation_id=consultation_id, register_ref=register_ref
        )
    # Casts queue here, so a racing second request with this code sees the first one's mark.
    lock_log(session=session, consultation_id=consultation_id)
    # Plain rows on the session's connection, no ORM objects: this runs for every vote.
    connection = session.connection()
    mark = {"consultation_id": consultation_id, "voter_id": voter.id}
    if connection.execute(_HAS_MARK, mark).first() is not None:
        raise CastRefused("already_voted")
    try:
        content = build_content(consultation.ballot_questions, answers)
    except BallotError as exc:
        raise CastRefused("ballot_invalid", exc) from None

    tracking_code = new_tracking_code()
    leaf = leaf_hash(ballot_entry(consultation.slug, tracking_code, content))
    appended = append_leaf(session=session, consultation_id=consultation_id, leaf_hash=leaf)
    connection.execute(_INSERT_MARK, mark)
    connection.execute(
        _INSERT_BALLOT,
        {
            "consultation_id": consultation_id,
            "tracking_code": tracking_code,
            "content": canonical_json(content).decode("utf-8"),
            "district": voter.district,
            "leaf_index": appended.leaf_index,
            "leaf_hash": leaf.hex(),
        },
    )
    receipt = sign_receipt(
        {
            "consultation": consultation.slug,
            "tracking_code": tracking_code,
            "leaf_index": appended.leaf_index,
            "leaf_hash": leaf.hex(),
            "tree_size": appended.tree_size,
            "root_hash": appended.root_hash.hex(),
            "issued_at": issued_hour(now),
        },
        signer,
    )
    store_tree_head(session=session, consultation_id=consultation_id, head=receipt)
    _count_turnout(connection, consultation_id, now)
    return CastBallot(
        consultation=consultation.slug,
        tracking_code=tracking_code,
        content=content,
        receipt=receipt,
    )


_marks = Participation.__table__
_HAS_MARK = select(_marks.c.voter_id).where(
    _marks.c.consultation_id == bindparam("consultation_id"),
    _marks.c.voter_id == bindparam("voter_id"),
)
_INSERT_MARK = insert(_marks)
_INSERT_BALLOT = insert(Ballot.__table__)


def _turnout_upsert(dialect: str) -> Any:
    """Return the statement that adds one to an hour's turnout counter, creating it if needed."""
    upsert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if upsert is None:
        raise RuntimeError(f"turnout counters need PostgreSQL or SQLite, not {dialect}")
    table = TurnoutCounter.__table__
    return upsert(table).on_conflict_do_update(
        index_elements=["consultation_id", "hour"], set_={"ballots": table.c.ballots + 1}
    )


# Built once per dialect and run on the Core connection: the ORM's bulk-insert path and a
# new statement per cast cost seven times as much as the upsert itself.
_TURNOUT_UPSERTS = {dialect: _turnout_upsert(dialect) for dialect in ("postgresql", "sqlite")}


def _count_turnout(connection: Connection, consultation_id: int, now: datetime) -> None:
    """Add one to this hour's turnout counter, creating it if needed."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    dialect = connection.dialect.name
    statement = (
        _TURNOUT_UPSERTS[dialect] if dialect in _TURNOUT_UPSERTS else _turnout_upsert(dialect)
    )
    connection.execute(statement, {"consultation_id": consultation_id, "hour": hour, "ballots": 1})
