"""A real gunicorn serving the app on a free local port, started and killed by the tests."""

import base64
import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import PSEUDONYM_KEY
from tests.views.test_voting import GOOD_ANSWERS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """One gunicorn process group serving the test database."""

    database_url: str
    signing_key_path: Path
    instance: Path
    port: int = field(default_factory=free_port)
    settings: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    config: Path = CONFIG  # the project's gunicorn settings, as in production
    options: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "VOTING_INSTANCE_PATH": str(self.instance),
            "VOTING_SECRET_KEY": "server-test-secret",
            "VOTING_PSEUDONYM_KEY": PSEUDONYM_KEY,
            "VOTING_DATABASE_URL": self.database_url,
            "VOTING_SIGNING_KEY_PATH": str(self.signing_key_path),
            **self.settings,
        }
        command = [sys.executable, "-m", "gunicorn", "--config", str(self.config), "--preload"]
        command += ["--workers", str(self.workers), "--worker-class", "gthread", "--threads", "8"]
        command += [
            "--backlog",
            "1024",
            "--bind",
            f"127.0.0.1:{self.port}",
            *self.options,
            "voting.app:create_app()",
        ]
        log = self.instance / "gunicorn.log"
        # A process group of its own, so one signal reaches the master and every worker.
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")

    def kill(self) -> None:
        """End the whole process group at once, as a power cut or OOM killer would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        """Stop gracefully (SIGTERM to the master): workers finish and write their last logs."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(START_TIMEOUT)
        self.process = None

    def log(self) -> str:
        """Return everything gunicorn, its workers and the app wrote (stdout and stderr)."""
        return (self.instance / "gunicorn.log").read_text(encoding="utf-8")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        source: str | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request, from ``source`` (an address of 127.0.0.0/8) if given."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(source, 0) if source else None
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def json(self, path: str) -> Any:
        status, _headers, body = self.request("GET", path)
        assert status == 200, (path, status)
        return json.loads(body)


@dataclass
class Voting:
    """A session cookie and CSRF token with which any number of ballots can be posted."""

    server: Server
    slug: str
    cookie: str
    token: str

    def vote(self, code: str, source: str | None = None) -> tuple[int, dict[str, Any] | None, str]:
        """Post one ballot; return the status, the receipt if one came back, and the page."""
        body = urlencode({"csrf_token": self.token, "code": code, **GOOD_ANSWERS}, doseq=True)
        status, _headers, page = self.server.request(
            "POST",
            f"/consultations/{self.slug}/vote",
            body.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie},
            source,
        )
        text = page.decode("utf-8")
        match = re.search(r'href="data:application/json;base64,([^"]+)"', text)
        receipt = json.loads(base64.b64decode(html.unescape(match.group(1)))) if match else None
        return status, receipt, text


def open_voting(server: Server, slug: str) -> Voting:
    """Fetch the ballot once and keep its cookie and CSRF token."""
    status, headers, page = server.request("GET", f"/consultations/{slug}/vote")
    assert status == 200
    cookie = SimpleCookie(headers["Set-Cookie"])
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.decode()).group(1)
    return Voting(server, slug, "; ".join(f"{k}={v.value}" for k, v in cookie.items()), token)


@pytest.fixture
def server(app: Any, database_url: str, signing_key_path: Path, tmp_path: Path) -> Iterator[Server]:
    """Return a stopped server on the test database; it is killed after the test."""
    served = Server(database_url, signing_key_path, tmp_path)
    yield served
    served.kill()
