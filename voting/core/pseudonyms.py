"""Keyed hashes that stand in for people and polling codes.

HMAC-SHA256 with the instance's PSEUDONYM_KEY: without the key a hash cannot be
tested against a list of person ids or codes. Each use has its own label so a
hash of one kind never matches one of another.
"""

import hashlib
import hmac


def _keyed_hash(key: str, label: bytes, value: str) -> str:
    return hmac.new(key.encode(), label + b"\x00" + value.encode(), hashlib.sha256).hexdigest()


def person_ref(key: str, person_id: str) -> str:
    """Return the pseudonymous reference of a registration office's person id."""
    return _keyed_hash(key, b"person", person_id.strip())


def code_hash(key: str, normalised_code: str) -> str:
    """Return the stored form of a normalised polling code."""
    return _keyed_hash(key, b"polling-code", normalised_code)


def residency_code_hash(key: str, normalised_code: str) -> str:
    """Return the stored form of a normalised residency-verification code."""
    return _keyed_hash(key, b"residency-code", normalised_code)
