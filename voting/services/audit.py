"""The audit trail of staff actions."""

from typing import Any

from sqlmodel import Session

from voting.models import AuditEvent


def record_event(
    *, session: Session, actor: str, action: str, consultation_id: int | None = None, **details: Any
) -> AuditEvent:
    """Append an audit event in the caller's transaction."""
    event = AuditEvent(actor=actor, action=action, consultation_id=consultation_id, details=details)
    session.add(event)
    return event
