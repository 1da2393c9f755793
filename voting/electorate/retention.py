"""Data minimisation: deleting a consultation's electorate and polling-code hashes.

After publication and the retention period, the voters (pseudonymous references,
districts, birth years, code hashes) and the participation and paper marks that
point at them are deleted. Ballots, the ballot log, the result, the paper count
protocol and the audit trail stay; the consultation keeps the size of the
electorate, the number of voters and how many of them voted on paper, so the
turnout figures outlive the voters. Before voting opens, an electorate can
also be discarded (e.g. to import a corrected file).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, func, select

from ballots.models import PaperMark, Participation
from voting.core.audit import latest_event, record_event
from voting.core.lifecycle import ConsultationError, electorate_size
from voting.core.models import Consultation, Status, Voter, utcnow


@dataclass(frozen=True)
class Deletion:
    """What was deleted."""

    voters: int
    marks: int
    paper_marks: int = 0


def published_at(*, session: Session, consultation: Consultation) -> datetime | None:
    """Return when the consultation's result was published, from the audit trail."""
    event = latest_event(
        session=session, consultation_id=consultation.id, action="consultation.publish"
    )
    return event.at if event is not None else None


def deletion_due_at(
    *, session: Session, consultation: Consultation, retention_days: int
) -> datetime | None:
    """Return from when the electorate may be deleted, or None if not published yet."""
    published = published_at(session=session, consultation=consultation)
    return published + timedelta(days=retention_days) if published else None


def delete_electorate(
    *,
    session: Session,
    consultation: Consultation,
    actor: str,
    retention_days: int,
    now: datetime | None = None,
) -> Deletion:
    """Delete the voters and their marks; allowed before opening or after the retention period."""
    now = now or utcnow()
    if consultation.electorate_deleted_at is not None:
        raise ConsultationError(f"{consultation.slug}: the electorate is deleted already")
    before_voting = consultation.status in (Status.DRAFT, Status.SCHEDULED)
    if not before_voting:
        due = deletion_due_at(
            session=session, consultation=consultation, retention_days=retention_days
        )
        if consultation.status != Status.PUBLISHED or due is None:
            raise ConsultationError(
                f"{consultation.slug} is {consultation.status}: the electorate is kept "
                "until the result is published and the retention period has passed"
            )
        if now < due:
            raise ConsultationError(
                f"{consultation.slug}: the retention period ends on {due.date().isoformat()}"
            )
    voters = electorate_size(session=session, consultation_id=consultation.id)
    marks = session.exec(
        select(func.count())
        .select_from(Participation)
        .where(Participation.consultation_id == consultation.id)
    ).one()
    paper_marks = session.exec(
        select(func.count())
        .select_from(PaperMark)
        .where(PaperMark.consultation_id == consultation.id)
    ).one()
    # Paper marks point at the voters too: they go first, or the foreign key refuses.
    session.exec(delete(PaperMark).where(PaperMark.consultation_id == consultation.id))
    session.exec(delete(Participation).where(Participation.consultation_id == consultation.id))
    session.exec(delete(Voter).where(Voter.consultation_id == consultation.id))
    if not before_voting:
        consultation.electorate_deleted_at = now
        consultation.eligible_count = voters
        consultation.voted_count = marks
        consultation.paper_count = paper_marks
        session.add(consultation)
    record_event(
        session=session,
        actor=actor,
        action="electorate.deleted" if not before_voting else "electorate.discarded",
        consultation_id=consultation.id,
        voters=voters,
        marks=marks,
        paper_marks=paper_marks,
    )
    session.flush()
    return Deletion(voters, marks, paper_marks)


def due_for_deletion(
    *, session: Session, retention_days: int, now: datetime | None = None
) -> list[Consultation]:
    """Return the published consultations whose electorate is past its retention period."""
    now = now or utcnow()
    due = []
    published = select(Consultation).where(
        Consultation.status == Status.PUBLISHED, Consultation.electorate_deleted_at.is_(None)
    )
    for consultation in session.exec(published):
        moment = deletion_due_at(
            session=session, consultation=consultation, retention_days=retention_days
        )
        if moment is not None and moment <= now:
            due.append(consultation)
    return due
