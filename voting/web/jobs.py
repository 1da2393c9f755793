"""Long work outside the request: a job row, a durable queue (Huey) and a worker process.

A view adds the job's row (with the plain values the work needs in ``params``), puts
any upload into the job's folder, commits, and enqueues the job's id. The worker
(``flask --app voting.app jobs worker``, Huey's consumer) takes it from the queue,
opens a session of its own on the app's engine and runs the work registered for the
job's kind. Nothing lives in a web process's memory: the queue is a SQLite file in
the instance folder or Redis (``JOBS_REDIS_URL``), live progress is kept in the
queue's storage, the outcome in the row, files in the jobs folder (see job_files).
So a web worker may be recycled at any time, and a job enqueued while no worker ran
is done once one starts.

A job whose worker stopped halfway is enqueued again when the worker starts: the work
is written so that running it again finishes it (what a run committed is committed
together with the row's state, and what it still needs is in the job's folder).
"""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper
from sqlmodel import Session, select

from voting.core.models import Job, JobStatus, utcnow
from voting.web.db import get_engine
from voting.web.job_files import JobFiles, sweep

EXTENSION_KEY = "buergervotum.jobs"
QUEUE_NAME = "buergervotum"
ProgressReport = Callable[[str, int, int], None]
# Live progress is written at most this often (and at each new phase and the end):
# each write is a write to the queue's storage.
PROGRESS_INTERVAL = 0.5
# The SQLite queue is polled; a worker with nothing to do looks again within a second.
POLL_MAX_DELAY = 1.0
UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """How far a running job is: a phase name, done of total."""

    phase: str = ""
    done: int = 0
    total: int = 0


@dataclass
class JobRun:
    """What a job's work gets: its row, a session of its own, the settings, its files."""

    job: Job
    session: Session
    config: Mapping[str, Any]
    files: JobFiles
    progress: ProgressReport


Work = Callable[[JobRun], dict[str, Any]]


@dataclass
class JobQueue:
    """The app's queue, the jobs folder and the Huey task of each kind of job."""

    huey: Huey
    folder: Path
    tasks: dict[str, TaskWrapper]


