"""gunicorn's access log without client addresses, and vote requests only as hourly counts.

A line per vote request would give away its moment and, by its place in the file, its
position in the ballot log, even without an address. So vote requests
(``voting.web.vote_logging.is_vote_request``) get no line of their own: each worker
counts them by method and status and writes one line per hour with the counts and the
mean duration, enough to watch refusals and errors during voting. Every other request
keeps its line, but no atom of it can name the client: address, user agent, referrer,
forwarded headers, query string and cookies are blanked whatever format is configured.

gunicorn's error log is held at INFO at least: at DEBUG it writes a line per request and
per connection, each with its second. Its lines about a failed vote request tell the
hour only, and the client address it names for a malformed request is replaced.

Named by gunicorn.conf.py (``logger_class``, ``worker_exit``).
"""

import logging
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from gunicorn.glogging import Logger

from voting.web.vote_logging import CLIENT, blur_record, is_vote_request, start_of_hour

# Atoms that would name the client or carry what it sent beyond method and path.
_BLANK_ATOMS = ("h", "l", "u", "f", "a", "q")
# gunicorn's "Invalid request from ip=…" (workers/base.py).
_IP = re.compile(r"\bip=\S+?(?=:? |$)")


class _VoteBlindErrors(logging.Filter):
    """Give gunicorn's own lines about vote requests the hour only, and no address."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        if _IP.search(message):
            record.msg, record.args = _IP.sub(f"ip={CLIENT}", message), ()
        if any(is_vote_request(word.split("?", 1)[0]) for word in message.split()):
            blur_record(record, set())
        return True


_ERROR_FILTER = _VoteBlindErrors()


class VoteBlindLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with vote requests counted per hour instead of logged."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if self.loglevel < logging.INFO:
            self.loglevel = logging.INFO
            self.error_log.setLevel(logging.INFO)
            self.error_log.info("log level raised to info: debug lines would time every request")
        self.error_log.addFilter(_ERROR_FILTER)
        if not hasattr(self, "_votes"):
            self._votes_lock = threading.Lock()
            self._votes: Counter[tuple[str, str]] = Counter()
            self._vote_ms: Counter[tuple[str, str]] = Counter()
            self._votes_hour: float | None = None

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: timedelta) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        # Headers ({…}i) and the environment ({…}e) hold the address, X-Forwarded-For and
        # cookies; the response headers ({…}o) may stay. Missing atoms print as "-".
        kept = {key: value for key, value in atoms.items() if not key.endswith(("}i", "}e"))}
        kept.update(dict.fromkeys(_BLANK_ATOMS, "-"))
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "-")
        kept["r"] = f"{method} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        return kept

    def access(self, resp: Any, req: Any, environ: Any, request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        if is_vote_request(environ.get("PATH_INFO", "")):
            status = str(resp.status).split(None, 1)[0]
            self._count_vote(environ.get("REQUEST_METHOD", "-"), status, request_time)
            return
        self.flush_vote_counts(only_past_hours=True)
        super().access(resp, req, environ, request_time)

    def _count_vote(self, method: str, status: str, request_time: timedelta) -> None:
        hour = start_of_hour(time.time())
        if self._votes_hour is not None and hour != self._votes_hour:
            self.flush_vote_counts()
        with self._votes_lock:
            self._votes_hour = hour
            self._votes[method, status] += 1
            self._vote_ms[method, status] += request_time // timedelta(milliseconds=1)

    def flush_vote_counts(self, *, only_past_hours: bool = False) -> None:
        """Write the counts of the hour collected so far (at the hour's end or on exit)."""
        with self._votes_lock:
            hour = self._votes_hour
            if hour is None or (only_past_hours and hour == start_of_hour(time.time())):
                return
            counts = ", ".join(
                f"{method} {status} ×{count} ({self._vote_ms[method, status] // count} ms mean)"
                for (method, status), count in sorted(self._votes.items())
            )
            self._votes.clear()
            self._vote_ms.clear()
            self._votes_hour = None
        start = datetime.fromtimestamp(hour).astimezone()
        label = f"{start:%Y-%m-%d %H}:00–{start + timedelta(hours=1):%H}:00 {start:%z}"
        self.access_log.info("vote requests %s: %s", label, counts)


def worker_exit(_server: Any, worker: Any) -> None:
    """Write the vote counts of the unfinished hour before the worker goes."""
    flush = getattr(worker.log, "flush_vote_counts", None)
    if flush is not None:
        flush()
