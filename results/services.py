"""Tallying a closed consultation and publishing its result."""

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, func, select

from ballots.log import broken_commitments, lock_log, log_root
from ballots.models import Ballot, PaperBallotEntry, PaperMark, Participation
from ballots.paper_ballots import COUNTED, PAPER
from ballots.signed_steps import Signing, newest_definition, seal_paper_ballots
from ballots.traces import erase_traces
from results.budget_explanation import explain_equal_shares
from results.models import Result
from results.tally import count_question
from results.turnout import turnout
from voting.core.db import begin_write, count_rows
from voting.core.lifecycle import (
    ConsultationError,
    PaperEntryIncompleteError,
    StorageTracesError,
    UnpublishableError,
    electorate_size,
    transition,
)
from voting.core.models import Consultation, Status, utcnow


def question_seed(lot_seed: bytes, key: str) -> bytes:
    """Return the lot seed of one question: SHA-256(seed || 0x00 || question key)."""
    return hashlib.sha256(lot_seed + b"\x00" + key.encode("utf-8")).digest()


def _ballots_by_channel(session: Session, consultation_id: int) -> tuple[int, int]:
    """Return how many ballots of the log were cast online and how many keyed from paper."""
    rows = dict(
        session.exec(
            select(Ballot.channel, func.count())
            .where(Ballot.consultation_id == consultation_id)
            .group_by(Ballot.channel)
        ).all()
    )
    return rows.get("online", 0), rows.get(PAPER, 0)


def tally_consultation(
    *,
    session: Session,
    consultation: Consultation,
    actor: str,
    min_district_ballots: int = 10,
    signing: Signing | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Count every question of a closed consultation and keep the snapshot (not yet public).

    Ties that a method must break are drawn by lot from the consultation's final
    ballot-log root (see results.methods.lot), which anyone can recompute.
    ``progress(done, total)`` hears how many of the ballots × questions are counted.
    Paper ballots keyed since the close must all be agreed; ``signing`` then seals them
    (ballots.signed_steps.seal_paper_ballots) before the lot seed is read.
    Small cells are hidden below the threshold of the signed definition, which the
    verifier checks; ``min_district_ballots`` serves consultations scheduled before
    definitions were signed. Run it through ``count_consultation``, which first erases
    the order of voting.
    """
    begin_write(session)
    # A cast that found voting open under the log's lock is stored before the count reads,
    # and a second count waits here and then, reading the status anew, finds it counted.
    lock_log(session=session, consultation_id=consultation.id)
    session.refresh(consultation, ["status"])
    if consultation.status != Status.CLOSED:
        raise ConsultationError(f"cannot tally {consultation.slug}: it is {consultation.status}")
    pending = session.exec(
        select(PaperBallotEntry.sheet)
        .where(
            PaperBallotEntry.consultation_id == consultation.id,
            PaperBallotEntry.status != COUNTED,
        )
        .order_by(PaperBallotEntry.sheet)
    ).all()
    if pending:
        raise PaperEntryIncompleteError(consultation.slug, list(pending))
    eligible = electorate_size(session=session, consultation_id=consultation.id)
    online, paper = _ballots_by_channel(session, consultation.id)
    paper_marks = count_rows(session, PaperMark, consultation.id)
    marks = count_rows(session, Participation, consultation.id) - paper_marks
    if online != marks:
        # Written in one transaction, so this means the database was tampered with.
        raise ConsultationError(
            f"{consultation.slug}: {online} ballots but {marks} participation marks"
        )
    seal = None
    if signing is not None:
        seal = seal_paper_ballots(
            session=session, consultation=consultation, signing=signing, now=utcnow()
        )
    elif paper:
        raise ConsultationError(f"{consultation.slug}: sealing its paper ballots needs the key")
    if seal is not None and paper + seal["invalid_paper_ballots"] > paper_marks:
        raise ConsultationError(
            f"{consultation.slug}: more paper ballots than returned polling cards"
        )
    ballots = online + paper
    lot_seed = log_root(session=session, consultation_id=consultation.id)
    definition = newest_definition(session=session, consultation_id=consultation.id)
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
        seed = question_seed(lot_seed, question.key)
        explained = question.method == "pb_equal_shares"
        approvals: Counter[tuple[str, ...]] = Counter()
        outcome = count_question(
            session=session,
            consultation=consultation,
            question=question,
            eligible=eligible,
            lot_seed=seed,
            read=read,
            approvals=approvals if explained else None,
        )
        entry = {
            "key": question.key,
            "text": question.text,
            "method": question.method,
            "options": [{"key": o.key, "label": o.label} for o in question.options],
            "winners": outcome.winners,
            "ranking": outcome.ranking,
            "details": outcome.details,
        }
        if explained:
            # Beside the details, not in them: the verifier recounts the details exactly.
            entry["explanation"] = explain_equal_shares(
                question.option_keys,
                approvals,
                budget=question.params["budget"],
                costs=question.params["costs"],
                details=outcome.details,
                lot_seed=seed,
            )
        questions.append(entry)
    data: dict[str, Any] = {
        "turnout": turnout(
            session=session,
            consultation=consultation,
            ballots=ballots,
            eligible=eligible,
            minimum=definition["suppression_threshold"] if definition else min_district_ballots,
        ),
        "questions": questions,
        "lot_seed": lot_seed.hex(),
    }
    if seal is not None:
        data["turnout"]["paper_ballots"] = paper
        data["turnout"]["invalid_paper_ballots"] = seal["invalid_paper_ballots"]
    transition(session=session, consultation=consultation, action="tally", actor=actor)
    result = Result(consultation_id=consultation.id, tallied_by=actor, data=data)
    session.add(result)
    session.flush()
    return result


def count_consultation(
    *,
    session: Session,
    consultation: Consultation,
    actor: str,
    min_district_ballots: int = 10,
    signing: Signing | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Erase the order of voting from storage, then tally; refuse to count if it remains.

    The erasure (ballots.traces) was run at the close already; it runs again here so that
    no count runs on storage that still holds the order, should it have failed then. It
    needs the database outside any transaction, so this commits the session's transaction
    (at the edge, where nothing is pending) and then begins one again as a writer.
    """
    consultation_id = consultation.id
    session.commit()
    if not erase_traces(engine=session.get_bind().engine, consultation_id=consultation_id):
        raise StorageTracesError(
            f"{consultation.slug}: the order of voting could not be erased from storage"
        )
    begin_write(session)
    return tally_consultation(
        session=session,
        consultation=consultation,
        actor=actor,
        min_district_ballots=min_district_ballots,
        signing=signing,
        progress=progress,
    )


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
