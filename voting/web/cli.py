"""What every feature's commands share, and the database commands."""

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlmodel import Session

from voting.core.lifecycle import find_consultation
from voting.core.migrate import alembic_config, upgrade_database
from voting.core.models import Consultation
from voting.web.db import get_engine

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


def failing(*errors: type[Exception]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
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


def register(app: Flask) -> None:
    """Add the database commands to the app's CLI."""
    app.cli.add_command(db_cli)
