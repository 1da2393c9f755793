"""Hashing of the public ballot log (RFC 9162, Certificate Transparency v2)."""

import hashlib

LEAF_PREFIX = b"\x00"


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 ‖ data), the hash of one log entry."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()
