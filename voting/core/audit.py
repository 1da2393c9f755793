"""The audit trail of staff actions: append-only and hash-chained.

Each event stores the hash of its predecessor and its own hash,
``SHA-256(prev_hash ‖ "\\n" ‖ canonical JSON of who, what, when, which and details)``,
so changing, removing or inserting an event breaks every hash after it. The
unique ``prev_hash`` lets no two events follow the same one.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlmodel import Session, select

from voting.core.models import AuditEvent

GENESIS = ""
# Any constant serves; it keeps appends to the chain one at a time on PostgreSQL.
_CHAIN_LOCK = 0x617564

EXPORT_FIELDS = ("id", "at", "actor", "action", "consultation_id", "details", "prev_hash", "hash")


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    consultation_id: int | None,
    details: dict[str, Any],
) -> str:
    """Return the chain hash of one event given its predecessor's hash."""
    record = json.dumps(
        {
            "action": action,
            "actor": actor,
            "at": _timestamp(at),
            "consultation_id": consultation_id,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{prev_hash}\n{record}".encode()).hexdigest()


def _head(session: Session) -> str:
    last = session.exec(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return last if last is not None else GENESIS


def record_event(
    *, session: Session, actor: str, action: str, consultation_id: int | None = None, **details: Any
) -> AuditEvent:
    """Append an audit event to the chain in the caller's transaction."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Held until commit, so a second writer reads the head only after ours is in.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    # Round-trip details through JSON so the hash covers exactly what is stored.
    details = json.loads(json.dumps(details))
    event = AuditEvent(actor=actor, action=action, consultation_id=consultation_id, details=details)
    event.prev_hash = _head(session)
    event.hash = event_hash(
        prev_hash=event.prev_hash,
        at=event.at,
        actor=actor,
        action=action,
        consultation_id=consultation_id,
        details=details,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of checking the audit trail."""

    events: int
    head: str
    broken_at: int | None = None  # id of the first event that does not fit
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        """Tell whether every event fits its predecessor."""
        return self.broken_at is None


def check_chain(events: Iterable[AuditEvent]) -> ChainCheck:
    """Recompute the chain over ``events`` in id order and report the first break."""
    prev = GENESIS
    count = 0
    for event in events:
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(count, prev, event.id, "does not follow the event before it")
        expected = event_hash(
            prev_hash=prev,
            at=event.at,
            actor=event.actor,
            action=event.action,
            consultation_id=event.consultation_id,
            details=event.details,
        )
        if event.hash != expected:
            return ChainCheck(count, prev, event.id, "was changed after it was written")
        prev = event.hash
    return ChainCheck(count, prev)


def verify_chain(*, session: Session) -> ChainCheck:
    """Check the whole audit trail stored in the database."""
    return check_chain(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


def events(
    *, session: Session, consultation_id: int | None = None, limit: int | None = None
) -> list[AuditEvent]:
    """Return audit events, newest first, optionally of one consultation."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if consultation_id is not None:
        query = query.where(AuditEvent.consultation_id == consultation_id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def export_rows(*, session: Session) -> Iterator[dict[str, Any]]:
    """Yield every event, oldest first, as plain values for CSV or JSON."""
    for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)):
        yield {
            "id": event.id,
            "at": _timestamp(event.at),
            "actor": event.actor,
            "action": event.action,
            "consultation_id": event.consultation_id,
            "details": event.details,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }


def latest_event(*, session: Session, consultation_id: int, action: str) -> AuditEvent | None:
    """Return the newest event of ``action`` for a consultation."""
    query = select(AuditEvent).where(
        AuditEvent.consultation_id == consultation_id, AuditEvent.action == action
    )
    return session.exec(query.order_by(AuditEvent.id.desc()).limit(1)).first()


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an audit event."""


@sa_event.listens_for(AuditEvent, "before_update")
@sa_event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AppendOnlyError(f"audit event {target.id} is append-only")
