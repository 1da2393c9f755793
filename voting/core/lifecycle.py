"""A consultation's lifecycle: finding it, its electorate's size and each step's rules.

Two steps need two people. Publishing needs the approval of an active staff account other
than the one that counted, and older than the count: an account made after the tally, by
whoever counted or anyone else, cannot approve. Closing before the scheduled end needs a
written request by one staff member and the confirmation of another whose account is older
than the request; the request is an audit event, and the close records its reason and both
names. Closing on or after the scheduled end stays one person's step.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import selectinload
from sqlmodel import Session, func, select

from voting.core.audit import latest_event, record_event
from voting.core.models import (
    AuditEvent,
    Consultation,
    Question,
    Role,
    StaffUser,
    Status,
    Voter,
    utcnow,
)

BERLIN = ZoneInfo("Europe/Berlin")


class ConsultationError(ValueError):
    """A request that the consultation's state or definition does not allow."""


class FourEyesError(ConsultationError):
    """A step for a second person asked for by the wrong one; ``reason`` says why.

    ``same_person``: the one who counted (or asked to close early) cannot approve it;
    ``no_account``: no active staff account of an editor or administrator has this name;
    ``newer_account``: the account was made after the count (or the request to close).
    """

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class EarlyCloseError(ConsultationError):
    """A close that the clock or a missing request does not allow; ``reason`` says why.

    ``not_opened``: the voting period has not begun; ``no_request``: closing before the
    scheduled end needs a request first; ``no_reason``: a request needs a written reason;
    ``not_early``: the scheduled end has passed, so anyone closes without a request.
    """

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


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


CLOSE_REQUESTED = "consultation.close_requested"
# Who may approve a step of another person: those who may take the step themselves.
APPROVERS = frozenset({Role.ADMIN.value, Role.EDITOR.value})


def _active_editor(*, session: Session, actor: str, slug: str) -> StaffUser:
    """Return the active editor or administrator account named ``actor``, or refuse."""
    account = session.exec(select(StaffUser).where(StaffUser.username == actor)).first()
    if account is None or not account.active or account.role not in APPROVERS:
        raise FourEyesError(
            f"{slug}: {actor!r} is no active staff account of an editor or administrator",
            "no_account",
        )
    return account


def _second_person(
    *, session: Session, first: AuditEvent, actor: str, slug: str, what: str
) -> None:
    """Refuse ``actor`` as the second person to ``first``: same one, no account, or newer."""
    if first.actor == actor:
        raise FourEyesError(
            f"{slug}: {actor} {what} and cannot approve it; another staff member must",
            "same_person",
        )
    account = _active_editor(session=session, actor=actor, slug=slug)
    # An account made at the same moment as the first step is not older than it.
    if account.created_at >= first.at:
        raise FourEyesError(
            f"{slug}: the account {actor!r} was created after the step it would approve",
            "newer_account",
        )


def _check_four_eyes(*, session: Session, consultation: Consultation, actor: str) -> None:
    """Refuse publication but by a second, older account than the one that counted."""
    tallied = latest_event(
        session=session, consultation_id=consultation.id, action="consultation.tally"
    )
    if tallied is None:
        raise ConsultationError(f"{consultation.slug} has not been tallied")
    _second_person(
        session=session, first=tallied, actor=actor, slug=consultation.slug, what="counted it"
    )


def pending_close_request(*, session: Session, consultation: Consultation) -> AuditEvent | None:
    """Return the newest request to close voting early, while voting is open."""
    if consultation.status != Status.OPEN:
        return None
    # Voting opens once, so every request made while it is open still waits.
    return latest_event(session=session, consultation_id=consultation.id, action=CLOSE_REQUESTED)


def _check_closable(consultation: Consultation, now: datetime) -> None:
    if consultation.status != Status.OPEN:
        raise ConsultationError(
            f"cannot close {consultation.slug}: it is {consultation.status}, not open"
        )
    if now < consultation.opens_at:
        raise EarlyCloseError(
            f"cannot close {consultation.slug}: its voting period has not begun", "not_opened"
        )


def request_early_close(
    *, session: Session, consultation: Consultation, actor: str, reason: str, now: datetime
) -> AuditEvent:
    """Record a request to close voting before the scheduled end; another person confirms."""
    reason = reason.strip()
    if not reason:
        raise EarlyCloseError(
            f"{consultation.slug}: closing early needs a written reason", "no_reason"
        )
    _check_closable(consultation, now)
    if now >= consultation.closes_at:
        raise EarlyCloseError(
            f"{consultation.slug}: the voting period is over; close it without a request",
            "not_early",
        )
    _active_editor(session=session, actor=actor, slug=consultation.slug)
    return record_event(
        session=session,
        actor=actor,
        action=CLOSE_REQUESTED,
        consultation_id=consultation.id,
        reason=reason,
    )


def _check_close(
    *, session: Session, consultation: Consultation, actor: str, now: datetime
) -> dict[str, str]:
    """Refuse a close before opening, or before the scheduled end without a second person.

    Return what the close's audit event adds: the request's reason and who asked.
    """
    _check_closable(consultation, now)
    if now >= consultation.closes_at:
        return {}
    request = pending_close_request(session=session, consultation=consultation)
    if request is None:
        raise EarlyCloseError(
            f"cannot close {consultation.slug} before {consultation.closes_at:%Y-%m-%d %H:%M} "
            "UTC: a staff member must first request it with a reason",
            "no_request",
        )
    _second_person(
        session=session,
        first=request,
        actor=actor,
        slug=consultation.slug,
        what="asked to close it early",
    )
    return {"reason": request.details["reason"], "requested_by": request.actor}


def transition(
    *,
    session: Session,
    consultation: Consultation,
    action: str,
    actor: str,
    now: datetime | None = None,
) -> Consultation:
    """Apply a lifecycle step and record it; raise ConsultationError if it is not allowed.

    ``now`` is the moment of the step (the clock if not given); closing depends on it.
    """
    if action not in TRANSITIONS:
        raise ConsultationError(f"unknown action {action!r}")
    source, target = TRANSITIONS[action]
    if consultation.status != source:
        raise ConsultationError(
            f"cannot {action} {consultation.slug}: it is {consultation.status}, not {source}"
        )
    if action == "open" and not electorate_size(session=session, consultation_id=consultation.id):
        raise ConsultationError(f"cannot open {consultation.slug}: its electorate is empty")
    details: dict[str, str] = {}
    if action == "close":
        details = _check_close(
            session=session, consultation=consultation, actor=actor, now=now or utcnow()
        )
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
        **details,
    )
    session.flush()
    return consultation
