"""`flask consultations …`: define consultations and move them through their steps."""

import json
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlmodel import select

from ballots.signed_steps import Signing, take_step
from ballots.traces import erase_traces
from voting.consultations.services import load_consultation, parse_spec
from voting.core.lifecycle import ConsultationError, request_early_close
from voting.core.models import Consultation, utcnow
from voting.web.cli import actor_option, consultation_or_fail, failing, session_scope
from voting.web.db import get_engine

consultations_cli = AppGroup("consultations", help="Define and run consultations.")


@consultations_cli.command("load")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@actor_option
@failing(ConsultationError)
def consultations_load(file: Any, actor: str) -> None:
    """Create or update a consultation from a JSON definition."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file.name} is not valid JSON: {exc}") from exc
    spec = parse_spec(data)
    with session_scope() as session:
        consultation, what = load_consultation(session=session, spec=spec, actor=actor)
        click.echo(f"{consultation.slug}: {what}")


@consultations_cli.command("list")
def consultations_list() -> None:
    """List consultations with their status."""
    with session_scope() as session:
        for item in session.exec(select(Consultation).order_by(Consultation.id)):
            click.echo(f"{item.slug}\t{item.status}\t{item.title}")


@consultations_cli.command("request-close")
@click.argument("slug")
@click.option("--reason", required=True, help="Why voting should end before the scheduled end.")
@actor_option
@failing(ConsultationError)
def consultations_request_close(slug: str, reason: str, actor: str) -> None:
    """Ask to close voting before the scheduled end; another staff account closes it."""
    with session_scope() as session:
        consultation = consultation_or_fail(session, slug)
        request_early_close(
            session=session, consultation=consultation, actor=actor, reason=reason, now=utcnow()
        )
    click.echo(f"{slug}: closing early requested by {actor}; another staff account must close it.")


def _step_command(action: str) -> None:
    @consultations_cli.command(action, help=f"{action.capitalize()} a consultation.")
    @click.argument("slug")
    @actor_option
    @failing(ConsultationError)
    def command(slug: str, actor: str) -> None:
        with session_scope() as session:
            consultation = consultation_or_fail(session, slug)
            take_step(
                session=session,
                consultation=consultation,
                action=action,
                actor=actor,
                signing=Signing.from_config(current_app.config),
                now=utcnow(),
            )
        click.echo(f"{slug}: {consultation.status}")
        # Once the close is committed: storage forgets the order of voting (ballots.traces).
        if action == "close" and not erase_traces(
            engine=get_engine(), consultation_id=consultation.id
        ):
            click.echo(
                f"{slug}: the order of voting could not yet be erased from storage "
                "(see the log); counting tries again first.",
                err=True,
            )


for _action in ("schedule", "open", "close"):
    _step_command(_action)


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    for group in (consultations_cli,):
        app.cli.add_command(group)
