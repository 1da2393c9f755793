"""`flask --app voting …` commands for the database, consultations, electorate, staff and keys."""

import csv
import getpass
import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlmodel import Session, select

from ballots.content import METHOD_SHAPES
from ballots.keys import KeyFileError, publish_key, read_signer, write_key_file
from results.methods import METHODS
from voting.db import get_engine
from voting.demo import load_demo
from voting.migrate import alembic_config, upgrade_database
from voting.models import Consultation, Role
from voting.services.accounts import AccountError, create_staff_user
from voting.services.consultations import (
    ConsultationError,
    find_consultation,
    load_consultation,
    parse_spec,
    transition,
)
from voting.services.electorate import ElectorateError, Letter, import_electorate, read_register
from voting.services.electorate_preview import decode_register

# A question can be used when ballots can be cast for it and counted.
KNOWN_METHODS = frozenset(METHOD_SHAPES) & frozenset(METHODS)

actor_option = click.option(
    "--actor",
    default=lambda: f"cli:{getpass.getuser()}",
    show_default="cli:<login>",
    help="Who is recorded in the audit trail.",
)


@contextmanager
def session_scope() -> Iterator[Session]:
    """Yield a session and commit it when the command succeeds."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
        session.commit()


def consultation_or_fail(session: Session, slug: str) -> Consultation:
    """Return the consultation or stop the command with a message."""
    consultation = find_consultation(session=session, slug=slug)
    if consultation is None:
        raise click.ClickException(f"no consultation {slug!r}")
    return consultation


def _failing(*errors: type[Exception]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn the given errors into a clean command-line message instead of a traceback."""

    def decorator(command: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(command)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except errors as exc:
                raise click.ClickException(str(exc)) from exc

        return wrapped

    return decorator


db_cli = AppGroup("db", help="Database schema.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@db_cli.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    from alembic import command

    command.revision(
        alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True
    )


consultations_cli = AppGroup("consultations", help="Define and run consultations.")


@consultations_cli.command("load")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@actor_option
@_failing(ConsultationError)
def consultations_load(file: Any, actor: str) -> None:
    """Create or update a consultation from a JSON definition."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file.name} is not valid JSON: {exc}") from exc
    spec = parse_spec(data, known_methods=KNOWN_METHODS)
    with session_scope() as session:
        consultation, what = load_consultation(session=session, spec=spec, actor=actor)
        click.echo(f"{consultation.slug}: {what}")


@consultations_cli.command("list")
def consultations_list() -> None:
    """List consultations with their status."""
    with session_scope() as session:
        for item in session.exec(select(Consultation).order_by(Consultation.id)):
            click.echo(f"{item.slug}\t{item.status}\t{item.title}")


def _step_command(action: str) -> None:
    @consultations_cli.command(action, help=f"{action.capitalize()} a consultation.")
    @click.argument("slug")
    @actor_option
    @_failing(ConsultationError)
    def command(slug: str, actor: str) -> None:
        with session_scope() as session:
            consultation = consultation_or_fail(session, slug)
            transition(session=session, consultation=consultation, action=action, actor=actor)
            click.echo(f"{slug}: {consultation.status}")


for _action in ("schedule", "open", "close"):
    _step_command(_action)


electorate_cli = AppGroup("electorate", help="The electorate of a consultation.")


@electorate_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--letters",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the letters: .pdf (DIN 5008), .zip (PDFs of 5,000 letters each) or .csv.",
)
@actor_option
@_failing(ConsultationError, ElectorateError)
def electorate_import(slug: str, file: Path, letters: Path, actor: str) -> None:
    """Import the register export FILE.csv and write the polling-card letters."""
    from voting.services.electorate_import import letters_file

    if letters.exists():
        raise click.ClickException(f"{letters} exists; letters are never overwritten")
    fmt = {".pdf": "pdf", ".zip": "zip"}.get(letters.suffix.lower(), "csv")
    partial = letters.with_name(letters.name + ".partial")
    rows = list(read_register(decode_register(file.read_bytes())))
    written: list[Letter] = []
    try:
        with session_scope() as session:
            consultation = consultation_or_fail(session, slug)
            with click.progressbar(rows, label="Importing voters") as bar:
                report = import_electorate(
                    session=session,
                    consultation=consultation,
                    rows=bar,
                    pseudonym_key=current_app.config["PSEUDONYM_KEY"],
                    write_letter=written.append,
                    actor=actor,
                )
            with click.progressbar(length=len(written), label="Writing letters") as bar:
                data = letters_file(
                    written,
                    consultation,
                    fmt,
                    current_app.config["PUBLIC_URL"],
                    current_app.config["LETTER_SENDER"],
                    lambda _phase, done, _total: bar.update(done - bar.pos),
                )
            # Readable by the owner only; committed only once the letters are safely written.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        partial.rename(letters)
    finally:
        partial.unlink(missing_ok=True)
    excluded = ", ".join(f"{n} {reason}" for reason, n in report.excluded.items()) or "none"
    click.echo(f"Imported {report.imported} voters (excluded: {excluded}); letters in {letters}")


@electorate_cli.command("delete")
@click.argument("slugs", nargs=-1)
@click.option("--due", is_flag=True, help="Every published consultation past its retention.")
@actor_option
@_failing(ConsultationError)
def electorate_delete(slugs: tuple[str, ...], due: bool, actor: str) -> None:
    """Delete the electorate and code hashes of consultations (after the retention period)."""
    from voting.services.retention import delete_electorate, due_for_deletion

    days = current_app.config["ELECTORATE_RETENTION_DAYS"]
    with session_scope() as session:
        targets = [consultation_or_fail(session, slug) for slug in slugs]
        if due:
            targets += due_for_deletion(session=session, retention_days=days)
        if not targets:
            click.echo("Nothing to delete.")
        for consultation in targets:
            deletion = delete_electorate(
                session=session, consultation=consultation, actor=actor, retention_days=days
            )
            click.echo(f"{consultation.slug}: deleted {deletion.voters} voters")


staff_cli = AppGroup("staff", help="Staff accounts.")


@staff_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.EDITOR.value,
    show_default=True,
)
@click.password_option(help="Asked for when not given; at least 12 characters.")
@actor_option
@_failing(AccountError)
def staff_create(username: str, role: str, password: str, actor: str) -> None:
    """Create a staff account."""
    with session_scope() as session:
        create_staff_user(
            session=session, username=username, password=password, role=Role(role), actor=actor
        )
    click.echo(f"Created {role} {username}.")


keys_cli = AppGroup("keys", help="The receipt-signing key.")


@keys_cli.command("generate")
@_failing(KeyFileError)
def keys_generate() -> None:
    """Write a new signing key to SIGNING_KEY_PATH and publish its public half."""
    path = Path(current_app.config["SIGNING_KEY_PATH"])
    if path.exists():
        raise click.ClickException(f"{path} exists; a signing key is never overwritten")
    signer = write_key_file(path, current_app.config["SIGNING_KEY_PASSPHRASE"])
    with session_scope() as session:
        publish_key(session=session, signer=signer)
    click.echo(f"Signing key {signer.key_id} written to {path} and published.")


@keys_cli.command("publish")
@_failing(KeyFileError)
def keys_publish() -> None:
    """Publish the public half of the configured signing key (once)."""
    signer = read_signer(
        current_app.config["SIGNING_KEY_PATH"], current_app.config["SIGNING_KEY_PASSPHRASE"]
    )
    with session_scope() as session:
        publish_key(session=session, signer=signer)
    click.echo(f"Signing key {signer.key_id} is published.")


@click.command("demo")
@with_appcontext
@_failing(ConsultationError, ElectorateError, KeyFileError, AccountError)
def demo_command() -> None:
    """Load the demo consultation, 20 polling codes and a demo staff account (idempotent)."""

    with session_scope() as session:
        report = load_demo(
            session=session,
            instance=Path(current_app.instance_path),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            signing_key_path=Path(current_app.config["SIGNING_KEY_PATH"]),
            signing_key_passphrase=current_app.config["SIGNING_KEY_PASSPHRASE"],
            known_methods=KNOWN_METHODS,
        )
    for line in report:
        click.echo(line)


audit_cli = AppGroup("audit", help="The audit trail of staff actions.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain of the audit trail; exit 1 at the first broken event."""
    from voting.services.audit import verify_chain

    with session_scope() as session:
        check = verify_chain(session=session)
    if not check.is_intact:
        raise click.ClickException(
            f"audit trail broken at event {check.broken_at}: it {check.problem} "
            f"({check.events - 1} events before it are intact)"
        )
    click.echo(f"Audit trail intact: {check.events} events, newest hash {check.head or '-'}")


@audit_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def audit_export(fmt: str) -> None:
    """Print the whole audit trail with its hashes, oldest first."""
    from voting.services.audit import EXPORT_FIELDS, export_rows

    with session_scope() as session:
        rows = list(export_rows(session=session))
    if fmt == "json":
        click.echo(json.dumps({"events": rows}, ensure_ascii=False, indent=1))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, delimiter=";")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "details": json.dumps(row["details"], ensure_ascii=False)})
    click.echo(out.getvalue(), nl=False)


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    for group in (db_cli, consultations_cli, electorate_cli, staff_cli, keys_cli, audit_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
