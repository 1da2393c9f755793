"""Rate limits against guessing polling codes: per client address and consultation."""

import time

from flask import current_app, g, make_response, request
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from voting.web.errors import render_error
from voting.web.limits import limiter


def _guess_key() -> str:
    slug = (request.view_args or {}).get("slug", "")
    return f"code-guess/{get_remote_address()}/{slug}"


def _code_was_refused(_response: Response) -> bool:
    """Count only wrong codes: a resident who votes or mistypes an answer loses nothing."""
    return bool(g.get("code_refused"))


def _locked_out(limit: RequestLimit) -> Response:
    """Tell a locked-out client when it may try again (429 with Retry-After)."""
    seconds = max(1, int(limit.reset_at - time.time()))
    minutes = -(-seconds // 60)
    message = ngettext(
        "Too many invalid codes were entered from your connection. "
        "Please try again in %(num)d minute.",
        "Too many invalid codes were entered from your connection. "
        "Please try again in %(num)d minutes.",
        minutes,
    )
    response = make_response(render_error(429, message))
    response.headers["Retry-After"] = str(seconds)
    return response


def mark_code_refused() -> None:
    """Record that this request named a wrong polling code, so it counts against the limit."""
    g.code_refused = True


guard_code_guesses = limiter.limit(
    lambda: current_app.config["CODE_GUESS_LIMIT"],
    key_func=_guess_key,
    methods=["POST"],
    deduct_when=_code_was_refused,
    on_breach=_locked_out,
)
