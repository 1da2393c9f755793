"""Polling-card codes: 95 random bits, a check character, easy to type.

A code looks like ``K7QM-9XDR-2TAW-P4NB-5HCE``: 20 characters from an
alphabet without 0, 1, I and O, the last one a Luhn mod 32 check character,
which catches every single mistyped character and most swapped neighbours,
so a typo is told apart from a wrong code before any lookup.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUP = 4
LENGTH = 20  # 19 random characters (95 bits) and one check character
_INDEX = {char: i for i, char in enumerate(ALPHABET)}
assert len(ALPHABET) == 32, "generate_code picks characters with five random bits"


class CodeError(ValueError):
    """A code that cannot be right, whatever is stored."""


class CodeFormatError(CodeError):
    """Wrong length or characters that never appear in codes."""


class CodeTypoError(CodeError):
    """The check character does not match: a character was mistyped."""


def _check_character(payload: str) -> str:
    """Return the Luhn mod N check character for ``payload``."""
    n = len(ALPHABET)
    total = 0
    factor = 2
    for char in reversed(payload):
        addend = factor * _INDEX[char]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def generate_code() -> str:
    """Return a new random code, grouped for reading."""
    # 32 characters divide 256: the low five bits of a random byte pick one uniformly,
    # and one call for all bytes is far faster than a choice per character.
    payload = "".join(ALPHABET[byte & 31] for byte in secrets.token_bytes(LENGTH - 1))
    return format_code(payload + _check_character(payload))


def format_code(code: str) -> str:
    """Group a normalised code in blocks of four."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(raw: str) -> str:
    """Return the code without separators, upper case; raise CodeError if it cannot be one."""
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != LENGTH:
        raise CodeFormatError(f"expected {LENGTH} characters, got {len(code)}")
    wrong = sorted({char for char in code if char not in _INDEX})
    if wrong:
        raise CodeFormatError(f"characters that never appear in codes: {''.join(wrong)}")
    if _check_character(code[:-1]) != code[-1]:
        raise CodeTypoError("check character does not match")
    return code
