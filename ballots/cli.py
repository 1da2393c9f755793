"""`flask keys …`: the receipt-signing key."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ballots.keys import KeyFileError, publish_key, read_signer, write_key_file
from ballots.signed_steps import Signing, announce_key
from voting.web.cli import failing, session_scope

keys_cli = AppGroup("keys", help="The receipt-signing key.")


@keys_cli.command("generate")
@failing(KeyFileError)
def keys_generate() -> None:
    """Write a new signing key to SIGNING_KEY_PATH and publish its public half."""
    path = Path(current_app.config["SIGNING_KEY_PATH"])
    if path.exists():
        raise click.ClickException(f"{path} exists; a signing key is never overwritten")
    signer = write_key_file(path, current_app.config["SIGNING_KEY_PASSPHRASE"])
    with session_scope() as session:
        publish_key(session=session, signer=signer)
        signing = Signing(signer, int(current_app.config["MIN_DISTRICT_BALLOTS"]))
        renewed = announce_key(session=session, signing=signing)
    click.echo(f"Signing key {signer.key_id} written to {path} and published.")
    for slug in renewed:
        click.echo(f"{slug}: a new version of its definition names the new key.")


@keys_cli.command("publish")
@failing(KeyFileError)
def keys_publish() -> None:
    """Publish the public half of the configured signing key (once)."""
    signer = read_signer(
        current_app.config["SIGNING_KEY_PATH"], current_app.config["SIGNING_KEY_PASSPHRASE"]
    )
    with session_scope() as session:
        publish_key(session=session, signer=signer)
        signing = Signing(signer, int(current_app.config["MIN_DISTRICT_BALLOTS"]))
        renewed = announce_key(session=session, signing=signing)
    click.echo(f"Signing key {signer.key_id} is published.")
    for slug in renewed:
        click.echo(f"{slug}: a new version of its definition names the key.")


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    for group in (keys_cli,):
        app.cli.add_command(group)
