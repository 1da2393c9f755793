"""`flask results …`: tally and publish from the command line."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from results.services import publish_result, tally_consultation
from voting.cli import actor_option, consultation_or_fail, session_scope
from voting.services.consultations import ConsultationError

results_cli = AppGroup("results", help="Tally and publish results.")


@results_cli.command("tally")
@click.argument("slug")
@actor_option
def tally_command(slug: str, actor: str) -> None:
    """Count a closed consultation (the result stays unpublished)."""
    with session_scope() as session:
        consultation = consultation_or_fail(session, slug)
        try:
            result = tally_consultation(
                session=session,
                consultation=consultation,
                actor=actor,
                min_district_ballots=int(current_app.config["MIN_DISTRICT_BALLOTS"]),
            )
        except ConsultationError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Tallied {slug}: {result.data['turnout']['ballots']} ballots.")


@results_cli.command("publish")
@click.argument("slug")
@actor_option
def publish_command(slug: str, actor: str) -> None:
    """Publish a tallied result."""
    with session_scope() as session:
        consultation = consultation_or_fail(session, slug)
        try:
            publish_result(session=session, consultation=consultation, actor=actor)
        except ConsultationError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Published the result of {slug}.")


def register(app: Flask) -> None:
    """Add the results commands to the app's CLI."""
    app.cli.add_command(results_cli)
