"""Read a bundle or a receipt as strict JSON, naming the place of the first thing refused.

Python's json module accepts what a verifier must not: NaN and Infinity, numbers too large
for any other implementation to read alike, and an object that names a key twice, of which it
silently keeps the last value (so that two readers of one file could see two ballots). Here
all of them are refused, and so is text that is not UTF-8 and nesting deeper than Python
reads. The refused values are first left in the document as markers, because the parser's
hooks do not know where they are; a walk then names the path of the first marker.
A string holding half of a surrogate pair (written as an escape such as ``\\ud800``, since
UTF-8 cannot carry one) is no Unicode text and is refused too.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from buergervotum_verifier.errors import VerificationError

# I-JSON (RFC 7493), on which RFC 8785 builds: integers beyond ±(2^53 - 1) are not read
# alike everywhere. The bundle holds no fractions (decimal figures are strings).
LARGEST = 2**53 - 1
# A bundle nests six levels deep. Python's parser stops near 1,000; the place named is where
# the nesting first passes this.
NESTING = 100
TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')  # a string (skipped) or a bracket
# Only an escape can put a surrogate into a string; where the text has none, no string is
# searched (a bundle of 100,000 ballots holds a million strings).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused:
    """Stands where a value was refused, until the walk names its place."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Reader:
    """The parser's hooks, which refuse by leaving a marker and remembering that they did."""

    def __init__(self, surrogates: bool = False) -> None:
        self.refused = False
        self.surrogates = surrogates  # whether strings must be searched for lone surrogates
        self.decoder = json.JSONDecoder(
            object_pairs_hook=self.object,
            parse_int=self.integer,
            parse_float=self.fraction,
            parse_constant=self.constant,
        )

    def refuse(self, reason: str) -> _Refused:
        self.refused = True
        return _Refused(reason)

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Refused:
        if self.surrogates:
            if any(SURROGATE.search(key) for key, _ in pairs):
                return self.refuse("a key holds a lone surrogate, which is no Unicode text")
            pairs = [(key, self.text(item)) for key, item in pairs]
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                return self.refuse(f"the key {key!r} appears twice in one object")
            seen.add(key)
        raise AssertionError("fewer keys than pairs, yet none repeated")  # pragma: no cover

    def text(self, value: Any) -> Any:
        """Return ``value``, or a marker where it is or holds a string with a lone surrogate."""
        if isinstance(value, str) and SURROGATE.search(value):
            return self.refuse("a string holds a lone surrogate, which is no Unicode text")
        if isinstance(value, list):  # objects in it were searched when they were read
            return [self.text(item) for item in value]
        return value

    def integer(self, text: str) -> int | _Refused:
        if len(text) < 16:  # 15 characters are at most 15 digits: below 2^53 (16 digits)
            return int(text)
        # By length first: int() of 100,000 digits is slow, and refused beyond 4,300.
        if len(text.lstrip("-")) > len(str(LARGEST)) or abs(int(text)) > LARGEST:
            shown = text if len(text) <= 24 else f"{text[:20]}… ({len(text)} characters)"
            return self.refuse(f"the integer {shown} is beyond ±(2^53 - 1), not I-JSON")
        return int(text)

    def fraction(self, text: str) -> _Refused:
        shown = text if len(text) <= 24 else f"{text[:20]}… ({len(text)} characters)"
        return self.refuse(f"the number {shown} is not a whole number; a bundle holds no others")

    def constant(self, name: str) -> _Refused:
        return self.refuse(f"{name} is not a JSON number")


def member(path: str, key: str) -> str:
    """Return the path of ``key`` in the object at ``path``: leaves[3].salt, result["a b"]."""
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    return f"line {line} column {column}"


def _first_refusal(document: Any) -> tuple[str, str]:
    """Return the path of the first marker, in the order of the text, and its reason.

    Without recursion: a document can nest as deep as the parser reads.
    """
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Refused):
            return path, value.reason
        if isinstance(value, dict):
            children: Iterator[tuple[str, Any]] = ((member(path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            children = ((f"{path}[{i}]", v) for i, v in enumerate(value))
        else:
            continue
        stack.extend(reversed(list(children)))
    raise AssertionError("a value was refused but no marker is left")  # pragma: no cover


def _too_deep(text: str) -> str:
    """Return where the nesting of ``text`` first passes NESTING levels."""
    depth = 0
    for token in TOKEN.finditer(text):
        if token.group() in "[{":
            depth += 1
            if depth > NESTING:
                return f"{_where(text, token.start())}: nested more than {NESTING} levels deep"
        elif token.group() in "]}":
            depth -= 1
    return "nested too deeply to read"


def read(path: Path) -> dict[str, Any]:
    """Return the JSON object in the file at ``path``; raise VerificationError naming a problem.

    A file that cannot be opened raises OSError.
    """
    # The bytes are let go once decoded: with the text and the parsed objects they would
    # be a fifth of the peak memory.
    return parse(_text(path.read_bytes()))


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        raise VerificationError(
            f"{_where(before, len(before))}: not UTF-8 (byte {exc.start}: {exc.reason})"
        ) from None


def parse(text: str, what: str = "the top level") -> dict[str, Any]:
    """Return the JSON object in ``text``; raise VerificationError naming the first problem."""
    reader = _Reader(surrogates=SURROGATE_ESCAPE.search(text) is not None)
    try:
        document = reader.decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise VerificationError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise VerificationError(_too_deep(text)) from None
    if reader.refused:
        path, reason = _first_refusal(document)
        raise VerificationError(f"{path or what}: {reason}")
    if not isinstance(document, dict):
        kind = "an array" if isinstance(document, list) else f"{json.dumps(document)[:40]}"
        raise VerificationError(f"{what}: expected a JSON object, found {kind}")
    return document
