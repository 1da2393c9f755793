"""Fixtures for every tier: a migrated database per backend, the app, a client, test data.

Every test that touches the database runs on SQLite and, where TEST_DATABASE_URL
is set, on PostgreSQL too. Tables are emptied after each test.
"""

import functools
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text
from sqlmodel import Session, SQLModel, select

from ballots.casting import CastBallot, PollingCode, cast_ballot
from ballots.definition import find_definition
from ballots.keys import publish_key, read_signer
from ballots.receipts import Signer
from ballots.signed_steps import Signing, take_step
from voting.app import create_app
from voting.consultations.services import load_consultation, parse_spec
from voting.core.db import begin_write
from voting.core.migrate import upgrade_database
from voting.core.models import Role, StaffUser, utcnow
from voting.electorate.services import Letter, RegisterRow, open_with_electorate
from voting.residents.models import ResidentAccount
from voting.residents.services import issue_residency_code, verify_residency
from voting.staff.services import create_staff_user
from voting.web.db import EXTENSION_KEY as ENGINE
from voting.web.db import get_engine

PSEUDONYM_KEY = "test-pseudonym-key"
# The test run's signing key, fixed so that helpers without fixtures can sign steps with it.
SIGNER = Signer(Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test run").digest()))
PASSWORD = "correct horse battery"
KNOWN_METHODS = frozenset(
    {"yes_no", "single", "approval", "borda", "schulze", "irv", "stv", "majority_judgment"}
    | {"score", "pb_greedy", "pb_equal_shares"}
)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a freshly migrated database of one backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ.get("TEST_DATABASE_URL", "")
        if not url:
            pytest.skip(
                "PostgreSQL not configured: set TEST_DATABASE_URL, e.g. "
                "postgresql+psycopg://postgres@127.0.0.1:5432/test (.ci/run does when one answers)"
            )
        engine = create_engine(url)
        with engine.begin() as connection:
            # The test database belongs to the tests: start from an empty schema.
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def signing_key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the path of a receipt-signing key made for this test run."""
    path = tmp_path_factory.mktemp("keys") / "signing-key.pem"
    pem = SIGNER.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


@pytest.fixture
def signer(signing_key_path: Path) -> Signer:
    """Return the test run's receipt signer."""
    return read_signer(signing_key_path)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Return extra settings for the app; a test module overrides this to change them."""
    return {}


def pytest_configure(config: pytest.Config) -> None:
    """Give apps made without an instance folder of their own a fresh one, not the checkout's."""
    if "VOTING_INSTANCE_PATH" not in os.environ:
        os.environ["VOTING_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="voting-instance-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop("VOTING_INSTANCE_PATH"), True))


def jobs_config(folder: Path) -> dict[str, str]:
    """Return the settings of a job queue and jobs folder of their own under ``folder``."""
    return {"JOBS_QUEUE_PATH": str(folder / "jobs-queue.db"), "JOBS_FOLDER": str(folder / "jobs")}


