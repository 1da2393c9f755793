"""Casting a ballot: the participation mark and the ballot in one transaction."""

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, exists, insert, select
from sqlmodel import Session

from ballots.canonical import canonical_json
from ballots.content import BallotError, build_content
from ballots.definition import BallotDefinition, find_definition
from ballots.log import append_leaf, lock_log, lock_log_where, lock_statement, store_tree_head
from ballots.merkle import leaf_hash
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.receipts import Signer, issued_hour, sign_receipt
from voting.core.codes import ALPHABET, CodeFormatError, CodeTypoError, format_code, normalise_code
from voting.core.db import DriverStatement, begin_write, pipelined
from voting.core.models import Consultation, Voter
from voting.core.pseudonyms import code_hash


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
    consultation_id: int

    @property
    def leaf_hash(self) -> str:
        """Return the hex hash of the ballot's leaf in the log."""
        return str(self.receipt["leaf_hash"])


def new_tracking_code() -> str:
    """Return a random public tracking code (60 bits, e.g. ``T4KM-8ZQX-3NPA``)."""
    # As voting.core.codes.generate_code: the low five bits of a random byte pick uniformly.
    return format_code("".join(ALPHABET[byte & 31] for byte in secrets.token_bytes(12)))


def ballot_entry(consultation: str, tracking_code: str, content: Mapping[str, Any]) -> bytes:
    """Return the bytes of a ballot's log entry, which its leaf hash covers."""
    return canonical_json(
        {"consultation": consultation, "tracking_code": tracking_code, "content": content}
    )


class VoterRef(NamedTuple):
    """Who may cast a ballot: the voter's id and the district the ballot is counted in.

    With them the consultation's status, as read in the same query.
    """

    id: int
    district: str
    consultation_status: str


_voters = Voter.__table__
_consultations = Consultation.__table__
_marks = Participation.__table__
_voter_and_status = select(_voters.c.id, _voters.c.district, _consultations.c.status).join_from(
    _voters, _consultations, _consultations.c.id == _voters.c.consultation_id
)
_VOTER_BY_CODE_HASH = DriverStatement(
    _voter_and_status.where(
        _voters.c.consultation_id == bindparam("cid"),
        _voters.c.code_hash == bindparam("code_hash"),
    )
)


def find_voter_by_code(
    *, session: Session, consultation_id: int, code: str, pseudonym_key: str
) -> VoterRef:
    """Return the voter holding this polling code; else refuse."""
    voter = _VOTER_BY_CODE_HASH.execute(
        session.connection(),
        {"cid": consultation_id, "code_hash": hash_code(code, pseudonym_key)},
    ).fetchone()
    if voter is None:
        raise CastRefused("unknown_code")
    return VoterRef(*voter)


def hash_code(code: str, pseudonym_key: str) -> str:
    """Return the stored hash of a polling code as typed; refuse a mistyped or malformed one."""
    try:
        normalised = normalise_code(code)
    except CodeTypoError:
        raise CastRefused("code_typo") from None
    except CodeFormatError:
        raise CastRefused("code_format") from None
    return code_hash(pseudonym_key, normalised)


class _VoterStatements(NamedTuple):
    """The statements that find, mark and admit to the log the voter a cast names."""

    find: DriverStatement
    mark: DriverStatement
    # The log is locked only for a voter of the electorate: wrong codes never wait for it.
    lock: DriverStatement


def _voter_statements(column: Any) -> _VoterStatements:
    """Return the cast's voter statements for voters named by ``column`` (bound as "key")."""
    named = (_voters.c.consultation_id == bindparam("cid"), column == bindparam("key"))
    voter = select(_voters.c.consultation_id, _voters.c.id).where(*named)
    return _VoterStatements(
        find=DriverStatement(select(_voters.c.district).where(*named)),
        # RETURNING says whether a row went in; the driver's row count is not reliable for that.
        mark=DriverStatement(
            lambda insert_: (
                insert_(_marks)
                .from_select(["consultation_id", "voter_id"], voter)
                .on_conflict_do_nothing()
                .returning(_marks.c.voter_id)
            )
        ),
        lock=lock_statement(exists(voter)),
    )


# By polling code (its hash) and, for a verified resident, by register reference.
_BY_CODE = _voter_statements(_voters.c.code_hash)
_BY_REFERENCE = _voter_statements(_voters.c.ref)


@dataclass(frozen=True)
class PreparedBallot:
    """A checked ballot and its log entry, computed before any other ballot needs waiting for."""

    consultation: BallotDefinition
    # The voter as the cast names them: the hash of a polling code, or a register reference.
    by_reference: bool
    voter_key: str
    tracking_code: str
    content: dict[str, Any]
    # Computed here, not while the log is held: the stored content and the leaf's hash.
    content_json: str
    leaf_hash: bytes


