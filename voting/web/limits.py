"""The rate limiter shared by every blueprint, and the throttle on the staff login."""

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from voting.web.errors import render_error

# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default, redis://… in production).
limiter = Limiter(key_func=get_remote_address, headers_enabled=False)


class _NoClientAddress(logging.Filter):
    """Drop the client address that Flask-Limiter writes when a limit is exceeded."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("ratelimit ")
            and (isinstance(args, tuple) and len(args) == 3)
        ):
            record.args = (args[0], "client", args[2])
        return True


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@cache
def _throttled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Return the view with the login limit; once per view, as each call registers a limit."""
    # Only refused attempts count: showing the form and logging in are free.
    return limiter.limit(
        _login_limit, methods=["POST"], deduct_when=lambda response: response.status_code >= 400
    )(view)


def init_app(app: Flask) -> None:
    """Attach the limiter and throttle login attempts per client address."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    logging.getLogger("flask-limiter").addFilter(_NO_CLIENT_ADDRESS)
    login = app.view_functions.get("staff.login")
    if login is not None:
        app.view_functions["staff.login"] = _throttled(login)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> Response | tuple[Any, int]:
        # A limit with its own answer (the code-guess lockout) brings it along.
        if error.response is not None:
            return error.response
        return render_error(429)


_NO_CLIENT_ADDRESS = _NoClientAddress()
