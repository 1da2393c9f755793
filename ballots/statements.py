"""Signed statements besides receipts: a consultation's definition and its closing head.

Both are signed like receipts (ballots.receipts), each under a domain string of its own so
that no signature can be taken for another kind of statement:

- the **definition** (``DEFINITION_DOMAIN``) fixes everything a result depends on: title,
  period, questions, options, methods and parameters, eligibility and the number of
  eligible voters, the suppression threshold and the keys that may sign. Its hash, the
  hex SHA-256 of its canonical JSON without the signature, is named by every tree head;
  a new version names the hash of the one before (``previous``).
- the **closing head** (``CLOSING_DOMAIN``) states when voting was closed, the final
  log's size and root, and the participation marks at that moment.
- the **paper seal** (``PAPER_DOMAIN``), only where paper ballots were keyed after the
  close, names the closing head and states the log with them: its size and root, how many
  paper ballots it gained and how many were invalid as a whole.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from ballots.canonical import canonical_json
from ballots.receipts import Signer, b64url_encode

DEFINITION_DOMAIN = b"buergervotum/definition/v1\n"
CLOSING_DOMAIN = b"buergervotum/closing/v1\n"
PAPER_DOMAIN = b"buergervotum/paper-ballots/v1\n"
VERSION = 1


def unsigned(statement: Mapping[str, Any]) -> dict[str, Any]:
    """Return the statement without its signature: what the signature and the hash cover."""
    return {k: v for k, v in statement.items() if k != "signature"}


def sign_statement(fields: Mapping[str, Any], signer: Signer, domain: bytes) -> dict[str, Any]:
    """Return ``fields`` with version, key id and the signature over domain and JSON."""
    statement = {**fields, "v": VERSION, "key_id": signer.key_id}
    message = domain + canonical_json(statement)
    statement["signature"] = b64url_encode(signer.private_key.sign(message))
    return statement


def statement_hash(statement: Mapping[str, Any]) -> str:
    """Return the hex SHA-256 of the statement's canonical JSON without its signature."""
    return hashlib.sha256(canonical_json(unsigned(statement))).hexdigest()
