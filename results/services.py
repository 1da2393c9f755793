"""Tallying a closed consultation and publishing its result."""

import hashlib
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, func, select

from ballots.log import broken_commitments, log_root
from ballots.models import Ballot, PaperMark, Participation
from ballots.traces import erase_cast_order
from results.models import Result
from results.tally import count_question
from results.turnout import turnout
from voting.core.lifecycle import (
    ConsultationError,
    UnpublishableError,
    electorate_size,
    transition,
)
from voting.core.models import Consultation, utcnow


def count_rows(session: Session, model: type, consultation_id: int) -> int:
    """Return how many rows of `model` belong to the consultation."""
    return session.exec(
        select(func.count()).select_from(model).where(model.consultation_id == consultation_id)
    ).one()


def question_seed(lot_seed: bytes, key: str) -> bytes:
    """Return the lot seed of one question: SHA-256(seed || 0x00 || question key)."""
    return hashlib.sha256(lot_seed + b"\x00" + key.encode("utf-8")).digest()


def tally_consultation(
    *,
    session: Session,
    consultation: Consultation,
    actor: str,
    min_district_ballots: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Count every question of a closed consultation and keep the snapshot (not yet public).

    Ties that a method must break are drawn by lot from the consultation's final
    ballot-log root (see results.methods.lot), which anyone can recompute.
    ``progress(done, total)`` hears how many of the ballots × questions are counted.
    """
    lot_seed = log_root(session=session, consultation_id=consultation.id)
    eligible = electorate_size(session=session, consultation_id=consultation.id)
    ballots = count_rows(session, Ballot, consultation.id)
    # Paper ballots set participation marks too; their counts are kept apart (results.paper).
    marks = count_rows(session, Participation, consultation.id) - count_rows(
        session, PaperMark, consultation.id
    )
    if ballots != marks:
        # Written in one transaction, so this means the database was tampered with.
        raise ConsultationError(
            f"{consultation.slug}: {ballots} ballots but {marks} participation marks"
        )
    # Voting is over: storage must not keep the order in which marks and ballots came in.
    erase_cast_order(session=session, consultation_id=consultation.id)
    questions = []
    total = ballots * len(consultation.questions)
    done = 0

    def read(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    read(0)
    for question in consultation.questions:
        outcome = count_question(
            session=session,
            consultation=consultation,
            question=question,
            eligible=eligible,
            lot_seed=question_seed(lot_seed, question.key),
            read=read,
        )
        questions.append(
            {
                "key": question.key,
                "text": question.text,
                "method": question.method,
                "options": [{"key": o.key, "label": o.label} for o in question.options],
                "winners": outcome.winners,
                "ranking": outcome.ranking,
                "details": outcome.details,
            }
        )
    data: dict[str, Any] = {
        "turnout": turnout(
            session=session,
            consultation=consultation,
            ballots=ballots,
            eligible=eligible,
            minimum=min_district_ballots,
        ),
        "questions": questions,
        "lot_seed": lot_seed.hex(),
    }
    transition(session=session, consultation=consultation, action="tally", actor=actor)
    result = Result(consultation_id=consultation.id, tallied_by=actor, data=data)
    session.add(result)
    session.flush()
    return result


def publish_result(*, session: Session, consultation: Consultation, actor: str) -> Result:
    """Make a tallied result public; refuse if a stored ballot fails its log commitment.

    Publishing reveals the salts and contents: every ballot must be the one its leaf
    committed to, or the published log would not verify.
    """
    result = session.exec(select(Result).where(Result.consultation_id == consultation.id)).first()
    if result is None:
        raise ConsultationError(f"{consultation.slug} has not been tallied")
    broken = broken_commitments(
        session=session, consultation_id=consultation.id, slug=consultation.slug
    )
    if broken:
        raise UnpublishableError(consultation.slug, broken)
    transition(session=session, consultation=consultation, action="publish", actor=actor)
    result.published_at = utcnow()
    result.published_by = actor
    session.add(result)
    session.flush()
    return result


def published_result(*, session: Session, consultation: Consultation) -> Result | None:
    """Return the result if, and only if, it has been published."""
    if not consultation.is_published:
        return None
    return session.exec(
        select(Result).where(
            Result.consultation_id == consultation.id, Result.published_at.is_not(None)
        )
    ).first()
