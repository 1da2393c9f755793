"""Casting a ballot: the one path every vote takes, online by code or by account.

``cast_ballot`` does, in the caller's transaction and in this order:

1. check that voting is open and that the answers fit the questions;
2. find the voter by polling code or register reference (``find_voter``);
3. set the participation mark (``mark_voter``), unique per voter: a second ballot is
   refused here, and a racing one waits for the first to commit, then is refused;
4. lock the consultation's log and read its status under the lock, so a close or a
   count that takes the lock too never misses a ballot or admits a late one;
5. append the ballot's leaf, a salted commitment (ballots.commitment), to the log, store
   the ballot with its salt and no voter reference, sign the receipt, keep its signed tree
   head and count the hour's turnout.

It writes but never commits: the view commits once and only then hands out the
receipt, so a receipt never leaves for a ballot that was not stored. A returned
paper card takes steps 2 and 3 (voting.paper.services.mark_paper_ballot).
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlmodel import Session

from ballots.canonical import canonical_json
from ballots.commitment import ballot_entry, new_salt
from ballots.content import BallotError, build_content
from ballots.definition import BallotDefinition
from ballots.log import append_leaf, lock_log, store_tree_head
from ballots.merkle import leaf_hash
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.receipts import Signer, issued_hour, sign_receipt
from ballots.refusals import CastRefused, Refusal
from voting.core.codes import ALPHABET, CodeFormatError, CodeTypoError, format_code, normalise_code
from voting.core.db import conflict_insert, dialect_of, table_of
from voting.core.models import Voter
from voting.core.pseudonyms import code_hash as keyed_code_hash


@dataclass(frozen=True)
class PollingCode:
    """A voter named by the code on their polling card, as typed."""

    code: str


@dataclass(frozen=True)
class RegisterReference:
    """A verified resident, named by their reference in the register (no code needed)."""

    ref: str


Credential = PollingCode | RegisterReference


@dataclass(frozen=True)
class ElectorateVoter:
    """A voter of the electorate; the district is where their ballot is counted."""

    id: int
    district: str


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


# The statements every vote runs, built once: building a statement anew costs the worker
# more than running it does (docs/performance.md). Plain Core; an INSERT takes its values
# from the parameters it is run with.
_voters = table_of(Voter)
_marks = table_of(Participation)
_counters = table_of(TurnoutCounter)
_VOTER_BY = {
    column.key: select(_voters.c.id, _voters.c.district).where(
        _voters.c.consultation_id == bindparam("consultation_id"), column == bindparam("key")
    )
    for column in (_voters.c.code_hash, _voters.c.ref)
}
_INSERT_BALLOT = insert(table_of(Ballot))


@cache
def _mark_statement(dialect: str) -> Any:
    """Return the participation mark's INSERT; RETURNING tells whether a row went in."""
    return conflict_insert(dialect, _marks).on_conflict_do_nothing().returning(_marks.c.voter_id)


@cache
def _turnout_statement(dialect: str) -> Any:
    """Return the INSERT that adds one to an hour's turnout counter, creating it if needed."""
    return conflict_insert(dialect, _counters).on_conflict_do_update(
        index_elements=["consultation_id", "hour"], set_={"ballots": _counters.c.ballots + 1}
    )


def new_tracking_code() -> str:
    """Return a random public tracking code (60 bits, e.g. ``T4KM-8ZQX-3NPA``)."""
    # As voting.core.codes.generate_code: the low five bits of a random byte pick uniformly.
    return format_code("".join(ALPHABET[byte & 31] for byte in secrets.token_bytes(12)))


def hash_code(code: str, pseudonym_key: str) -> str:
    """Return the stored hash of a polling code as typed; refuse a mistyped or malformed one."""
    try:
        normalised = normalise_code(code)
    except CodeTypoError:
        raise CastRefused(Refusal.CODE_TYPO) from None
    except CodeFormatError:
        raise CastRefused(Refusal.CODE_FORMAT) from None
    return keyed_code_hash(pseudonym_key, normalised)


