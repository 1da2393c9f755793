"""Long work run beside the request: a job row for its state, a thread, and progress in memory.

A job runs in a thread of the process that started it, so no web worker waits for
minutes. Its row in the database says who started what and how it ended; the live
count and a file it produced (the polling-card letters) stay in this process's
memory only, and the file is handed out once and then forgotten: letters are
never stored. With several processes, the progress page shows the count where it
reaches the process running the job, and the state from the database elsewhere.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlmodel import Session

from voting.core.models import Job, JobStatus, utcnow
from voting.web.db import get_engine

Work = Callable[..., dict[str, Any]]
ProgressReport = Callable[[str, int, int], None]
FILE_TTL_SECONDS = 3600


@dataclass
class Progress:
    """How far a running job is: a phase name, done of total."""

    phase: str = ""
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class JobFile:
    """A file a job produced, waiting in memory to be downloaded once."""

    data: bytes
    mimetype: str
    filename: str
    expires: float


_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}
_progress: dict[int, Progress] = {}
_files: dict[int, JobFile] = {}


def create_job(*, session: Session, kind: str, actor: str, consultation_id: int | None) -> Job:
    """Add the row of a new job in the caller's transaction."""
    job = Job(kind=kind, actor=actor, consultation_id=consultation_id)
    session.add(job)
    session.flush()
    return job


def run_in_background(app: Flask, job_id: int, work: Work) -> None:
    """Run ``work(session=…, progress=…)`` in a thread and record how it ended.

    Start it after the job row is committed. ``progress(phase, done, total)``
    updates the live count; the dict that ``work`` returns is kept as the job's result.
    """
    _progress[job_id] = Progress()

    def report(phase: str, done: int, total: int) -> None:
        _progress[job_id] = Progress(phase, done, total)

    def target() -> None:
        with app.app_context(), Session(get_engine(), expire_on_commit=False) as session:
            try:
                result = work(session=session, progress=report)
                error = ""
            except Exception as exc:  # noqa: BLE001 - any failure ends the job, never the server
                session.rollback()
                result, error = {}, str(exc) or type(exc).__name__
                app.logger.warning("job %s (%s) failed", job_id, type(exc).__name__)
            job = session.get(Job, job_id)
            job.status = (JobStatus.FAILED if error else JobStatus.DONE).value
            job.error = error
            job.result = result
            # The final count moves into the row; the live one is no longer needed.
            live = _progress.pop(job_id, None)
            job.done, job.total = (live.done, live.total) if live else (0, 0)
            job.finished_at = utcnow()
            session.add(job)
            session.commit()

    thread = threading.Thread(target=target, name=f"job-{job_id}", daemon=True)
    with _lock:
        _threads[job_id] = thread
    thread.start()


def live_progress(job_id: int) -> Progress | None:
    """Return the live count of a job running in this process, if any."""
    return _progress.get(job_id)


def wait_for(job_id: int, timeout: float = 60) -> None:
    """Wait until a job of this process has ended (for the command line and tests)."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)


def keep_file(job_id: int, data: bytes, mimetype: str, filename: str) -> None:
    """Hold a job's file in memory until it is downloaded or expires."""
    with _lock:
        now = time.monotonic()
        for key in [k for k, f in _files.items() if f.expires < now]:
            del _files[key]
        _files[job_id] = JobFile(data, mimetype, filename, now + FILE_TTL_SECONDS)


def has_file(job_id: int) -> bool:
    """Tell whether this process still holds the job's file."""
    file = _files.get(job_id)
    return file is not None and file.expires >= time.monotonic()


def take_file(job_id: int) -> JobFile | None:
    """Hand out a job's file once: it is forgotten as it is taken."""
    with _lock:
        file = _files.pop(job_id, None)
    return file if file is not None and file.expires >= time.monotonic() else None
