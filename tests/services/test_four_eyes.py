"""Two people for two steps: publishing after a count, and closing before the scheduled end."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from ballots.signed_steps import Signing, take_step
from results.services import publish_result, tally_consultation
from tests.conftest import SIGNER, close_voting, make_open_consultation
from voting.core.lifecycle import (
    EarlyCloseError,
    FourEyesError,
    request_early_close,
    transition,
)
from voting.core.models import AuditEvent, Consultation, Role, StaffUser, utcnow


def account(session: Session, username: str, role: Role = Role.EDITOR) -> StaffUser:
    """Create a staff account now (no password is needed to approve a step)."""
    user = StaffUser(username=username, password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return user


def tallied(session: Session, by: str = "anna") -> Consultation:
    consultation = session.get(Consultation, make_open_consultation(session).id)
    close_voting(session, consultation)
    tally_consultation(session=session, consultation=consultation, actor=by)
    return consultation


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_account_made_after_the_count_cannot_publish(session):
    # The attack: whoever counted makes a second account and approves with it.
    consultation = tallied(session)
    account(session, "anna-zwei")
    with pytest.raises(FourEyesError) as refused:
        publish_result(session=session, consultation=consultation, actor="anna-zwei")
    assert refused.value.reason == "newer_account"
    assert consultation.status == "tallied"
    assert "consultation.publish" not in actions(session)


def test_only_an_older_active_editor_account_may_publish(session):
    account(session, "ben")
    account(session, "pruefer", Role.AUDITOR)
    account(session, "ruhend").active = False
    consultation = tallied(session, by="anna")
    for actor, reason in [
        ("anna", "same_person"),
        ("niemand", "no_account"),
        ("pruefer", "no_account"),
        ("ruhend", "no_account"),
    ]:
        with pytest.raises(FourEyesError) as refused:
            publish_result(session=session, consultation=consultation, actor=actor)
        assert refused.value.reason == reason, actor
        assert consultation.status == "tallied"
    publish_result(session=session, consultation=consultation, actor="ben")
    assert consultation.status == "published"


def close(session: Session, consultation: Consultation, actor: str, now=None) -> None:
    take_step(
        session=session,
        consultation=consultation,
        action="close",
        actor=actor,
        signing=Signing(SIGNER, 10),
        now=now or utcnow(),
    )


def test_one_person_alone_cannot_close_early(session):
    account(session, "anna")
    consultation = session.get(Consultation, make_open_consultation(session).id)
    with pytest.raises(EarlyCloseError) as refused:
        close(session, consultation, "anna")
    assert refused.value.reason == "no_request"
    assert consultation.status == "open"


def test_the_one_who_asked_cannot_confirm_the_early_close(session):
    account(session, "anna")
    consultation = session.get(Consultation, make_open_consultation(session).id)
    request_early_close(
        session=session, consultation=consultation, actor="anna", reason="Sturm", now=utcnow()
    )
    with pytest.raises(FourEyesError) as refused:
        close(session, consultation, "anna")
    assert refused.value.reason == "same_person"
    assert consultation.status == "open"


def test_a_second_older_account_closes_early_and_the_reason_is_recorded(session):
    account(session, "anna")
    account(session, "ben")
    consultation = session.get(Consultation, make_open_consultation(session).id)
    request_early_close(
        session=session,
        consultation=consultation,
        actor="anna",
        reason="  Die Frage ist durch Ratsbeschluss erledigt.  ",
        now=utcnow(),
    )
    account(session, "carla")  # made after the request: cannot confirm it
    with pytest.raises(FourEyesError) as refused:
        close(session, consultation, "carla")
    assert refused.value.reason == "newer_account"
    close(session, consultation, "ben")
    assert consultation.status == "closed"
    closed = session.exec(select(AuditEvent).where(AuditEvent.action == "consultation.close")).one()
    assert closed.actor == "ben"
    assert closed.details["requested_by"] == "anna"
    assert closed.details["reason"] == "Die Frage ist durch Ratsbeschluss erledigt."


def test_a_request_needs_a_reason_and_stores_nothing_without(session):
    account(session, "anna")
    consultation = session.get(Consultation, make_open_consultation(session).id)
    before = actions(session)
    with pytest.raises(EarlyCloseError) as refused:
        request_early_close(
            session=session, consultation=consultation, actor="anna", reason=" \n ", now=utcnow()
        )
    assert refused.value.reason == "no_reason"
    assert actions(session) == before


def test_nobody_closes_before_the_voting_period_began(session):
    account(session, "anna")
    account(session, "ben")
    later = utcnow() + timedelta(days=1)
    opened = make_open_consultation(
        session,
        period={
            "opens_at": later.isoformat(),
            "closes_at": (later + timedelta(days=7)).isoformat(),
        },
    )
    consultation = session.get(Consultation, opened.id)
    with pytest.raises(EarlyCloseError) as refused:
        request_early_close(
            session=session, consultation=consultation, actor="anna", reason="x", now=utcnow()
        )
    assert refused.value.reason == "not_opened"
    with pytest.raises(EarlyCloseError) as refused:
        close(session, consultation, "ben")
    assert refused.value.reason == "not_opened"
    assert consultation.status == "open"


def test_at_the_scheduled_end_one_person_closes(session):
    consultation = session.get(Consultation, make_open_consultation(session).id)
    transition(
        session=session,
        consultation=consultation,
        action="close",
        actor="anna",
        now=consultation.closes_at,
    )
    assert consultation.status == "closed"
