"""Counting methods behind one signature, looked up by name.

A method is called as ``method(options, ballots, **params)``. It reads ``ballots`` once, as a
stream (a tally may hold more ballots than fit in memory), and counts a ``None`` ballot as a
blank answer only. Every method takes ``lot_seed: bytes | None``: where its rule must name
one winner among tied options, the public lot of results.methods.lot decides with that seed;
without one the tie is reported unresolved.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """The result of counting one question."""

    winners: list[str]  # several on an unresolved tie, none when nothing was decided
    ranking: list[list[str]]  # tiers of option ids, best first
    details: dict[str, Any]  # JSON-serialisable, without floats, so it publishes unchanged


class InvalidBallot(ValueError):
    """A ballot that does not fit its question."""


class UnknownMethod(ValueError):
    """A counting method name that nothing registered."""


Method = Callable[..., Outcome]

METHODS: dict[str, Method] = {}


def register(name: str) -> Callable[[Method], Method]:
    """Register the decorated function as the counting method `name`."""

    def decorator(method: Method) -> Method:
        # Two modules claiming one name would silently change how a question is counted.
        if name in METHODS:
            raise ValueError(f"counting method {name!r} is already registered")
        METHODS[name] = method
        return method

    return decorator


def count(method: str, options: Sequence[str], ballots: Iterable[Any], **params: Any) -> Outcome:
    """Count `ballots` for a question with `options` using the method named `method`."""
    try:
        counter = METHODS[method]
    except KeyError:
        known = ", ".join(sorted(METHODS))
        raise UnknownMethod(f"unknown counting method {method!r} (known: {known})") from None
    return counter(options, ballots, **params)


def tiers(options: Sequence[str], counts: Mapping[str, Any]) -> list[list[str]]:
    """Group `options` by count (or any sortable key), highest first, keeping `options` order."""
    by_count: dict[Any, list[str]] = {}
    for option in options:
        by_count.setdefault(counts[option], []).append(option)
    return [by_count[n] for n in sorted(by_count, reverse=True)]


# Imported last so each method module finds `register` defined and fills METHODS.
from results.methods import (  # noqa: E402, F401
    approval,
    borda,
    irv,
    majority_judgment,
    pb_equal_shares,
    pb_greedy,
    schulze,
    score,
    single,
    stv,
    yes_no,
)
