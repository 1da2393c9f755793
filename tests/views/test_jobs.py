"""Jobs outlive the process that started them: the queue, progress and letters are durable.

Each test goes through the staff pages as a person would, and the job worker is real:
Huey's consumer in threads of this process, or `flask jobs worker` in a process of its
own that is killed halfway.
"""

import csv
import io
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from ballots.casting import hash_code
from tests.conftest import PSEUDONYM_KEY, csrf_token, jobs_config, make_staff, spec_data
from tests.jobs import run_queued_jobs, running_worker, wait_for_job
from voting.app import create_app
from voting.consultations.services import load_consultation, parse_spec
from voting.core.models import Job, JobStatus, Role, Voter
from voting.web.db import EXTENSION_KEY as ENGINE
from voting.web.db import get_engine
from voting.web.jobs import job_files, job_queue, progress, requeue_unfinished

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum\n"
BASE = "/staff/consultations/stadtpark/electorate"


def register(count: int) -> str:
    """Return a register export of ``count`` adults."""
    lines = (
        f"{n};Erika;Muster{n};Marktstraße {n};67655;Kaiserslautern;Innenstadt;01.02.1960\n"
        for n in range(1, count + 1)
    )
    return HEADER + "".join(lines)


def draft(session: Session) -> None:
    spec = parse_spec(spec_data(), known_methods={"yes_no", "single", "approval"})
    load_consultation(session=session, spec=spec, actor="test")
    session.commit()


def log_in(client: FlaskClient) -> None:
    """Log the editor in through the login form."""
    data = {
        "csrf_token": csrf_token(client, "/staff/login"),
        "username": "redaktion",
        "password": "correct horse battery",
    }
    assert client.post("/staff/login", data=data).status_code == 302


def start_import(client: FlaskClient, text: str, letters: str) -> int:
    """Preview and import a register through the staff pages; return the job's id."""
    for step in ("preview", "import"):
        data = {
            "csrf_token": csrf_token(client, BASE),
            "register": (io.BytesIO(text.encode("utf-8")), "register.csv"),
            "letters": letters,
        }
        response = client.post(f"{BASE}/{step}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def download(client: FlaskClient, job_id: int) -> Any:
    page = f"/staff/jobs/{job_id}"
    return client.post(f"{page}/letters", data={"csrf_token": csrf_token(client, page)})


SETTINGS = ("TESTING", "SECRET_KEY", "PSEUDONYM_KEY", "DATABASE_URL", "SIGNING_KEY_PATH")
JOB_SETTINGS = ("JOBS_REDIS_URL", "JOBS_QUEUE_PATH", "JOBS_FOLDER")


@pytest.fixture
def restarted() -> Iterator[Callable[[Flask], Flask]]:
    """Return a function making a new app on an app's database, queue and jobs folder."""
    made: list[Flask] = []

    def restart(app: Flask) -> Flask:
        fresh = create_app({name: app.config[name] for name in SETTINGS + JOB_SETTINGS})
        assert fresh.extensions[ENGINE] is not app.extensions[ENGINE]
        assert job_queue(fresh).huey is not job_queue(app).huey
        made.append(fresh)
        return fresh

    yield restart
    for fresh in made:
        fresh.extensions[ENGINE].dispose()


def codes_stored(session: Session, codes: list[str]) -> bool:
    session.rollback()
    stored = set(session.exec(select(Voter.code_hash)))
    return all(hash_code(code, PSEUDONYM_KEY) in stored for code in codes)


def test_a_job_queued_while_no_worker_runs_is_done_after_a_restart(app, client, session, restarted):
    draft(session)
    make_staff(session, "redaktion", Role.EDITOR)
    log_in(client)
    job_id = start_import(client, register(3), "csv")
    # No worker runs: the job waits, and its page says so and keeps asking.
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert "Warten auf den Hintergrunddienst" in page and "job-progress.js" in page
    assert session.get(Job, job_id).status == JobStatus.QUEUED
    # The upload waits in the job's folder, readable by the server's user only.
    folder = job_files(job_id, app).folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "input").stat().st_mode) == 0o600

    # The web process goes away; a new one and a worker start on the same storage.
    fresh = restarted(app)
    with running_worker(fresh):
        job = wait_for_job(fresh, job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.result["imported"] == 3 and job.total == 3
    assert not (folder / "input").exists()
    assert stat.S_IMODE((folder / "output").stat().st_mode) == 0o600

    client = fresh.test_client()
    log_in(client)
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert "Fertig" in page and "job-progress.js" not in page
    letters = download(client, job_id)
    assert letters.status_code == 200 and letters.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(letters.get_data(as_text=True)), delimiter=";"))
    assert sorted(row["family_name"] for row in rows) == ["Muster1", "Muster2", "Muster3"]
    assert codes_stored(session, [row["code"] for row in rows])
    # Handed out once: the file is gone from the folder, and a second try is refused.
    assert not folder.exists() or not any(folder.iterdir())
    again = download(client, job_id)
    assert again.status_code == 302
    assert "nicht mehr vorhanden" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_worker_stopped_while_writing_letters_writes_them_when_it_runs_again(
    app, client, session, monkeypatch, restarted
):
    draft(session)
    make_staff(session, "redaktion", Role.EDITOR)
    log_in(client)
    job_id = start_import(client, register(4), "csv")

    def worker_stops(*_args: Any, **_kwargs: Any) -> bytes:
        raise SystemExit("the worker was stopped")  # as a shutdown ends a worker's thread

    monkeypatch.setattr("voting.electorate.tasks.letters_file", worker_stops)
    with pytest.raises(SystemExit):
        run_queued_jobs(app)
    monkeypatch.undo()
    # The voters are committed with the job's report; the letters' data waits for the rerun.
    session.rollback()
    job = session.get(Job, job_id)
    assert job.status == JobStatus.RUNNING and job.result["imported"] == 4
    assert len(session.exec(select(Voter)).all()) == 4
    files = job_files(job_id, app)
    assert stat.S_IMODE((files.folder / "pending").stat().st_mode) == 0o600
    assert not files.has_output()

    fresh = restarted(app)
    assert requeue_unfinished(fresh) == 1
    assert requeue_unfinished(fresh) == 0  # already waiting: not queued twice
    assert run_queued_jobs(fresh) == 1
    session.rollback()
    assert session.get(Job, job_id).status == JobStatus.DONE
    assert len(session.exec(select(Voter)).all()) == 4  # not imported twice
    client = fresh.test_client()
    log_in(client)
    text = download(client, job_id).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 4 and codes_stored(session, [row["code"] for row in rows])
    assert not (files.folder / "pending").exists()


