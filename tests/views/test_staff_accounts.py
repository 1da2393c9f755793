"""Administrators create staff accounts, change roles and deactivate them; all audited."""

from sqlmodel import select

from tests.conftest import PASSWORD, csrf_token
from voting.core.models import AuditEvent, Role, StaffUser


def test_admin_creates_changes_and_deactivates_an_account(client, session, auth):
    auth.login("chefin", Role.ADMIN)
    url = "/staff/accounts/"
    token = csrf_token(client, url)
    short = client.post(
        url, data={"csrf_token": token, "username": "ben", "role": "editor", "password": "kurz"}
    )
    assert short.status_code == 400 and "mindestens 12 Zeichen" in short.get_data(as_text=True)
    created = client.post(
        url, data={"csrf_token": token, "username": "ben", "role": "editor", "password": PASSWORD}
    )
    assert created.status_code == 302
    twice = client.post(
        url, data={"csrf_token": token, "username": "ben", "role": "editor", "password": PASSWORD}
    )
    assert twice.status_code == 409 and "existiert bereits" in twice.get_data(as_text=True)
    ben = session.exec(select(StaffUser).where(StaffUser.username == "ben")).one()
    changed = client.post(
        f"{url}{ben.id}", data={"csrf_token": token, f"u{ben.id}-role": "auditor"}
    )
    assert changed.status_code == 302
    session.rollback()
    session.expire_all()
    ben = session.get(StaffUser, ben.id)
    assert (ben.role, ben.active) == ("auditor", False)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.updated")).one()
    assert event.details["before"] == {"role": "editor", "active": True}
    assert event.actor == "chefin"
    # Nobody changes their own account.
    me = session.exec(select(StaffUser).where(StaffUser.username == "chefin")).one()
    client.post(f"{url}{me.id}", data={"csrf_token": token, f"u{me.id}-role": "auditor"})
    session.rollback()
    session.expire_all()
    assert session.get(StaffUser, me.id).role == "admin"
