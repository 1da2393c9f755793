"""A real Chromium (Debian's) against the app served on a free port of 127.0.0.1.

The server holds the demo consultation (as `make run` sets it up) and one
consultation in every other state (tests/sitemap.py). It runs on SQLite only:
the browser tests check what people see; the backends are covered below them.
"""

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session
from werkzeug.serving import make_server

from tests.conftest import PSEUDONYM_KEY, jobs_config, make_open_consultation
from tests.jobs import running_worker
from tests.sitemap import Site, populate
from voting.app import create_app
from voting.core.migrate import upgrade_database
from voting.demo import load_demo
from voting.web.db import get_engine

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# Kept by CI as artefacts; git ignores test-artifacts/.
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e"))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
STAFF_JOURNEY = "rathausplatz"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests, saying why, where Debian's Chromium is not installed."""
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: `make chromium` installs Debian's package"
    )
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium instead of a downloaded browser build."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Open pages at the desktop size, ready for downloads."""
    return {**browser_context_args, "viewport": VIEWPORTS["desktop"], "accept_downloads": True}


@dataclass
class LiveServer:
    """The served app, its data and where the demo wrote its files."""

    url: str
    app: Flask
    site: Site
    instance: Path
    demo_codes: list[str]
    journey_codes: list[str]

    def code(self) -> str:
        """Hand out an unused polling code of the demo."""
        return self.demo_codes.pop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the app with the demo and a consultation in every state; stop it afterwards."""
    instance = tmp_path_factory.mktemp("instance")
    database_url = f"sqlite:///{instance / 'e2e.db'}"
    upgrade_database(database_url)
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "PSEUDONYM_KEY": PSEUDONYM_KEY,
            "DATABASE_URL": database_url,
            "SIGNING_KEY_PATH": str(instance / "signing-key.pem"),
            # Every test context logs in anew; the throttle itself is tested below the browser.
            "LOGIN_RATE_LIMIT": "1000 per minute",
            **jobs_config(instance),
        }
    )
    with app.app_context(), Session(get_engine(), expire_on_commit=False) as session:
        load_demo(
            session=session,
            instance=instance,
            pseudonym_key=PSEUDONYM_KEY,
            signing_key_path=instance / "signing-key.pem",
            signing_key_passphrase=None,
            min_district_voters=10,
        )
        session.commit()
        site = populate(app, session)
        journey = make_open_consultation(
            session, slug=STAFF_JOURNEY, title="Umgestaltung des Rathausplatzes"
        )
    codes = [
        line.strip()
        for line in (instance / "demo-codes.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # The job worker beside the server, as `make run` starts it: counts and imports run there.
        with running_worker(app):
            yield LiveServer(
                f"http://127.0.0.1:{server.server_port}", app, site, instance, codes, journey.codes
            )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            get_engine().dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Let page.goto take paths of the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Return the folder for screenshots and reports, created on first use."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def screenshots(page: Any, folder: Path, name: str) -> None:
    """Save the page at phone and desktop size, full length."""
    size = page.viewport_size
    for label, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)
