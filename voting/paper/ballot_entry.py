"""Paper ballots keyed one by one after the close: twice, blind, and settled by a third person.

After voting has closed, staff take the ballots out of their envelopes (already separated
from the polling cards, whose marks were set on arrival), number each sheet and key it
through the same form residents vote with:

1. the first entry of a sheet is stored; nobody is told what it holds;
2. a second staff member keys the same sheet without seeing the first entry; if both are
   equal the ballot counts: it is appended to the public log as a paper leaf
   (ballots.paper_ballots), or counted as invalid as a whole if both said so;
3. if they differ, a third staff member, who keyed neither, sees both and keys the sheet
   as it reads; that entry counts.

The audit log records who keyed which sheet and whether the entries matched, never what
they held. The count waits until every sheet counts (results.services).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from ballots.canonical import canonical_json
from ballots.content import BallotError, build_content
from ballots.definition import BallotDefinition
from ballots.models import PaperBallotEntry, PaperMark
from ballots.paper_ballots import (
    COUNTED,
    DISPUTED,
    WAITING,
    KeyNotNamedError,
    append_paper_ballot,
)
from ballots.receipts import Signer
from voting.core.audit import record_event
from voting.core.db import begin_write, count_rows
from voting.core.models import Status

# Sheet numbers staff write on the ballots: positive, and fewer than any post office delivers.
MAX_SHEET = 10_000_000


@dataclass
class EntryRefused(ValueError):
    """A keyed sheet that is refused; nothing was stored.

    ``reason`` is one of "not_counting", "bad_sheet", "ballot_invalid", "same_person",
    "disputed", "counted", "not_disputed", "keyed_before", "key_rotated", "more_sheets".
    """

    reason: str
    detail: str = ""

    def __post_init__(self) -> None:
        super().__init__(self.reason)


@dataclass(frozen=True)
class PaperBallot:
    """One keyed sheet as staff typed it: the answers, or invalid as a whole."""

    sheet: int
    answers: Mapping[str, Any]
    invalid: bool = False


def _content(consultation: BallotDefinition, ballot: PaperBallot) -> str | None:
    """Return the sheet's content as canonical JSON, None if invalid; refuse a wrong one."""
    if not 1 <= ballot.sheet <= MAX_SHEET:
        raise EntryRefused("bad_sheet")
    if ballot.invalid:
        return None
    try:
        content = build_content(consultation.ballot_questions, ballot.answers)
    except BallotError as error:
        raise EntryRefused("ballot_invalid", str(error)) from None
    return canonical_json(content).decode("utf-8")


def _entry(session: Session, consultation_id: int, sheet: int) -> PaperBallotEntry | None:
    return session.exec(
        select(PaperBallotEntry).where(
            col(PaperBallotEntry.consultation_id) == consultation_id,
            col(PaperBallotEntry.sheet) == sheet,
        )
    ).first()


def _sheets(session: Session, consultation_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(PaperBallotEntry)
        .where(col(PaperBallotEntry.consultation_id) == consultation_id)
    ).one()


def _count(
    session: Session,
    consultation: BallotDefinition,
    entry: PaperBallotEntry,
    content: str | None,
    signer: Signer,
    now: datetime,
) -> None:
    """Let the sheet count: into the log as a paper leaf, or as invalid as a whole."""
    entry.status = COUNTED
    entry.invalid = content is None
    if content is not None:
        try:
            entry.leaf_index = append_paper_ballot(
                session=session,
                consultation_id=consultation.id,
                slug=consultation.slug,
                content=json.loads(content),
                signer=signer,
                now=now,
            )
        except KeyNotNamedError:
            raise EntryRefused("key_rotated") from None