def test_letters_whose_data_is_lost_fail_the_job_with_a_way_out(app, client, session):
    draft(session)
    make_staff(session, "redaktion", Role.EDITOR)
    log_in(client)
    job_id = start_import(client, register(2), "csv")
    with Session(app.extensions[ENGINE]) as other:
        job = other.get(Job, job_id)
        job.status, job.result = JobStatus.RUNNING.value, {"imported": 2}
        other.add(job)
        other.commit()
    assert run_queued_jobs(app) == 1
    session.rollback()
    assert session.get(Job, job_id).status == JobStatus.FAILED
    page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert "ihre Briefe konnten aber nicht geschrieben werden" in page


def worker_process(app: Flask, instance: Path) -> subprocess.Popen[bytes]:
    """Start `flask jobs worker` for the app's database, queue and folder, as production does."""
    env = {
        **os.environ,
        "VOTING_INSTANCE_PATH": str(instance),
        "VOTING_SECRET_KEY": app.config["SECRET_KEY"],
        "VOTING_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "VOTING_DATABASE_URL": app.config["DATABASE_URL"],
        "VOTING_SIGNING_KEY_PATH": app.config["SIGNING_KEY_PATH"],
        "VOTING_JOBS_QUEUE_PATH": app.config["JOBS_QUEUE_PATH"],
        "VOTING_JOBS_FOLDER": app.config["JOBS_FOLDER"],
    }
    command = [sys.executable, "-m", "flask", "--app", "voting.app", "jobs", "worker"]
    with (instance / "worker.log").open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_letters_survive_a_worker_killed_while_writing_them(app, client, session, tmp_path):
    draft(session)
    make_staff(session, "redaktion", Role.EDITOR)
    log_in(client)
    voters = 300
    job_id = start_import(client, register(voters), "pdf")
    first = worker_process(app, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while (now := progress(job_id, app)) is None or now.phase != "letters":
            assert first.poll() is None and time.monotonic() < deadline, now
            time.sleep(0.02)
        # The progress the worker writes reaches every web process, this one included.
        page = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
        assert re.search(r"Briefe erzeugt: [\d.]+ / 300", page) and "<progress" in page
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # no chance to finish or tidy up
        first.wait(10)
    session.rollback()
    assert session.get(Job, job_id).status == JobStatus.RUNNING
    assert not job_files(job_id, app).has_output()

    second = worker_process(app, tmp_path)
    try:
        job = wait_for_job(app, job_id, timeout=120)
    finally:
        second.send_signal(signal.SIGINT)  # the graceful stop
        assert second.wait(30) == 0
    assert job.status == JobStatus.DONE, job.error
    assert "queued again" in (tmp_path / "worker.log").read_text(encoding="utf-8")
    assert len(session.exec(select(Voter)).all()) == voters
    pdf = download(client, job_id)
    assert pdf.mimetype == "application/pdf"
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.data)) == voters


def redis_answers(port: int = 6379) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def redis_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """Return an app like ``app`` whose queue is in Redis (database 7, emptied of our keys)."""
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379: the Redis queue is not tested")
    config = {name: app.config[name] for name in SETTINGS}
    redis_app = create_app({**config, **jobs_config(tmp_path), "JOBS_REDIS_URL": REDIS_URL})
    job_queue(redis_app).huey.flush()
    yield redis_app
    job_queue(redis_app).huey.flush()
    with redis_app.app_context():
        get_engine().dispose()


def test_the_redis_queue_runs_jobs_for_every_web_process(redis_app, session, restarted):
    draft(session)
    make_staff(session, "redaktion", Role.EDITOR)
    client = redis_app.test_client()
    log_in(client)
    job_id = start_import(client, register(2), "csv")
    assert job_queue(redis_app).huey.pending_count() == 1
    fresh = restarted(redis_app)
    assert fresh.config["JOBS_REDIS_URL"] == REDIS_URL
    with running_worker(fresh):
        job = wait_for_job(fresh, job_id)
    assert job.status == JobStatus.DONE, job.error
    rows = download(client, job_id).get_data(as_text=True).splitlines()
    assert len(rows) == 3
