"""`flask residents letters …`: residency codes by letter for a register extract."""

import csv
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from voting.core.audit import record_event
from voting.electorate.preview import decode_register
from voting.electorate.services import ElectorateError, read_register
from voting.residents.services import issue_residency_code
from voting.web.cli import actor_option, session_scope

LETTER_COLUMNS = (
    "given_name",
    "family_name",
    "street",
    "postal_code",
    "city",
    "code",
    "valid_until",
    "verify_url",
)

residents_cli = AppGroup("residents", help="Resident accounts.")


@residents_cli.command("letters")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--letters",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the letters file for the print shop (CSV).",
)
@actor_option
def residents_letters(file: Path, letters: Path, actor: str) -> None:
    """Issue a residency code for every person in the register extract FILE.csv."""
    if letters.exists():
        raise click.ClickException(f"{letters} exists; letters are never overwritten")
    now = datetime.now(UTC)
    days = int(current_app.config["RESIDENCY_CODE_DAYS"])
    valid_until = (now + timedelta(days=days)).date().isoformat()
    url = current_app.config["PUBLIC_URL"].rstrip("/") + "/residents/verify"
    partial = letters.with_name(letters.name + ".partial")
    count = 0
    try:
        with session_scope() as session:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, delimiter=";")
                writer.writerow(LETTER_COLUMNS)
                with decode_register(file.read_bytes()) as register:
                    for row in read_register(register):
                        code = issue_residency_code(
                            session=session,
                            person_id=row.person_id,
                            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
                            now=now,
                            valid_days=days,
                        )
                        writer.writerow(
                            (
                                row.given_name,
                                row.family_name,
                                row.street,
                                row.postal_code,
                                row.city,
                                code,
                                valid_until,
                                url,
                            )
                        )
                        count += 1
            record_event(session=session, actor=actor, action="residency_code.letters", count=count)
        partial.rename(letters)
    except ElectorateError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Issued {count} residency codes; letters in {letters}")


def register(app: Flask) -> None:
    """Add `flask residents …` to the app's CLI."""
    app.cli.add_command(residents_cli)