def key_paper_ballot(
    *,
    session: Session,
    consultation: BallotDefinition,
    ballot: PaperBallot,
    actor: str,
    signer: Signer,
    now: datetime,
) -> str:
    """Key one sheet: the first entry, or the second, which counts it if both agree.

    Return the sheet's state afterwards (ballots.paper_ballots: WAITING, DISPUTED or
    COUNTED). Writes in the session's transaction; the caller commits.
    """
    begin_write(session)
    if consultation.status != Status.CLOSED:
        raise EntryRefused("not_counting")
    content = _content(consultation, ballot)
    entry = _entry(session, consultation.id, ballot.sheet)
    if entry is None:
        # Each returned polling card brought at most one sheet.
        if _sheets(session, consultation.id) >= count_rows(session, PaperMark, consultation.id):
            raise EntryRefused("more_sheets")
        session.add(
            PaperBallotEntry(
                consultation_id=consultation.id,
                sheet=ballot.sheet,
                first_by=actor,
                first_content=content,
                first_invalid=content is None,
            )
        )
        _audit(session, consultation, actor, "paper_ballot.keyed", ballot.sheet, "first")
        session.flush()
        return WAITING
    if entry.status == DISPUTED:
        raise EntryRefused("disputed")
    if entry.status == COUNTED:
        raise EntryRefused("counted")
    if entry.first_by == actor:
        raise EntryRefused("same_person")
    entry.second_by, entry.second_content = actor, content
    entry.second_invalid = content is None
    agreed = (entry.first_invalid, entry.first_content) == (entry.second_invalid, content)
    if agreed:
        _count(session, consultation, entry, content, signer, now)
    else:
        entry.status = DISPUTED
    session.add(entry)
    _audit(
        session,
        consultation,
        actor,
        "paper_ballot.agreed" if agreed else "paper_ballot.disputed",
        ballot.sheet,
        "second",
    )
    session.flush()
    return entry.status


def settle_paper_ballot(
    *,
    session: Session,
    consultation: BallotDefinition,
    ballot: PaperBallot,
    actor: str,
    signer: Signer,
    now: datetime,
) -> None:
    """Key a disputed sheet as a third person reads it; that entry counts."""
    begin_write(session)
    if consultation.status != Status.CLOSED:
        raise EntryRefused("not_counting")
    content = _content(consultation, ballot)
    entry = _entry(session, consultation.id, ballot.sheet)
    if entry is None or entry.status != DISPUTED:
        raise EntryRefused("not_disputed")
    if actor in (entry.first_by, entry.second_by):
        raise EntryRefused("keyed_before")
    entry.settled_by = actor
    _count(session, consultation, entry, content, signer, now)
    session.add(entry)
    _audit(session, consultation, actor, "paper_ballot.settled", ballot.sheet, "third")
    session.flush()


def disputed_entry(
    *, session: Session, consultation_id: int, sheet: int
) -> PaperBallotEntry | None:
    """Return the sheet's entries if they are disputed: only then may a third person see them."""
    entry = _entry(session, consultation_id, sheet)
    return entry if entry is not None and entry.status == DISPUTED else None


@dataclass(frozen=True)
class SheetState:
    """What the overview shows of a sheet: who keyed it and its state, never its content."""

    sheet: int
    status: str
    keyed_by: list[str]


def sheet_states(*, session: Session, consultation_id: int) -> list[SheetState]:
    """Return every keyed sheet in number order, without what was keyed."""
    rows = session.exec(
        select(PaperBallotEntry)
        .where(col(PaperBallotEntry.consultation_id) == consultation_id)
        .order_by(col(PaperBallotEntry.sheet))
    )
    return [
        SheetState(
            row.sheet,
            row.status,
            [name for name in (row.first_by, row.second_by, row.settled_by) if name],
        )
        for row in rows
    ]


def sheet_totals(*, session: Session, consultation_id: int) -> dict[str, int]:
    """Return how many sheets are in each state, and how many of those counted are invalid."""
    rows = session.exec(
        select(PaperBallotEntry.status, PaperBallotEntry.invalid, func.count())
        .where(col(PaperBallotEntry.consultation_id) == consultation_id)
        .group_by(col(PaperBallotEntry.status), col(PaperBallotEntry.invalid))
    )
    totals = {WAITING: 0, DISPUTED: 0, COUNTED: 0, "invalid": 0}
    for status, invalid, n in rows:
        totals[status] += n
        if invalid:
            totals["invalid"] += n
    return totals


def _audit(
    session: Session,
    consultation: BallotDefinition,
    actor: str,
    action: str,
    sheet: int,
    entry: str,
) -> None:
    # Who keyed which sheet, and whether it matched; never the answers.
    record_event(
        session=session,
        actor=actor,
        action=action,
        consultation_id=consultation.id,
        sheet=sheet,
        entry=entry,
    )
