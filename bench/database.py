"""A benchmark's own database: emptied, migrated, with one open consultation."""

import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from ballots.content import METHOD_SHAPES
from ballots.keys import publish_key, write_key_file
from ballots.receipts import Signer
from ballots.signed_steps import Signing
from results.methods import METHODS
from voting.consultations.services import load_consultation, parse_spec
from voting.core.db import make_engine
from voting.core.migrate import upgrade_database
from voting.core.models import utcnow
from voting.electorate.services import Letter, RegisterRow, open_with_electorate

# On PostgreSQL a benchmark works in a schema of its own, so nothing else in the database is hit.
SCHEMA = "bench"
KNOWN_METHODS = frozenset(METHOD_SHAPES) & frozenset(METHODS)
SLUG = "bench"
# One answer per question of SPEC, as the ballot form posts them.
ANSWERS = {"q_brunnen": "yes", "q_nutzung": "garten", "q_projekte": ["baeume", "licht"]}


def spec(opens_at: str, closes_at: str) -> dict:
    """Return a consultation with one question of each kind the ballot form knows."""
    return {
        "slug": SLUG,
        "title": "Benchmark",
        "period": {"opens_at": opens_at, "closes_at": closes_at},
        "eligibility": {"min_age": 16, "districts": []},
        "questions": [
            {"key": "brunnen", "text": "Soll der Brunnen saniert werden?", "method": "yes_no"},
            {
                "key": "nutzung",
                "text": "Welche Nutzung?",
                "method": "single",
                "options": [
                    {"key": "garten", "label": "Gemeinschaftsgarten"},
                    {"key": "spielplatz", "label": "Spielplatz"},
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


def backend(url: str) -> str:
    """Return "sqlite" or "postgresql"."""
    return make_url(url).get_backend_name()


def fresh_database(url: str) -> str:
    """Empty the benchmark's part of ``url``, migrate it and return the URL to use.

    SQLite: the file is deleted first. PostgreSQL: the schema ``bench`` is dropped and
    created anew and put first on the search path; the rest of the database stays as it is.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        url = parsed.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(
            hide_password=False
        )
    upgrade_database(url)
    return url


def server_environment(instance: Path, url: str) -> dict[str, str]:
    """Return the VOTING_* settings of an app server on ``url`` with a new signing key."""
    key_path = instance / "signing-key.pem"
    signer = write_key_file(key_path)
    engine = make_engine(url)
    with Session(engine) as session:
        publish_key(session=session, signer=signer)
        session.commit()
    engine.dispose()
    return {
        "VOTING_INSTANCE_PATH": str(instance),
        "VOTING_SECRET_KEY": secrets.token_urlsafe(32),
        "VOTING_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "VOTING_DATABASE_URL": url,
        "VOTING_SIGNING_KEY_PATH": str(key_path),
        # All load comes from 127.0.0.1: a per-address limit would measure only itself.
        "VOTING_RATELIMIT_ENABLED": "false",
    }


def open_consultation(url: str, voters: int, pseudonym_key: str, signer: Signer) -> list[str]:
    """Create the open consultation ``bench`` with ``voters`` voters; return their codes."""
    now = utcnow()
    opens_at = now.replace(minute=0, second=0, microsecond=0).isoformat()
    closes_at = (now + timedelta(days=365)).isoformat()
    letters: list[Letter] = []
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        parsed = parse_spec(spec(opens_at, closes_at), known_methods=KNOWN_METHODS)
        consultation, _ = load_consultation(session=session, spec=parsed, actor="bench")
        open_with_electorate(
            session=session,
            consultation=consultation,
            rows=(
                RegisterRow(
                    line=i + 2,
                    person_id=f"B{i:08d}",
                    given_name="Erika",
                    family_name="Muster",
                    street="Marktstraße 1",
                    postal_code="67655",
                    city="Kaiserslautern",
                    district=f"Bezirk {i % 5}",
                    birth_date=None,
                    birth_year=1980,
                )
                for i in range(voters)
            ),
            pseudonym_key=pseudonym_key,
            signing=Signing(signer, 1),  # five districts of a few voters each: keep them
            write_letter=letters.append,
            actor="bench",
        )
        session.commit()
    engine.dispose()
    return [letter.code for letter in letters]
