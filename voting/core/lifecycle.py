"""A consultation's lifecycle: finding it, its electorate's size and each step's rules."""

from zoneinfo import ZoneInfo

from sqlalchemy.orm import selectinload
from sqlmodel import Session, func, select

from voting.core.audit import latest_event, record_event
from voting.core.models import Consultation, Question, Status, Voter

BERLIN = ZoneInfo("Europe/Berlin")


class ConsultationError(ValueError):
    """A request that the consultation's state or definition does not allow."""


class FourEyesError(ConsultationError):
    """Publication asked for by the staff member who counted: a second person must approve."""


class UnpublishableError(ConsultationError):
    """Stored ballots that do not match their leaves in the log: publishing would mislead."""

    def __init__(self, slug: str, leaves: list[int]) -> None:
        self.leaves = leaves
        super().__init__(f"{slug}: ballots at log positions {leaves} fail their commitments")


class PaperEntryIncompleteError(ConsultationError):
    """Paper ballots keyed once only, or twice differently: the count waits for them."""

    def __init__(self, slug: str, sheets: list[int]) -> None:
        self.sheets = sheets
        super().__init__(f"{slug}: paper ballot sheets {sheets} are not agreed yet")


class StorageTracesError(ConsultationError):
    """Storage still holds the order of voting (ballots.traces); the count waits for it."""


def find_consultation(*, session: Session, slug: str) -> Consultation | None:
    """Return the consultation with this slug, if any, its questions and options loaded."""
    # Two queries for every question and option, instead of one per question on first use.
    return session.exec(
        select(Consultation)
        .where(Consultation.slug == slug)
        .options(selectinload(Consultation.questions).selectinload(Question.options))
    ).first()


# Which status each staff action leads from and to. Tallying and publishing
# belong to the results package, which adds its own checks before moving on.
TRANSITIONS = {
    "schedule": (Status.DRAFT, Status.SCHEDULED),
    "open": (Status.SCHEDULED, Status.OPEN),
    "close": (Status.OPEN, Status.CLOSED),
    "tally": (Status.CLOSED, Status.TALLIED),
    "publish": (Status.TALLIED, Status.PUBLISHED),
}


def electorate_size(*, session: Session, consultation_id: int) -> int:
    """Return the number of voters in a consultation's electorate."""
    return session.exec(
        select(func.count()).select_from(Voter).where(Voter.consultation_id == consultation_id)
    ).one()


def _check_four_eyes(*, session: Session, consultation: Consultation, actor: str) -> None:
    """Refuse publication by whoever counted: the result needs a second person's approval."""
    tallied = latest_event(
        session=session, consultation_id=consultation.id, action="consultation.tally"
    )
    if tallied is not None and tallied.actor == actor:
        raise FourEyesError(
            f"{consultation.slug} was counted by {actor}; another staff member must publish it"
        )


def transition(
    *, session: Session, consultation: Consultation, action: str, actor: str
) -> Consultation:
    """Apply a lifecycle step and record it; raise ConsultationError if it is not allowed."""
    if action not in TRANSITIONS:
        raise ConsultationError(f"unknown action {action!r}")
    source, target = TRANSITIONS[action]
    if consultation.status != source:
        raise ConsultationError(
            f"cannot {action} {consultation.slug}: it is {consultation.status}, not {source}"
        )
    if action == "open" and not electorate_size(session=session, consultation_id=consultation.id):
        raise ConsultationError(f"cannot open {consultation.slug}: its electorate is empty")
    if action == "publish":
        _check_four_eyes(session=session, consultation=consultation, actor=actor)
    consultation.status = target.value
    session.add(consultation)
    record_event(
        session=session,
        actor=actor,
        action=f"consultation.{action}",
        consultation_id=consultation.id,
        before=source.value,
        after=target.value,
    )
    session.flush()
    return consultation
