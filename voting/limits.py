"""The rate limiter shared by every blueprint, and the throttle on the staff login."""

import logging

from flask import Flask, current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

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


def init_app(app: Flask) -> None:
    """Attach the limiter and throttle login attempts per client address."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    logging.getLogger("flask-limiter").addFilter(_NO_CLIENT_ADDRESS)
    login = app.view_functions.get("staff.login")
    if login is not None:
        # Only attempts count: showing the form is free.
        app.view_functions["staff.login"] = limiter.limit(_login_limit, methods=["POST"])(login)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> Response:
        # A limit with its own answer (the code-guess lockout) brings it along.
        return error.get_response()


_NO_CLIENT_ADDRESS = _NoClientAddress()
