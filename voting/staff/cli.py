"""`flask staff …` and `flask audit …`: staff accounts and the audit trail."""

import csv
import io
import json

import click
from flask import Flask
from flask.cli import AppGroup

from voting.core.audit import EXPORT_FIELDS, export_rows, verify_chain
from voting.core.models import Role
from voting.staff.services import AccountError, create_staff_user
from voting.web.cli import actor_option, failing, session_scope

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
@failing(AccountError)
def staff_create(username: str, role: str, password: str, actor: str) -> None:
    """Create a staff account."""
    with session_scope() as session:
        create_staff_user(
            session=session, username=username, password=password, role=Role(role), actor=actor
        )
    click.echo(f"Created {role} {username}.")


audit_cli = AppGroup("audit", help="The audit trail of staff actions.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain of the audit trail; exit 1 at the first broken event."""

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
    for group in (
        staff_cli,
        audit_cli,
    ):
        app.cli.add_command(group)