def make_huey(config: Mapping[str, Any]) -> Huey:
    """Return the queue: Redis where JOBS_REDIS_URL is set, else a SQLite file."""
    url = config.get("JOBS_REDIS_URL")
    if url:
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    path = Path(config["JOBS_QUEUE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def init_app(app: Flask, kinds: Mapping[str, Work]) -> None:
    """Create the app's queue with a task for each kind of job and the files' sweep."""
    huey = make_huey(app.config)
    folder = Path(app.config["JOBS_FOLDER"])
    tasks = {kind: _register(huey, app, kind, work) for kind, work in kinds.items()}

    def sweep_job_files() -> None:
        sweep(folder)

    huey.periodic_task(crontab(minute="*/10"))(sweep_job_files)
    app.extensions[EXTENSION_KEY] = JobQueue(huey, folder, tasks)


def _register(huey: Huey, app: Flask, kind: str, work: Work) -> TaskWrapper:
    def run_job(job_id: int) -> None:
        _run(app, job_id, work)

    # Each kind a task of its own name, so that the worker's log says what it runs.
    return huey.task(name=f"job_{kind}")(run_job)


def job_queue(app: Flask | None = None) -> JobQueue:
    """Return the queue of ``app``, or of the current app."""
    return (app or current_app).extensions[EXTENSION_KEY]


def job_files(job_id: int, app: Flask | None = None) -> JobFiles:
    """Return the files of a job."""
    return JobFiles(job_queue(app).folder, job_id)


def create_job(
    *,
    session: Session,
    kind: str,
    actor: str,
    consultation_id: int | None,
    params: dict[str, Any] | None = None,
) -> Job:
    """Add the row of a new, queued job in the caller's transaction."""
    job = Job(kind=kind, actor=actor, consultation_id=consultation_id, params=params or {})
    session.add(job)
    session.flush()
    return job


def enqueue(job: Job, app: Flask | None = None) -> None:
    """Put a committed job into the queue; the worker runs it."""
    job_queue(app).tasks[job.kind](job.id)


def progress(job_id: int, app: Flask | None = None) -> Progress | None:
    """Return how far a running job is, as its worker last wrote it."""
    try:
        value = job_queue(app).huey.get(_progress_key(job_id), peek=True)
    except Exception:  # noqa: BLE001 - a queue that does not answer leaves the page without a bar
        logger.warning("progress of job %s unreadable", job_id)
        return None
    return Progress(*value) if value else None


def _progress_key(job_id: int) -> str:
    return f"progress:{job_id}"


class _ProgressWriter:
    """Write a job's progress to the queue's storage, not more often than needed."""

    def __init__(self, huey: Huey, job_id: int) -> None:
        self.huey = huey
        self.key = _progress_key(job_id)
        self.last = Progress()
        self.written_at = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        new_phase = phase != self.last.phase
        self.last = Progress(phase, done, total)
        if new_phase or done >= total or now - self.written_at >= PROGRESS_INTERVAL:
            self.written_at = now
            self.huey.put(self.key, (phase, done, total))

    def clear(self) -> None:
        self.huey.delete(self.key)


def _run(app: Flask, job_id: int, work: Work) -> None:
    """Run a job's work in a session of its own and record in its row how it ended."""
    queue = job_queue(app)
    files = JobFiles(queue.folder, job_id)
    writer = _ProgressWriter(queue.huey, job_id)
    with app.app_context(), Session(get_engine(), expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        if job is None or job.status not in UNFINISHED:
            return  # delivered twice, or finished before a restart: nothing left to do
        job.status = JobStatus.RUNNING.value
        job.started_at = job.started_at or utcnow()
        session.add(job)
        session.commit()
        run = JobRun(job=job, session=session, config=app.config, files=files, progress=writer)
        try:
            result = work(run)
            error = ""
        except Exception as exc:  # noqa: BLE001 - any failure ends the job, never the worker
            session.rollback()
            result, error = {}, str(exc) or type(exc).__name__
            app.logger.warning("job %s (%s) failed", job_id, type(exc).__name__)
        job = session.get(Job, job_id)
        job.status = (JobStatus.FAILED if error else JobStatus.DONE).value
        job.error = error
        job.result = result if not error else job.result
        job.done, job.total = writer.last.done, writer.last.total
        job.finished_at = utcnow()
        session.add(job)
        # The work's own writes (a tally) are committed here, together with the row.
        session.commit()
    if error:
        files.remove_all()
    else:
        files.remove_inputs()
    writer.clear()


def requeue_unfinished(app: Flask) -> int:
    """Enqueue again the jobs that are neither done nor in the queue; return how many.

    A job whose worker was stopped during it is still "running"; one whose enqueueing
    failed is still "queued". Run when the worker starts, before it takes work.
    """
    queue = job_queue(app)
    waiting = {task.args[0] for task in queue.huey.pending() if task.args}
    with app.app_context(), Session(get_engine()) as session:
        unfinished = session.exec(
            select(Job.id, Job.kind).where(Job.status.in_(UNFINISHED)).order_by(Job.id)
        ).all()
    count = 0
    for job_id, kind in unfinished:
        if job_id not in waiting and kind in queue.tasks:
            queue.tasks[kind](job_id)
            count += 1
    return count


jobs_cli = AppGroup("jobs", help="Long work outside the web server: importing, letters, counting.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
def jobs_worker(workers: int) -> None:
    """Run the job worker until stopped (Ctrl-C or SIGINT lets running jobs finish)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    # What the worker takes and how long it took; the tasks' arguments are job ids only.
    logging.getLogger("huey").setLevel(logging.INFO)
    queue = job_queue(app)
    sweep(queue.folder)
    requeued = requeue_unfinished(app)
    if requeued:
        click.echo(f"{requeued} unfinished job(s) queued again")
    consumer = queue.huey.create_consumer(
        workers=workers, worker_type="thread", max_delay=POLL_MAX_DELAY
    )
    consumer.run()


def register(app: Flask) -> None:
    """Add the job commands to the app's CLI."""
    app.cli.add_command(jobs_cli)
