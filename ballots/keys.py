"""The receipt-signing key: a PEM file on disk, its public half published in the database."""

import os
from pathlib import Path

from sqlmodel import Session, select

from ballots.models import SigningKey
from ballots.receipts import Signer, b64url_encode, generate_private_key_pem, load_signer


class KeyFileError(ValueError):
    """The configured key file is missing, unreadable or not an Ed25519 key."""


def read_signer(path: str | Path, passphrase: str | None = None) -> Signer:
    """Load the signing key from its PEM file."""
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(
            f"no signing key at {path}: create one with `flask --app voting.app keys generate`"
        ) from exc
    try:
        return load_signer(pem, passphrase.encode() if passphrase else None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"the signing key at {path} cannot be loaded: {exc}") from exc


def write_key_file(path: str | Path, passphrase: str | None = None) -> Signer:
    """Write a new private key to ``path`` (readable by the owner only); never overwrite."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = generate_private_key_pem(passphrase.encode() if passphrase else None)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return read_signer(path, passphrase)


def publish_key(*, session: Session, signer: Signer) -> SigningKey:
    """Publish the signer's public key, once; older keys stay published."""
    key = session.get(SigningKey, signer.key_id)
    if key is None:
        key = SigningKey(key_id=signer.key_id, public_key=b64url_encode(signer.public_raw))
        session.add(key)
        session.flush()
    return key


def published_keys(*, session: Session) -> list[SigningKey]:
    """Return every public key receipts were or are signed with, oldest first."""
    return list(session.exec(select(SigningKey).order_by(SigningKey.created_at)))


def public_key_list(*, session: Session) -> list[dict[str, str]]:
    """Return the published keys as /keys.json and the bundle state them."""
    return [
        {
            "key_id": key.key_id,
            "algorithm": "Ed25519",
            "public_key": key.public_key,
            "created_at": key.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for key in published_keys(session=session)
    ]