def prepare_ballot(
    *,
    consultation: BallotDefinition,
    code: str,
    answers: Mapping[str, Any],
    pseudonym_key: str,
    register_ref: str | None = None,
) -> PreparedBallot:
    """Check the code's form and the answers and compute the ballot's leaf; no database.

    The voter is the holder of ``code`` or, where ``register_ref`` is given, the
    verified resident with that register reference; record_ballot finds them.
    Everything here is independent of other ballots, so it runs before the write
    transaction and casts queue only for what must be serial.
    """
    if not consultation.is_open:
        raise CastRefused("not_open")
    voter_key = register_ref if register_ref is not None else hash_code(code, pseudonym_key)
    try:
        content = build_content(consultation.ballot_questions, answers)
    except BallotError as exc:
        raise CastRefused("ballot_invalid", exc) from None
    tracking_code = new_tracking_code()
    return PreparedBallot(
        consultation=consultation,
        by_reference=register_ref is not None,
        voter_key=voter_key,
        tracking_code=tracking_code,
        content=content,
        content_json=canonical_json(content).decode("utf-8"),
        leaf_hash=leaf_hash(ballot_entry(consultation.slug, tracking_code, content)),
    )


def record_ballot(
    *, session: Session, ballot: PreparedBallot, signer: Signer, now: datetime
) -> CastBallot:
    """Mark the voter, store the ballot unlinked, append it to the log and sign the receipt.

    Writes in the session's write transaction, begun here if none is open; does not
    commit. The caller keeps the receipt (keep_receipt), commits and hands it out only
    then; the log's lock may end before (voting.core.db.release_locks).
    """
    begin_write(session)
    consultation_id = ballot.consultation.id
    # Plain rows on the session's connection, no ORM objects: this runs for every vote.
    connection = session.connection()
    statements = _BY_REFERENCE if ballot.by_reference else _BY_CODE
    named = {"cid": consultation_id, "key": ballot.voter_key}
    # Statements go out without waiting for each other's answers, where the database can
    # take them so: a round trip to find, mark and lock, one for all the writes.
    with pipelined(connection):
        found = statements.find.execute(connection, named)
        # The mark is unique: a racing second ballot of this voter waits here until the
        # first commits, then inserts nothing.
        inserted = statements.mark.execute(connection, named)
        # From here until the commit, casts of this consultation queue behind this one. The
        # status is read again under the lock: voting may have closed since the ballot was
        # prepared, and a count, which takes the lock too, must not miss the ballot.
        status = lock_log_where(
            session=session,
            consultation_id=consultation_id,
            statement=statements.lock,
            parameters=named,
        )
        voter = found.fetchone()  # its district, where the ballot is counted
        if voter is None:
            raise CastRefused("not_in_electorate" if ballot.by_reference else "unknown_code")
        if inserted.fetchone() is None:
            raise CastRefused("already_voted")
        if status is None:  # the first ballot: the log is created and locked now
            status = lock_log(session=session, consultation_id=consultation_id)
        consultation = dataclasses.replace(ballot.consultation, status=status)
        if not consultation.is_open:
            raise CastRefused("not_open")
        (district,) = voter
        appended = append_leaf(
            session=session, consultation_id=consultation_id, leaf_hash=ballot.leaf_hash
        )
        _INSERT_BALLOT.execute(
            connection,
            {
                "consultation_id": consultation_id,
                "tracking_code": ballot.tracking_code,
                "content": ballot.content_json,
                "district": district,
                "leaf_index": appended.leaf_index,
                "leaf_hash": ballot.leaf_hash.hex(),
            },
        )
        receipt = sign_receipt(
            {
                "consultation": consultation.slug,
                "tracking_code": ballot.tracking_code,
                "leaf_index": appended.leaf_index,
                "leaf_hash": ballot.leaf_hash.hex(),
                "tree_size": appended.tree_size,
                "root_hash": appended.root_hash.hex(),
                "issued_at": issued_hour(now),
            },
            signer,
        )
        _count_turnout(connection, consultation_id, now)
    return CastBallot(
        consultation=consultation.slug,
        tracking_code=ballot.tracking_code,
        content=ballot.content,
        receipt=receipt,
        consultation_id=consultation_id,
    )


def keep_receipt(*, session: Session, cast: CastBallot) -> None:
    """Keep the receipt's signed tree head for publication; written, not committed."""
    store_tree_head(session=session, consultation_id=cast.consultation_id, head=cast.receipt)


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
    """Prepare and record a ballot in one write transaction (see prepare_ballot, record_ballot).

    Does not commit: the caller commits and hands out the receipt only then. A second
    ballot of the same voter is refused as "already voted", racing or not.
    """
    begin_write(session)
    consultation = find_definition(session=session, consultation_id=consultation_id)
    if consultation is None:
        raise CastRefused("not_open")
    ballot = prepare_ballot(
        consultation=consultation,
        code=code,
        answers=answers,
        pseudonym_key=pseudonym_key,
        register_ref=register_ref,
    )
    cast = record_ballot(session=session, ballot=ballot, signer=signer, now=now)
    keep_receipt(session=session, cast=cast)
    return cast


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


# The statements of every cast, compiled once and run on the driver's cursor: building
# them anew, or the ORM's unit of work, costs several times what running them does.
_counters = TurnoutCounter.__table__
_INSERT_BALLOT = DriverStatement(insert(Ballot.__table__))
_COUNT_TURNOUT = DriverStatement(
    lambda insert_: insert_(_counters).on_conflict_do_update(
        index_elements=["consultation_id", "hour"], set_={"ballots": _counters.c.ballots + 1}
    )
)


def _count_turnout(connection: Connection, consultation_id: int, now: datetime) -> None:
    """Add one to this hour's turnout counter, creating it if needed."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    _COUNT_TURNOUT.execute(
        connection, {"consultation_id": consultation_id, "hour": hour, "ballots": 1}
    )
