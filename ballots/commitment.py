"""A ballot's commitment: the bytes its leaf in the public log covers.

The log entry of a ballot is (format 2, docs/verification.md §"Log entries")::

    TAG || JCS({"consultation": slug, "tracking_code": code, "salt": salt, "content": content})

with ``TAG = b"buergervotum/ballot/v2\\n"``; a paper ballot, keyed by staff after the close
and given no tracking code, has ``PAPER_TAG = b"buergervotum/paper-ballot/v1\\n"`` and no
``tracking_code`` member, so no entry of one channel can pass for the other. JCS is the
canonical JSON of ballots.canonical, and ``salt`` 32 fresh random bytes as 64 lower-case
hex digits. The leaf hash is SHA-256(0x00 || entry) as in RFC 9162.

Without the salt a ballot has only a few thousand possible contents, and hashing each of
them against a leaf would reveal the vote. The salt stays secret while voting is open and
is published with the content once the result is: until then the log commits to every
ballot without revealing it, afterwards anyone can recompute every leaf.
"""

import secrets
from collections.abc import Mapping
from typing import Any

from ballots.canonical import canonical_json

TAG = b"buergervotum/ballot/v2\n"
PAPER_TAG = b"buergervotum/paper-ballot/v1\n"
SALT_BYTES = 32


def new_salt() -> str:
    """Return a fresh random salt: 256 bits as 64 hex digits."""
    return secrets.token_hex(SALT_BYTES)


def ballot_entry(
    consultation: str, tracking_code: str, content: Mapping[str, Any], salt: str | None
) -> bytes:
    """Return the bytes of a ballot's log entry, which its leaf hash covers.

    ``salt`` is None only for a ballot cast before format 2: its entry has neither tag nor
    salt, so that logs written then still verify (and their contents were never hidden).
    """
    if salt is None:
        return canonical_json(
            {"consultation": consultation, "tracking_code": tracking_code, "content": content}
        )
    return TAG + canonical_json(
        {
            "consultation": consultation,
            "tracking_code": tracking_code,
            "salt": salt,
            "content": content,
        }
    )


def paper_ballot_entry(consultation: str, content: Mapping[str, Any], salt: str) -> bytes:
    """Return the bytes of a paper ballot's log entry: no tracking code, its own tag."""
    return PAPER_TAG + canonical_json(
        {"consultation": consultation, "salt": salt, "content": content}
    )
