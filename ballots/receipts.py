"""Signed receipts: Ed25519 over the canonical JSON of every field but the signature.

The signed bytes are ``DOMAIN + canonical_json(receipt without "signature")``;
the domain string keeps a receipt signature from ever being valid for another
kind of message. Signatures and public keys are base64url without padding.
"""

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ballots.canonical import canonical_json

DOMAIN = b"buergervotum/receipt/v1\n"
ALGORITHM = "Ed25519"
# Version 2 names the consultation's signed definition; version 1 receipts still verify.
VERSION = 2
KNOWN_VERSIONS = (1, 2)


class ReceiptError(ValueError):
    """A receipt that does not verify; the message says why."""


def b64url_encode(raw: bytes) -> str:
    """Encode bytes as base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_raw: bytes) -> str:
    """Return the id of a public key: the hex SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(public_raw).hexdigest()


def issued_hour(now: datetime) -> str:
    """Return ``now`` to the hour in UTC, as receipts state the time."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Signer:
    """A receipt-signing private key with its public id."""

    private_key: Ed25519PrivateKey

    @cached_property
    def public_raw(self) -> bytes:
        """Return the 32 raw bytes of the public key."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @cached_property
    def key_id(self) -> str:
        """Return the public key's id."""
        return key_id(self.public_raw)


def generate_private_key_pem(passphrase: bytes | None = None) -> bytes:
    """Return a new Ed25519 private key as PKCS#8 PEM, encrypted if a passphrase is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_signer(pem: bytes, passphrase: bytes | None = None) -> Signer:
    """Load a signer from PEM; raise ValueError if it is not an Ed25519 key."""
    key = serialization.load_pem_private_key(pem, password=passphrase)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 key")
    return Signer(key)


def signed_bytes(receipt: Mapping[str, Any]) -> bytes:
    """Return the bytes a receipt's signature covers."""
    return DOMAIN + canonical_json({k: v for k, v in receipt.items() if k != "signature"})


def sign_receipt(fields: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """Return the receipt: ``fields`` with version, key id and signature added."""
    receipt = {**fields, "v": VERSION, "key_id": signer.key_id}
    receipt["signature"] = b64url_encode(signer.private_key.sign(signed_bytes(receipt)))
    return receipt


def verify_receipt(receipt: Mapping[str, Any], public_keys: Mapping[str, bytes]) -> None:
    """Check a receipt's signature against raw public keys by id; raise ReceiptError."""
    if receipt.get("v") not in KNOWN_VERSIONS:
        raise ReceiptError(f"unknown receipt version {receipt.get('v')!r}")
    raw_key = public_keys.get(str(receipt.get("key_id")))
    if raw_key is None:
        raise ReceiptError(f"unknown signing key {receipt.get('key_id')!r}")
    try:
        signature = b64url_decode(str(receipt["signature"]))
        public_key = Ed25519PublicKey.from_public_bytes(raw_key)
        public_key.verify(signature, signed_bytes(receipt))
    except KeyError as exc:
        raise ReceiptError("the receipt has no signature") from exc
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise ReceiptError("the signature does not match the receipt") from exc
