"""Staff login (Flask-Login) and the role check every staff route carries."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from voting.db import get_session
from voting.models import Role, StaffUser
from voting.resident_models import RESIDENT_ID_PREFIX, ResidentAccount
from voting.services.residents import load_resident

login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"
# "basic" protection only marks a session as not fresh when the visitor's address or
# browser changes, and nothing here asks for a fresh login. It would also rewrite the
# cookie of every visitor who is not logged in, on every form they send: each vote.
login_manager.session_protection = None


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | ResidentAccount | None:
    """Return the staff member (plain id) or resident (prefixed id) of a session cookie."""
    if user_id.startswith(RESIDENT_ID_PREFIX):
        return load_resident(
            session=get_session(), account_id=user_id.removeprefix(RESIDENT_ID_PREFIX)
        )
    if not user_id.isdigit():
        return None
    user = get_session().get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    """Attach the login manager."""
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
