"""Logins (Flask-Login) and the role check every staff route carries."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required
from sqlmodel import Session

from voting.core.models import LoginUser, Role, StaffUser
from voting.web.db import get_session

# Loads the account of a session cookie's id, the id's prefix removed.
AccountLoader = Callable[[Session, str], LoginUser | None]

login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"
# "basic" protection only marks a session as not fresh when the visitor's address or
# browser changes, and nothing here asks for a fresh login. It would also rewrite the
# cookie of every visitor who is not logged in, on every form they send: each vote.
login_manager.session_protection = None


def load_staff_user(session: Session, user_id: str) -> StaffUser | None:
    """Return the active staff member with this id, if any."""
    if not user_id.isdigit():
        return None
    user = session.get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask, loaders: dict[str, AccountLoader]) -> None:
    """Attach the login manager; ``loaders`` load other accounts by their ids' prefixes.

    A staff member's id is a plain number; other kinds of accounts (residents) carry a
    prefix, so one cookie can never name an account of another kind.
    """

    @login_manager.user_loader
    def load_user(user_id: str) -> LoginUser | None:
        for prefix, load in loaders.items():
            if user_id.startswith(prefix):
                return load(get_session(), user_id.removeprefix(prefix))
        return load_staff_user(get_session(), user_id)

    login_manager.init_app(app)


def role_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only logged-in staff with one of ``roles`` through; others get 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.may(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


STAFF = (Role.ADMIN, Role.EDITOR, Role.AUDITOR)
EDITORS = (Role.ADMIN, Role.EDITOR)
AUDITORS = (Role.ADMIN, Role.AUDITOR)
