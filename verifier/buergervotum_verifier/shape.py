"""The shape of a bundle and of a receipt: which fields the checks read, and their types.

Only what the checks rely on: a field they read must be there, a number must be an integer
(not true or false, which Python would count as 1 and 0), a list must be a list. What a
value means (a version, a time, a signature, a ballot's answers) the checks judge in their
own words; fields this file does not name are left to them. A failure names the path of
the first value that does not fit, as in ``leaves[12].leaf_index: expected an integer,
found true``.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from buergervotum_verifier.errors import VerificationError
from buergervotum_verifier.reading import member


@dataclass(frozen=True)
class Kind:
    """A JSON value of one of ``types`` (exactly: a bool is no int; none: any value).

    A string may further have to match ``pattern``.
    """

    name: str
    types: tuple[type, ...]
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class ListOf:
    """A JSON array whose items all have the shape ``item``."""

    item: "Shape"


@dataclass(frozen=True)
class Record:
    """A JSON object with these fields; any others are the checks' business."""

    required: Mapping[str, "Shape"] = field(default_factory=dict)
    optional: Mapping[str, "Shape"] = field(default_factory=dict)
    fields: tuple[tuple[str, "Shape"], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = (*self.required.items(), *self.optional.items())
        object.__setattr__(self, "fields", fields)  # frozen: set once, read 100,000 times


Shape = Kind | ListOf | Record

INTEGER = Kind("an integer", (int,))
TEXT = Kind("a string", (str,))
TEXT_OR_NULL = Kind("a string or null", (str, type(None)))
COUNT_OR_NULL = Kind("an integer or null", (int, type(None)))  # null: a cell kept hidden
HASH = Kind("64 lowercase hex digits", (str,), re.compile(r"[0-9a-f]{64}"))
# Decodable base64url, with or without padding (what it decodes to, the checks judge).
BASE64URL = Kind(
    "base64url text", (str,), re.compile(r"(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?={0,2}")
)
OBJECT = Record()
ANY = Kind("any value", ())

CHANNEL = Kind('"online" or "paper"', (str,), re.compile(r"online|paper"))
LEAF = Record(
    {
        "leaf_index": INTEGER,
        "channel": CHANNEL,
        "tracking_code": TEXT_OR_NULL,
        "leaf_hash": HASH,
        "salt": TEXT_OR_NULL,
        "content": ANY,
    }
)
TREE_HEAD = Record(
    {"tree_size": INTEGER, "root_hash": ANY, "leaf_hash": ANY},
    {"v": INTEGER, "leaf_index": INTEGER},
)
RECEIPT = Record(optional={"v": INTEGER, "leaf_index": INTEGER, "tree_size": INTEGER})
QUESTION = Record(
    {"key": TEXT, "method": TEXT, "options": ListOf(Record({"key": TEXT}))},
    {"params": OBJECT},
)
RESULT_TURNOUT = Record(
    optional={
        "ballots": INTEGER,
        "eligible": INTEGER,
        "paper_ballots": INTEGER,
        "invalid_paper_ballots": INTEGER,
        "by_hour": ListOf(Record(optional={"ballots": COUNT_OR_NULL})),
        "by_district": ListOf(Record({"eligible": INTEGER}, {"ballots": COUNT_OR_NULL})),
    }
)
BUNDLE = Record(
    {
        "consultation": Record({"id": TEXT, "questions": ListOf(QUESTION)}),
        "tree_size": INTEGER,
        "root_hash": ANY,
        "leaves": ListOf(LEAF),
        "tree_heads": ListOf(TREE_HEAD),
        "turnout": Record(
            {"participation_marks": INTEGER, "eligible": INTEGER}, {"paper_marks": INTEGER}
        ),
        "result": Record(
            {"questions": ListOf(Record({"key": TEXT}))},
            {"turnout": RESULT_TURNOUT},
        ),
    },
    {"keys": ListOf(Record(optional={"public_key": BASE64URL}))},
)


class _Misfit(Exception):
    """A value that does not fit; each enclosing level adds its step to the path on the way out."""

    def __init__(self, reason: str, step: str = "") -> None:
        self.reason = reason
        self.steps = [step] if step else []


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f'{text[:36]}…"'


def _fit(value: Any, shape: Shape) -> None:
    if isinstance(shape, Kind):
        if (shape.types and type(value) not in shape.types) or (
            shape.pattern is not None and not shape.pattern.fullmatch(value)
        ):
            raise _Misfit(f"expected {shape.name}, found {_shown(value)}")
    elif isinstance(shape, ListOf):
        if type(value) is not list:
            raise _Misfit(f"expected an array, found {_shown(value)}")
        for index, item in enumerate(value):
            try:
                _fit(item, shape.item)
            except _Misfit as misfit:
                misfit.steps.append(f"[{index}]")
                raise
    else:
        if type(value) is not dict:
            raise _Misfit(f"expected an object, found {_shown(value)}")
        for name in shape.required:
            if name not in value:
                raise _Misfit("missing", name)
        for name, inner in shape.fields:
            if name not in value:
                continue
            item = value[name]
            # Leaves and heads come by the 100,000: a field's kind is checked in line.
            if type(inner) is Kind:
                if (inner.types and type(item) not in inner.types) or (
                    inner.pattern is not None and not inner.pattern.fullmatch(item)
                ):
                    raise _Misfit(f"expected {inner.name}, found {_shown(item)}", name)
                continue
            try:
                _fit(item, inner)
            except _Misfit as misfit:
                misfit.steps.append(name)
                raise


def _check(value: Any, shape: Shape, what: str) -> None:
    try:
        _fit(value, shape)
    except _Misfit as misfit:
        path = ""
        for step in reversed(misfit.steps):
            path = f"{path}{step}" if step.startswith("[") else member(path, step)
        raise VerificationError(": ".join([*filter(None, (what, path)), misfit.reason])) from None


def check_bundle(bundle: Any) -> None:
    """Raise VerificationError naming the first value of the bundle that has not its shape."""
    _check(bundle, BUNDLE, "")


def check_receipt(receipt: Any, what: str) -> None:
    """Raise VerificationError naming the first value of the receipt that has not its shape."""
    _check(receipt, RECEIPT, what)
