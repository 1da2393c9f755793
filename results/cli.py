"""`flask results …`: tally and publish from the command line."""

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ballots.signed_steps import Signing
from results.methods import InvalidBallot, count
from results.methods.pb_equal_shares import COMPLETIONS
from results.pabulib import PabulibError, read_pb
from results.services import count_consultation, publish_result
from voting.core.lifecycle import ConsultationError
from voting.web.cli import actor_option, consultation_or_fail, session_scope

results_cli = AppGroup("results", help="Tally and publish results.")


@results_cli.command("tally")
@click.argument("slug")
@actor_option
def tally_command(slug: str, actor: str) -> None:
    """Count a closed consultation (the result stays unpublished)."""
    with session_scope() as session:
        consultation = consultation_or_fail(session, slug)
        with ExitStack() as bars:
            shown: list[Any] = []

            def progress(done: int, total: int) -> None:
                # The total is known only once counting begins, so the bar starts then.
                if not shown:
                    shown.append(
                        bars.enter_context(click.progressbar(length=total, label="Counting"))
                    )
                shown[0].update(done - shown[0].pos)

            try:
                result = count_consultation(
                    session=session,
                    consultation=consultation,
                    actor=actor,
                    min_district_ballots=int(current_app.config["MIN_DISTRICT_BALLOTS"]),
                    signing=Signing.from_config(current_app.config),
                    progress=progress,
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


@results_cli.command("recount-pb")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--method", type=click.Choice(["pb_equal_shares", "pb_greedy"]), default="pb_equal_shares"
)
@click.option("--completion", type=click.Choice(COMPLETIONS), default="add1")
def recount_pb_command(path: str, method: str, completion: str) -> None:
    """Recount a participatory budget from a Pabulib (.pb) file and list the funded projects."""
    try:
        instance = read_pb(Path(path).read_text(encoding="utf-8"))
        params = {"completion": completion} if method == "pb_equal_shares" else {}
        outcome = count(
            method,
            list(instance.projects),
            instance.ballots(),
            budget=instance.budget,
            costs=instance.costs,
            **params,
        )
    except (PabulibError, InvalidBallot, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    details = outcome.details
    for pid in outcome.winners:
        project = instance.projects[pid]
        click.echo(
            f"{pid}\t{details['costs'][pid]}\t{details['votes'][pid]}\t{project.get('name', '')}"
        )
    click.echo(
        f"Funded {len(outcome.winners)} of {len(instance.projects)} projects for "
        f"{details['spent']} of {details['budget']}."
    )
    if "tie" in details:
        click.echo(f"Unresolved tie: {', '.join(details['tie']['tied'])}")


def register(app: Flask) -> None:
    """Add the results commands to the app's CLI."""
    app.cli.add_command(results_cli)
