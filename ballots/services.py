"""Casting a ballot: the participation mark and the ballot in one transaction."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ballots.canonical import canonical_json
from ballots.content import BallotError, BallotQuestion, build_content
from ballots.log import append_leaf, lock_log, store_tree_head
from ballots.merkle import leaf_hash
from ballots.models import Ballot, Participation, TurnoutCounter
from ballots.receipts import Signer, issued_hour, sign_receipt
from voting.codes import ALPHABET, CodeFormatError, CodeTypoError, format_code, normalise_code
from voting.db import begin_write
from voting.models import Consultation, Voter
from voting.pseudonyms import code_hash


class CastRefused(Exception):
    """A ballot that is not accepted; nothing was stored.

    ``reason`` is one of "not_open", "code_format", "code_typo", "unknown_code",
    "already_voted", "ballot_invalid"; ``error`` holds the BallotError where one applies.
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


def ballot_questions(consultation: Consultation) -> list[BallotQuestion]:
    """Return what a ballot of this consultation is checked against."""
    return [
        BallotQuestion(q.key, q.method, tuple(q.option_keys), q.params)
        for q in consultation.questions
    ]


def new_tracking_code() -> str:
    """Return a random public tracking code (60 bits, e.g. ``T4KM-8ZQX-3NPA``)."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(12)))


def ballot_entry(consultation: str, tracking_code: str, content: Mapping[str, Any]) -> bytes:
    """Return the bytes of a ballot's log entry, which its leaf hash covers."""
    return canonical_json(
        {"consultation": consultation, "tracking_code": tracking_code, "content": content}
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
) -> CastBallot:
    """Mark the voter, store the ballot unlinked, append it to the log and sign the receipt.

    Flushes, does not commit: the caller commits and hands out the receipt only
    then, and must treat an IntegrityError as "already voted" (the unique
    participation mark keeps a second ballot out even if two requests race).
    """
    begin_write(session)
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or not consultation.is_open:
        raise CastRefused("not_open")
    try:
        normalised = normalise_code(code)
    except CodeTypoError:
        raise CastRefused("code_typo") from None
    except CodeFormatError:
        raise CastRefused("code_format") from None
    voter = session.execute(
        select(Voter.id, Voter.district).where(
            Voter.consultation_id == consultation_id,
            Voter.code_hash == code_hash(pseudonym_key, normalised),
        )
    ).first()
    if voter is None:
        raise CastRefused("unknown_code")
    # Casts queue here, so a racing second request with this code sees the first one's mark.
    lock_log(session=session, consultation_id=consultation_id)
    if session.get(Participation, (consultation_id, voter.id)) is not None:
        raise CastRefused("already_voted")
    try:
        content = build_content(ballot_questions(consultation), answers)
    except BallotError as exc:
        raise CastRefused("ballot_invalid", exc) from None

    tracking_code = new_tracking_code()
    leaf = leaf_hash(ballot_entry(consultation.slug, tracking_code, content))
    appended = append_leaf(session=session, consultation_id=consultation_id, leaf_hash=leaf)
    session.add(Participation(consultation_id=consultation_id, voter_id=voter.id))
    session.add(
        Ballot(
            consultation_id=consultation_id,
            tracking_code=tracking_code,
            content=canonical_json(content).decode("utf-8"),
            district=voter.district,
            leaf_index=appended.leaf_index,
            leaf_hash=leaf.hex(),
        )
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
    _count_turnout(session, consultation_id, now)
    session.flush()
    return CastBallot(
        consultation=consultation.slug,
        tracking_code=tracking_code,
        content=content,
        receipt=receipt,
    )


def _count_turnout(session: Session, consultation_id: int, now: datetime) -> None:
    """Add one to this hour's turnout counter, creating it if needed."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    dialect = session.get_bind().dialect.name
    upsert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if upsert is None:
        raise RuntimeError(f"turnout counters need PostgreSQL or SQLite, not {dialect}")
    statement = upsert(TurnoutCounter).values(consultation_id=consultation_id, hour=hour, ballots=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["consultation_id", "hour"],
            set_={"ballots": TurnoutCounter.ballots + 1},
        )
    )


def reorder_marks(*, session: Session, consultation_id: int) -> int:
    """Rewrite a consultation's participation marks in voter order; return how many.

    PostgreSQL stores rows in the order they were inserted and keeps the inserting
    transaction (``xmin``) with each, so until rewritten the marks show the order of
    voting and share a transaction with their ballots. Run after the close.
    """
    begin_write(session)
    # Holding the log keeps a late cast from slipping a mark in between read and rewrite.
    lock_log(session=session, consultation_id=consultation_id)
    voters = list(
        session.execute(
            select(Participation.voter_id)
            .where(Participation.consultation_id == consultation_id)
            .order_by(Participation.voter_id)
        ).scalars()
    )
    session.execute(delete(Participation).where(Participation.consultation_id == consultation_id))
    if voters:
        session.execute(
            insert(Participation),
            [{"consultation_id": consultation_id, "voter_id": voter} for voter in voters],
        )
    session.flush()
    return len(voters)
