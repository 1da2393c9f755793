"""The job queue in tests: run what is queued in this thread, or run a real worker.

``run_queued_jobs`` takes each task from the app's real queue and executes it as a
worker thread of Huey's consumer does (dequeue, execute), so that tests stay
deterministic; ``running_worker`` runs Huey's consumer itself, in threads of the test
process, for the tests about the worker.
"""

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from huey.consumer import Consumer
from sqlmodel import Session

from voting.core.models import Job, JobStatus
from voting.web.db import EXTENSION_KEY as ENGINE
from voting.web.jobs import job_queue

# The consumer sets these for its own process; the test runner keeps its own.
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run_queued_jobs(app: Flask) -> int:
    """Run every job waiting in the app's queue, here and now; return how many ran."""
    huey = job_queue(app).huey
    count = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        count += 1
    return count


@contextmanager
def running_worker(app: Flask, workers: int = 1) -> Iterator[Consumer]:
    """Run Huey's consumer on the app's queue in threads while the block runs."""
    saved = {number: signal.getsignal(number) for number in HANDLED_SIGNALS}
    consumer = job_queue(app).huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=False,
        initial_delay=0.02,
        max_delay=0.2,
        check_worker_health=False,
    )
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


def wait_for_job(app: Flask, job_id: int, timeout: float = 60) -> Job:
    """Wait until a job has ended, as its row says; return the row."""
    deadline = time.monotonic() + timeout
    with Session(app.extensions[ENGINE], expire_on_commit=False) as session:
        while True:
            job = session.get(Job, job_id)
            if job is not None and job.status in (JobStatus.DONE, JobStatus.FAILED):
                return job
            assert time.monotonic() < deadline, f"job {job_id} did not end: {job}"
            session.expire_all()
            session.rollback()
            time.sleep(0.05)
