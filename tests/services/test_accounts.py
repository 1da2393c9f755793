"""Staff accounts are created only with a password that passes the rule."""

import pytest
from sqlmodel import select

from voting.core.models import Role, StaffUser
from voting.staff.services import AccountError, create_staff_user


@pytest.mark.parametrize("password", ["passwort", "Passwort12345", "anna-von-der-redaktion"])
def test_weak_passwords_create_no_account(session, password):
    with pytest.raises(AccountError, match="password"):
        create_staff_user(
            session=session, username="anna", password=password, role=Role.EDITOR, actor="test"
        )
    session.rollback()
    assert session.exec(select(StaffUser)).all() == []
