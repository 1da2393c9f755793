"""Who the logged-in resident is, and the checks resident pages carry."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voting.residents.models import ResidentAccount
from voting.web.security import is_local_path


def current_resident() -> ResidentAccount | None:
    """Return the logged-in resident; None for visitors and staff."""
    user = current_user._get_current_object()  # the proxied object, for isinstance
    return user if isinstance(user, ResidentAccount) else None


def resident_required(
    *, verified: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only logged-in residents through (with ``verified``, only verified ones)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            resident = current_resident()
            if resident is None:
                flash(_("Please log in with your resident account to continue."), "info")
                return redirect(url_for("residents.login", next=request.full_path.rstrip("?")))
            if verified and not resident.is_verified:
                flash(
                    _("Please first verify your residency with the code from your letter."),
                    "info",
                )
                return redirect(url_for("residents.verify"))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, fallback: str) -> str:
    """Return a local path to go on to after login; anything else goes to ``fallback``."""
    return target if target and is_local_path(target) else fallback