@pytest.fixture
def app(
    database_url: str,
    signing_key_path: Path,
    signer: Signer,
    app_config: dict[str, Any],
    tmp_path: Path,
) -> Iterator[Flask]:
    """Return the app on the backend's database; empty every table afterwards."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PSEUDONYM_KEY": PSEUDONYM_KEY,
            "DATABASE_URL": database_url,
            "SIGNING_KEY_PATH": str(signing_key_path),
            # Each test its own queue: a job left queued by one never runs in another.
            **jobs_config(tmp_path),
            **app_config,
        }
    )
    with app.app_context():
        with Session(get_engine()) as session:
            publish_key(session=session, signer=signer)
            session.commit()
    yield app
    with app.app_context():
        engine = get_engine()
        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(delete(table))
        engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """Return a session on the app's database, for setting up and checking data.

    No app context stays pushed: each request of the test client gets its own,
    as in production, with its own database session and CSRF token.
    """
    with Session(app.extensions[ENGINE], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


def spec_data(slug: str = "stadtpark", **overrides: Any) -> dict[str, Any]:
    """Return a consultation definition with one question of each kind."""
    now = utcnow()
    data = {
        "slug": slug,
        "title": "Zukunft des Stadtparks",
        "description": "Eine Befragung zum Stadtpark.",
        "kind": "advisory",
        "period": {
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
        },
        "eligibility": {"min_age": 16, "districts": []},
        "questions": [
            {"key": "brunnen", "text": "Soll der Brunnen saniert werden?", "method": "yes_no"},
            {
                "key": "nutzung",
                "text": "Welche Nutzung wünschen Sie?",
                "method": "single",
                "options": [
                    {"key": "garten", "label": "Gemeinschaftsgarten"},
                    {"key": "spielplatz", "label": "Spielplatz"},
                    {"key": "parken", "label": "Parkplätze"},
                ],
            },
            {
                "key": "projekte",
                "text": "Welche Projekte? Bis zu 2.",
                "method": "approval",
                "params": {"max_choices": 2},
                "options": [
                    {"key": "baeume", "label": "Bäume"},
                    {"key": "baenke", "label": "Bänke"},
                    {"key": "licht", "label": "Licht"},
                ],
            },
        ],
    }
    data.update(overrides)
    return data


def register_rows(count: int, district: str = "Innenstadt") -> list[RegisterRow]:
    """Return ``count`` invented adult residents."""
    return [
        RegisterRow(
            line=i + 2,
            person_id=f"P{i:05d}",
            given_name="Erika",
            family_name=f"Muster{i}",
            street="Marktstraße 1",
            postal_code="67655",
            city="Kaiserslautern",
            district=district,
            birth_date=None,
            birth_year=1980,
        )
        for i in range(count)
    ]


@dataclass
class OpenConsultation:
    """A consultation open for voting, with the polling codes of its electorate."""

    id: int
    slug: str
    codes: list[str]


@pytest.fixture
def open_consultation(session: Session) -> OpenConsultation:
    """Create an open consultation with five voters."""
    return make_open_consultation(session)


def make_open_consultation(
    session: Session, voters: int = 5, min_district_voters: int = 1, **overrides: Any
) -> OpenConsultation:
    """Load, schedule, import an electorate and open a consultation; commit.

    Every voter lives in "Innenstadt", kept under its name unless ``min_district_voters``
    (1 here, 10 in the app) is more than ``voters`` (then stored as results.cells.REMAINDER).
    """
    spec = parse_spec(spec_data(**overrides), known_methods=KNOWN_METHODS)
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    letters: list[Letter] = []
    open_with_electorate(
        session=session,
        consultation=consultation,
        rows=register_rows(voters),
        pseudonym_key=PSEUDONYM_KEY,
        write_letter=letters.append,
        actor="test",
        signing=Signing(SIGNER, 10),
        min_district_voters=min_district_voters,
    )
    session.commit()
    return OpenConsultation(consultation.id, consultation.slug, [letter.code for letter in letters])


def close_voting(session: Session, consultation: Any, actor: str = "test") -> None:
    """Close voting as staff do at the scheduled end, signed with the run's key; no commit.

    The step's clock stands at ``closes_at``: closing earlier needs a request and a second
    person (tests/services/test_four_eyes.py), which the tests that only need a closed
    consultation leave out.
    """
    take_step(
        session=session,
        consultation=consultation,
        action="close",
        actor=actor,
        signing=Signing(SIGNER, 10),
        now=consultation.closes_at,
    )


def second_reader(session: Session, username: str = "second-reader") -> str:
    """Create the active editor account that approves a publication; flush, no commit.

    Create it before the count: an account made after the count cannot approve it.
    """
    session.add(StaffUser(username=username, password_hash=password_hash(), role="editor"))
    session.flush()
    return username


def cast_code(
    session: Session,
    consultation_id: int,
    code: str,
    signer: Signer,
    answers: dict[str, Any],
    now: datetime | None = None,
) -> CastBallot:
    """Cast ``answers`` with a polling-card code under the test pseudonym key; no commit.

    As a vote's request does: in a write transaction, against the ballot definition.
    """
    begin_write(session)
    consultation = find_definition(session=session, consultation_id=consultation_id)
    assert consultation is not None
    return cast_ballot(
        session=session,
        consultation=consultation,
        credential=PollingCode(code),
        answers=answers,
        pseudonym_key=PSEUDONYM_KEY,
        signer=signer,
        now=now or utcnow(),
    )


def csrf_token(client: FlaskClient, url: str) -> str:
    """Return the CSRF token of the form on ``url``."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class StaffAuth:
    """Logs staff members in and out through the login form."""

    def __init__(self, client: FlaskClient, session: Session) -> None:
        self.client = client
        self.session = session
        self.username = ""

    def create(self, username: str = "redaktion", role: Role = Role.EDITOR) -> str:
        create_staff_user(
            session=self.session, username=username, password=PASSWORD, role=role, actor="test"
        )
        self.session.commit()
        return username

    def login(self, username: str = "redaktion", role: Role = Role.EDITOR) -> None:
        """Log in as ``username``, creating the account unless it exists."""
        if self.session.exec(select(StaffUser).where(StaffUser.username == username)).first():
            self.session.rollback()
        else:
            self.create(username, role)
        response = self.client.post(
            "/staff/login",
            data={
                "csrf_token": csrf_token(self.client, "/staff/login"),
                "username": username,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        self.username = username

    def post(self, url: str) -> Any:
        """Press an action button on the staff consultation page."""
        token = csrf_token(self.client, "/staff/")
        return self.client.post(url, data={"csrf_token": token})

    def confirm(self, url: str, **fields: str) -> Any:
        """Tick "I have understood" on a step's confirmation page and press its button."""
        token = csrf_token(self.client, "/staff/")
        return self.client.post(url, data={"csrf_token": token, "understood": "y", **fields})

    def close_early(self, slug: str, reason: str = "Der Rat hat die Frage entschieden.") -> Any:
        """Close voting before the scheduled end as two people must: a second editor asks,
        with a reason, and the logged-in member confirms. Return the confirmation's answer."""
        me = self.session.exec(select(StaffUser).where(StaffUser.username == self.username)).one()
        other = self.session.exec(
            select(StaffUser).where(StaffUser.username == "zweitperson")
        ).first() or make_staff(self.session, "zweitperson")
        ids = (me.get_id(), other.get_id())
        self.session.rollback()  # no snapshot held open: the close empties SQLite's log
        page = f"/staff/consultations/{slug}/close"
        with self.client.session_transaction() as cookie:
            cookie["_user_id"] = ids[1]
        asked = self.confirm(f"{page}/request", reason=reason)
        assert asked.status_code == 302, asked.get_data(as_text=True)
        with self.client.session_transaction() as cookie:
            cookie["_user_id"] = ids[0]
        return self.confirm(page)


@pytest.fixture
def auth(client: FlaskClient, session: Session) -> StaffAuth:
    """Return the staff login helper."""
    return StaffAuth(client, session)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say once, not per test, why a backend was skipped."""
    reasons = {
        str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for report in terminalreporter.stats.get("skipped", [])
    }
    for reason in sorted(reasons):
        terminalreporter.write_line(f"skipped: {reason.removeprefix('Skipped: ')}")


# Residents: accounts made through the services, logged in through the login form.


@functools.cache
def password_hash() -> str:
    """Return an argon2 hash of PASSWORD, computed once: hashing is slow on purpose."""
    return PasswordHasher().hash(PASSWORD)


def make_resident(
    session: Session, email: str = "erika@example.org", person_id: str | None = "P00000"
) -> ResidentAccount:
    """Create a confirmed resident account, verified as ``person_id`` unless that is None."""
    now = utcnow()
    account = ResidentAccount(email=email, password_hash=password_hash(), email_confirmed_at=now)
    session.add(account)
    session.flush()
    if person_id is not None:
        code = issue_residency_code(
            session=session, person_id=person_id, pseudonym_key=PSEUDONYM_KEY, now=now, valid_days=1
        )
        verify_residency(
            session=session, account=account, code=code, pseudonym_key=PSEUDONYM_KEY, now=now
        )
    session.commit()
    return account


def login_resident(client: FlaskClient, email: str = "erika@example.org") -> None:
    """Log a resident in through the resident login form."""
    response = client.post(
        "/residents/login",
        data={
            "csrf_token": csrf_token(client, "/residents/login"),
            "email": email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def make_staff(
    session: Session, username: str = "redaktion", role: Role = Role.EDITOR
) -> StaffUser:
    """Create a staff member whose password hash was computed once for the whole run."""
    user = StaffUser(username=username, password_hash=password_hash(), role=role.value)
    session.add(user)
    session.commit()
    return user


def log_in_as(client: FlaskClient, user: StaffUser | ResidentAccount) -> None:
    """Put ``user`` into the client's session as a login does; the login forms are tested apart.

    Saves the deliberately slow password check in tests that are about something else.
    """
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user.get_id()
        cookie["_fresh"] = True
