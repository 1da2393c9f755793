"""The audit trail: each event hashes its predecessor; any change or gap shows."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voting.core.audit import AppendOnlyError, record_event, verify_chain
from voting.core.models import AuditEvent


def three_events(session: Session) -> list[AuditEvent]:
    events = [
        record_event(session=session, actor="anna", action="staff.login"),
        record_event(session=session, actor="anna", action="x.changed", before="a", after="b"),
        record_event(session=session, actor="ben", action="staff.login"),
    ]
    session.commit()
    return events


def test_events_form_a_chain_that_verifies(session):
    events = three_events(session)
    assert events[0].prev_hash == ""
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    check = verify_chain(session=session)
    assert check.is_intact and check.events == 3 and check.head == events[-1].hash


def test_a_changed_event_breaks_the_chain_where_it_was_changed(session):
    events = three_events(session)
    # Behind the application's back, as someone with database access could.
    session.execute(
        text("UPDATE audit_event SET actor = 'mallory' WHERE id = :id"), {"id": events[1].id}
    )
    session.commit()
    session.expire_all()
    check = verify_chain(session=session)
    assert check.broken_at == events[1].id and "changed" in check.problem


def test_a_deleted_event_breaks_the_chain_after_the_gap(session):
    events = three_events(session)
    session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1].id})
    session.commit()
    check = verify_chain(session=session)
    assert check.broken_at == events[2].id and "follow" in check.problem


def test_the_application_cannot_change_or_delete_events(session):
    event = three_events(session)[0]
    event.actor = "mallory"
    session.add(event)
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()
    session.delete(session.get(AuditEvent, event.id))
    with pytest.raises(AppendOnlyError):
        session.flush()


def test_two_events_cannot_follow_the_same_one(session):
    first = record_event(session=session, actor="anna", action="a")
    session.commit()
    session.add(AuditEvent(actor="x", action="fork", prev_hash=first.prev_hash, hash="f" * 64))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert [e.action for e in session.exec(select(AuditEvent))] == ["a"]
