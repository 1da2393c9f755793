"""Staff accounts with argon2 password hashes."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from voting.core.audit import record_event
from voting.core.models import Role, StaffUser
from voting.web.passwords import ENGLISH, password_problem

_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name takes as long
# as a wrong password and response times do not reveal which names exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A staff account that cannot be created as asked."""


def create_staff_user(
    *, session: Session, username: str, password: str, role: Role, actor: str
) -> StaffUser:
    """Create a staff member; the password is stored as an argon2 hash only."""
    username = username.strip()
    if not username:
        raise AccountError("the user name is empty")
    problem = password_problem(password, username=username)
    if problem:
        raise AccountError(ENGLISH[problem])
    if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
        raise AccountError(f"a staff member named {username!r} exists already")
    user = StaffUser(username=username, password_hash=_hasher.hash(password), role=role.value)
    session.add(user)
    session.flush()
    record_event(
        session=session, actor=actor, action="staff.created", username=username, role=role.value
    )
    return user


def authenticate(*, session: Session, username: str, password: str) -> StaffUser | None:
    """Return the active staff member with these credentials, or None."""
    user = session.exec(select(StaffUser).where(StaffUser.username == username.strip())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user
