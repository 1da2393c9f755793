"""`flask electorate …`: import the register, write the letters, delete after retention."""

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from voting.core.lifecycle import ConsultationError
from voting.electorate.importing import letters_file
from voting.electorate.preview import decode_register
from voting.electorate.retention import delete_electorate, due_for_deletion
from voting.electorate.services import ElectorateError, Letter, import_electorate, read_register
from voting.web.cli import actor_option, consultation_or_fail, failing, session_scope

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
@failing(ConsultationError, ElectorateError)
def electorate_import(slug: str, file: Path, letters: Path, actor: str) -> None:
    """Import the register export FILE.csv and write the polling-card letters."""

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
                    min_district_voters=int(current_app.config["MIN_DISTRICT_BALLOTS"]),
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
@failing(ConsultationError)
def electorate_delete(slugs: tuple[str, ...], due: bool, actor: str) -> None:
    """Delete the electorate and code hashes of consultations (after the retention period)."""

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


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    for group in (electorate_cli,):
        app.cli.add_command(group)
