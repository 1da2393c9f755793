"""The paper channel: polling cards returned by post, and counts entered twice.

A paper ballot sets the same participation mark as an online vote, so each
person votes once across both channels. The paper counts of each district and
question count once two different staff members have entered the same figures.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from ballots.casting import PollingCode, find_voter, mark_voter
from ballots.models import PaperMark
from ballots.refusals import CastRefused
from results.models import PaperCount
from results.paper import COUNTABLE_METHODS, paper_marks_by_district, paper_total
from voting.core.audit import record_event
from voting.core.db import begin_write
from voting.core.models import Consultation, Question, Status, Voter

# Methods whose paper result is fully described by how often each option was marked.
# Paper cards are accepted while the consultation is open and after its close, until counted.
MARKING_STATUSES = (Status.OPEN.value, Status.CLOSED.value)
# Counts may be entered until the result is published.
COUNTING_STATUSES = (Status.CLOSED.value, Status.TALLIED.value)


@dataclass
class PaperError(ValueError):
    """A paper-channel request that is refused; nothing was stored.

    ``reason`` is one of "not_accepting", "voted_online", "already_on_paper",
    "not_counting", "unknown_district", "unknown_question", "method_unsuited",
    "bad_figures", "total_mismatch", "same_person", "mismatch", "already_confirmed", "not_found".
    """

    reason: str
    expected: int | None = None
    fields: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.reason)


def mark_paper_ballot(
    *, session: Session, consultation: Consultation, code: str, pseudonym_key: str, actor: str
) -> None:
    """Set the participation mark of a polling card returned by post.

    The code is looked up and marked as a vote online is (ballots.casting), so each
    person votes once across channels: a card whose code voted online is refused as
    "voted_online", its paper ballot is invalid. Refusals of the code itself (typo,
    format, unknown) are raised as CastRefused. The caller commits.
    """
    if consultation.status not in MARKING_STATUSES:
        raise PaperError("not_accepting")
    voter = find_voter(
        session=session,
        consultation_id=consultation.id,
        credential=PollingCode(code),
        pseudonym_key=pseudonym_key,
    )
    try:
        mark_voter(session=session, consultation_id=consultation.id, voter=voter)
    except CastRefused:
        # Marked already: by this card's paper ballot, or by a vote online.
        on_paper = session.get(PaperMark, (consultation.id, voter.id)) is not None
        raise PaperError("already_on_paper" if on_paper else "voted_online") from None
    session.add(PaperMark(consultation_id=consultation.id, voter_id=voter.id))
    session.flush()


def electorate_districts(*, session: Session, consultation_id: int) -> list[str]:
    """Return the districts of the electorate, in which paper counts are entered."""
    rows = session.exec(
        select(Voter.district)
        .where(Voter.consultation_id == consultation_id)
        .distinct()
        .order_by(Voter.district)
    )
    return list(rows.all())


def count_fields(question: Question) -> list[str]:
    """Return the figures a paper count of this question consists of."""
    voted = ["voted"] if question.method == "approval" else []
    return [*question.option_keys, *voted, "blank", "invalid"]


def countable_questions(consultation: Consultation) -> list[Question]:
    """Return the questions whose paper ballots are counted by totals."""
    return [q for q in consultation.questions if q.method in COUNTABLE_METHODS]


def enter_paper_count(
    *,
    session: Session,
    consultation: Consultation,
    district: str,
    question_key: str,
    figures: Mapping[str, int],
    actor: str,
    now: datetime,
) -> PaperCount:
    """Enter one district's paper count of one question: first entry, or the confirming second.

    The second entry must come from another staff member and match the first
    exactly; a mismatch is refused with the differing fields and stores nothing.
    """
    begin_write(session)
    if consultation.status not in COUNTING_STATUSES:
        raise PaperError("not_counting")
    if district not in electorate_districts(session=session, consultation_id=consultation.id):
        raise PaperError("unknown_district")
    question = next((q for q in consultation.questions if q.key == question_key), None)
    if question is None:
        raise PaperError("unknown_question")
    if question.method not in COUNTABLE_METHODS:
        raise PaperError("method_unsuited")
    names = count_fields(question)
    if set(figures) != set(names) or any(
        not isinstance(figures[name], int) or figures[name] < 0 for name in names
    ):
        raise PaperError("bad_figures")
    figures = {name: figures[name] for name in names}
    if question.method == "approval" and any(
        figures[k] > figures["voted"] for k in question.option_keys
    ):
        raise PaperError("bad_figures")
    expected = paper_marks_by_district(session=session, consultation_id=consultation.id).get(
        district, 0
    )
    if paper_total(question.method, figures) != expected:
        raise PaperError("total_mismatch", expected=expected)
    entry = session.exec(
        select(PaperCount).where(
            PaperCount.consultation_id == consultation.id,
            PaperCount.district == district,
            PaperCount.question_key == question_key,
        )
    ).first()
    if entry is None:
        entry = PaperCount(
            consultation_id=consultation.id,
            district=district,
            question_key=question_key,
            figures=figures,
            entered_by=actor,
            entered_at=now,
        )
        action = "paper.count_entered"
    else:
        if entry.confirmed_by is not None:
            raise PaperError("already_confirmed")
        if entry.entered_by == actor:
            raise PaperError("same_person")
        differing = [name for name in names if entry.figures.get(name) != figures[name]]
        if differing:
            raise PaperError("mismatch", fields=differing)
        entry.confirmed_by = actor
        entry.confirmed_at = now
        action = "paper.count_confirmed"
    session.add(entry)
    record_event(
        session=session,
        actor=actor,
        action=action,
        consultation_id=consultation.id,
        district=district,
        question=question_key,
        figures=figures,
    )
    session.flush()
    return entry


def discard_paper_count(
    *, session: Session, consultation: Consultation, count_id: int, actor: str
) -> None:
    """Delete an entered count so it can be entered anew, until the result is published."""
    if consultation.status not in COUNTING_STATUSES:
        raise PaperError("not_counting")
    entry = session.get(PaperCount, count_id)
    if entry is None or entry.consultation_id != consultation.id:
        raise PaperError("not_found")
    record_event(
        session=session,
        actor=actor,
        action="paper.count_discarded",
        consultation_id=consultation.id,
        district=entry.district,
        question=entry.question_key,
        figures=entry.figures,
        entered_by=entry.entered_by,
        confirmed_by=entry.confirmed_by,
    )
    session.delete(entry)
    session.flush()


def paper_counts(*, session: Session, consultation_id: int) -> list[PaperCount]:
    """Return every entered count of a consultation, by district and question."""
    return list(
        session.exec(
            select(PaperCount)
            .where(PaperCount.consultation_id == consultation_id)
            .order_by(PaperCount.district, PaperCount.question_key)
        )
    )
