"""Administrators change staff members' roles and deactivate accounts."""

from sqlmodel import Session, select

from voting.core.audit import record_event
from voting.core.models import Role, StaffUser
from voting.staff.services import AccountError


def list_staff(*, session: Session) -> list[StaffUser]:
    """Return every staff account, by name."""
    return list(session.exec(select(StaffUser).order_by(StaffUser.username)))


def update_staff_user(
    *, session: Session, user_id: int, role: Role, active: bool, actor: str
) -> StaffUser:
    """Set a member's role and whether the account may log in; audited with before and after.

    Nobody changes their own account here, so an administrator cannot lock the last one out.
    """
    user = session.get(StaffUser, user_id)
    if user is None:
        raise AccountError("no such staff member")
    if user.username == actor:
        raise AccountError("you cannot change your own account")
    before = {"role": user.role, "active": user.active}
    after = {"role": role.value, "active": active}
    if before == after:
        return user
    user.role, user.active = role.value, active
    session.add(user)
    record_event(
        session=session,
        actor=actor,
        action="staff.updated",
        username=user.username,
        before=before,
        after=after,
    )
    session.flush()
    return user