def find_voter(
    *, session: Session, consultation_id: int, credential: Credential, pseudonym_key: str
) -> ElectorateVoter:
    """Return the voter of the electorate the credential names; else refuse."""
    return _find(session, consultation_id, _voter_named(credential, pseudonym_key))


def mark_voter(*, session: Session, consultation_id: int, voter: ElectorateVoter) -> None:
    """Set the voter's participation mark; refuse if it is set already (one person, one vote).

    A racing second mark of the same voter waits here until the first commits.
    """
    marked = session.execute(
        _mark_statement(dialect_of(session)),
        {"consultation_id": consultation_id, "voter_id": voter.id},
    ).first()
    if marked is None:  # the mark was there already
        raise CastRefused(Refusal.ALREADY_VOTED)


@dataclass(frozen=True)
class _VoterNamed:
    """Which row of the electorate a credential names, and the refusal if there is none."""

    column: str
    key: str
    not_found: Refusal


def _voter_named(credential: Credential, pseudonym_key: str) -> _VoterNamed:
    if isinstance(credential, PollingCode):
        code_hash = hash_code(credential.code, pseudonym_key)
        return _VoterNamed("code_hash", code_hash, Refusal.UNKNOWN_CODE)
    return _VoterNamed("ref", credential.ref, Refusal.NOT_IN_ELECTORATE)


def _find(session: Session, consultation_id: int, named: _VoterNamed) -> ElectorateVoter:
    voter = session.execute(
        _VOTER_BY[named.column], {"consultation_id": consultation_id, "key": named.key}
    ).first()
    if voter is None:
        raise CastRefused(named.not_found)
    return ElectorateVoter(id=voter.id, district=voter.district)


def cast_ballot(
    *,
    session: Session,
    consultation: BallotDefinition,
    credential: Credential,
    answers: Mapping[str, Any],
    pseudonym_key: str,
    signer: Signer,
    now: datetime,
) -> CastBallot:
    """Mark the voter, store the ballot unlinked, append it to the log and sign the receipt.

    Writes in the session's transaction and does not commit (see the module's text).
    """
    if not consultation.is_open:
        raise CastRefused(Refusal.NOT_OPEN)
    named = _voter_named(credential, pseudonym_key)  # a mistyped code is told first
    try:
        content = build_content(consultation.ballot_questions, answers)
    except BallotError as error:
        raise CastRefused(Refusal.BALLOT_INVALID, error) from None

    voter = _find(session, consultation.id, named)
    mark_voter(session=session, consultation_id=consultation.id, voter=voter)
    status = lock_log(session=session, consultation_id=consultation.id)
    if not replace(consultation, status=status).is_open:
        raise CastRefused(Refusal.NOT_OPEN)

    tracking_code, salt = new_tracking_code(), new_salt()
    leaf = leaf_hash(ballot_entry(consultation.slug, tracking_code, content, salt))
    appended = append_leaf(session=session, consultation_id=consultation.id, leaf_hash=leaf)
    session.execute(
        _INSERT_BALLOT,
        {
            "consultation_id": consultation.id,
            "tracking_code": tracking_code,
            "content": canonical_json(content).decode("utf-8"),
            "salt": salt,
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
            "definition": appended.definition,
            "issued_at": issued_hour(now),
        },
        signer,
    )
    store_tree_head(session=session, consultation_id=consultation.id, head=receipt)
    _count_turnout(session, consultation.id, now)
    return CastBallot(
        consultation=consultation.slug,
        tracking_code=tracking_code,
        content=content,
        receipt=receipt,
    )


def _count_turnout(session: Session, consultation_id: int, now: datetime) -> None:
    """Add one to this hour's turnout counter, creating it if needed."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    session.execute(
        _turnout_statement(dialect_of(session)),
        {"consultation_id": consultation_id, "hour": hour, "ballots": 1},
    )
