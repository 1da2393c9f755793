"""Canonical JSON: the one byte form that hashes and signatures are computed over.

For our data (strings, integers, booleans, null, lists, objects) RFC 8785 (JCS)
is exactly sorted keys, no white space and UTF-8 without escapes. Floats are
refused because their JCS form differs from Python's.
"""

import json
from typing import Any


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats have no canonical form here; use integers or strings")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def canonical_json(value: Any) -> bytes:
    """Return the canonical UTF-8 JSON bytes of ``value``."""
    _refuse_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
