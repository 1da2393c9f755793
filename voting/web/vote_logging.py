"""Log lines that cannot tie a vote to a person or to a moment.

A line that names a vote request together with the client's address, or with the
time to the second, links a person to a position in the ballot log: the order and
timing of casts is the order of the leaves. So while the app handles a vote request
(the ballot page and its POST, by code or by account) or a receipt check (the check
pages and the inclusion proof of one leaf), every record it logs tells the hour only
and names no client address. Other requests keep their ordinary log lines.

gunicorn's access log is made to match in ``voting.web.access_log``; the reverse
proxy's in docs/deployment.md ("Logs").
"""

import logging
import re
from datetime import datetime
from typing import Any

from flask import Flask, has_request_context, request

# The vote page and its POST (by polling code or by resident account), the receipt check
# (page and API) and the inclusion proof, whose query names the asker's leaf.
_VOTE_PATH = re.compile(
    r"/consultations/[^/]+/vote(?:/account)?"
    r"|/verify"
    r"|/api/v1/receipts/verify"
    r"|/api/v1/consultations/[^/]+/log/proof"
)
CLIENT = "client"


def is_vote_request(path: str) -> bool:
    """Tell whether a request path casts a vote or checks one (query string excluded)."""
    return _VOTE_PATH.fullmatch(path.rstrip("/") or "/") is not None


def start_of_hour(timestamp: float) -> float:
    """Return the start of the local hour that ``timestamp`` falls in."""
    moment = datetime.fromtimestamp(timestamp)
    return moment.replace(minute=0, second=0, microsecond=0).timestamp()


def blur_record(record: logging.LogRecord, addresses: set[str]) -> None:
    """Cut the record's time to the hour and replace the given addresses in its message."""
    hour = start_of_hour(record.created)
    record.relativeCreated -= (record.created - hour) * 1000
    record.created, record.msecs = hour, 0.0
    addresses.discard("")
    if not addresses:
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a broken format string; logging reports it when the record is handled
    if any(address in message for address in addresses):
        for address in sorted(addresses, key=len, reverse=True):
            message = message.replace(address, CLIENT)
        record.msg, record.args = message, ()


def _client_addresses() -> set[str]:
    """Return every address the current request came from or through."""
    environ = request.environ
    addresses = {request.remote_addr or "", environ.get("REMOTE_ADDR", "")}
    original = environ.get("werkzeug.proxy_fix.orig", {})
    addresses.add(original.get("REMOTE_ADDR") or "")
    forwarded = original.get("HTTP_X_FORWARDED_FOR") or environ.get("HTTP_X_FORWARDED_FOR", "")
    addresses.update(part.strip() for part in forwarded.split(","))
    return addresses


def _vote_blind(base: Any) -> Any:
    """Wrap a log record factory so that records made during vote requests are blurred."""

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = base(*args, **kwargs)
        if has_request_context() and is_vote_request(request.path):
            blur_record(record, _client_addresses())
        return record

    make_record.vote_blind = True  # type: ignore[attr-defined]
    return make_record


class _NoVoteRequestLines(logging.Filter):
    """Keep the development server's request lines (address, second) of vote requests out."""

    def filter(self, record: logging.LogRecord) -> bool:
        # werkzeug logs '"POST /path?query HTTP/1.1" 200 -' as the first of its arguments.
        args = record.args if isinstance(record.args, tuple) else ()
        request_line = str(args[0]) if args else ""
        parts = request_line.split()
        return not (len(parts) >= 2 and is_vote_request(parts[1].split("?", 1)[0]))


_DEV_SERVER_FILTER = _NoVoteRequestLines()


def init_app(app: Flask) -> None:
    """Make every log record of a vote request hour-only and address-free, once per process."""
    # The record factory is process-wide: whatever logger a library uses during the
    # request (SQLAlchemy, Flask-Limiter, Flask's own error report), its record is blurred.
    if not getattr(logging.getLogRecordFactory(), "vote_blind", False):
        logging.setLogRecordFactory(_vote_blind(logging.getLogRecordFactory()))
    # `flask run` (the demo's `make run`) logs each request after its context has ended.
    logging.getLogger("werkzeug").addFilter(_DEV_SERVER_FILTER)
