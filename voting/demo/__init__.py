"""The demo consultations of `make run`: one open to vote in, one published (showcase).

Everything goes through the same services as real data: the JSON file in the
format of `flask consultations load`, an electorate of invented residents, the
polling codes written to ``instance/demo-codes.txt``.
"""

import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select

from ballots.keys import KeyFileError, publish_key, read_signer, write_key_file
from ballots.signed_steps import Signing
from voting.consultations.services import load_consultation, parse_spec
from voting.core.lifecycle import ConsultationError, find_consultation
from voting.core.models import Role, StaffUser, utcnow
from voting.demo.showcase import Staff, load_showcase
from voting.electorate.services import ElectorateError, Letter, RegisterRow, open_with_electorate
from voting.staff.services import AccountError, create_staff_user
from voting.web.cli import failing, session_scope

DEFINITION = Path(__file__).with_name("consultation.json")
DISTRICTS = ("Innenstadt-West", "Innenstadt-Ost", "Erfenbach", "Morlautern", "Hohenecken")
GIVEN_NAMES = ("Anna", "Ben", "Clara", "Deniz", "Emil", "Fatma", "Greta", "Hannes", "Ida", "Jonas")
FAMILY_NAMES = ("Becker", "Schmitt", "Yilmaz", "Wagner", "Klein")
VOTERS = 20
DEMO_STAFF = "redaktion"
DEMO_ADMIN = "leitung"


def demo_register() -> list[RegisterRow]:
    """Return the invented residents of the demo electorate."""
    return [
        RegisterRow(
            line=i + 2,
            person_id=f"DEMO-{i + 1:04d}",
            given_name=GIVEN_NAMES[i % len(GIVEN_NAMES)],
            family_name=FAMILY_NAMES[i % len(FAMILY_NAMES)],
            street=f"Musterstraße {i + 1}",
            postal_code="67655",
            city="Kaiserslautern",
            district=DISTRICTS[i % len(DISTRICTS)],
            birth_date=None,
            birth_year=1950 + 2 * i,
        )
        for i in range(VOTERS)
    ]


def load_demo(
    *,
    session: Session,
    instance: Path,
    pseudonym_key: str,
    signing_key_path: Path,
    signing_key_passphrase: str | None,
    min_district_voters: int,
    now: datetime | None = None,
) -> list[str]:
    """Set up the demo once; running it again changes nothing. Return what to tell the user."""
    lines = []
    if signing_key_path.exists():
        signer = read_signer(signing_key_path, signing_key_passphrase)
    else:
        signer = write_key_file(signing_key_path, signing_key_passphrase)
    publish_key(session=session, signer=signer)

    staff_file = instance / "demo-staff.txt"
    # Two accounts: publishing needs a second person besides the one who counted.
    for username, role in ((DEMO_STAFF, Role.EDITOR), (DEMO_ADMIN, Role.ADMIN)):
        if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
            continue
        password = secrets.token_urlsafe(12)
        create_staff_user(
            session=session, username=username, password=password, role=role, actor="demo"
        )
        with staff_file.open("a", encoding="utf-8") as file:
            file.write(f"user: {username} ({role.value})\npassword: {password}\n")
        staff_file.chmod(0o600)

    codes_file = instance / "demo-codes.txt"
    data = json.loads(DEFINITION.read_text(encoding="utf-8"))
    if find_consultation(session=session, slug=data["slug"]) is None:
        # Open from the current hour for four weeks, so the demo can be voted in now.
        start = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
        data["period"] = {
            "opens_at": start.isoformat(),
            "closes_at": (start + timedelta(weeks=4)).isoformat(),
        }
        spec = parse_spec(data)
        consultation, _ = load_consultation(session=session, spec=spec, actor="demo")
        letters: list[Letter] = []
        open_with_electorate(
            session=session,
            consultation=consultation,
            rows=demo_register(),
            pseudonym_key=pseudonym_key,
            write_letter=letters.append,
            actor="demo",
            signing=Signing(signer, min_district_voters),
        )
        codes_file.write_text(
            f"# Demo polling codes for “{consultation.title}”, one vote each.\n"
            + "".join(f"{letter.code}\n" for letter in letters),
            encoding="utf-8",
        )
        lines.append(f"Demo consultation “{consultation.title}” is open.")
    else:
        lines.append("Demo consultation already loaded.")
    lines.append(f"Polling codes: {codes_file}")

    session.flush()
    lines.append(
        load_showcase(
            session=session,
            pseudonym_key=pseudonym_key,
            signing=Signing(signer, min_district_voters),
            staff=Staff(DEMO_STAFF, DEMO_ADMIN),
            now=utcnow,
        )
    )
    lines.append(f"Staff login at /staff/login with the user and password in {staff_file}")
    return lines


@click.command("demo")
@with_appcontext
@failing(ConsultationError, ElectorateError, KeyFileError, AccountError)
def demo_command() -> None:
    """Load the demo consultation, 20 polling codes and a demo staff account (idempotent)."""
    with session_scope() as session:
        report = load_demo(
            session=session,
            instance=Path(current_app.instance_path),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            signing_key_path=Path(current_app.config["SIGNING_KEY_PATH"]),
            signing_key_passphrase=current_app.config["SIGNING_KEY_PASSPHRASE"],
            min_district_voters=int(current_app.config["MIN_DISTRICT_BALLOTS"]),
        )
    for line in report:
        click.echo(line)


def register(app: Flask) -> None:
    """Add `flask demo` to the app's CLI."""
    app.cli.add_command(demo_command)
