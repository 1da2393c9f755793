"""Reading a stream of answers once into counted, checked ballots."""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ballots.content import BallotError, BallotQuestion, check_answer
from results.methods import InvalidBallot

CACHE_SIZE = 50_000  # distinct answers remembered; bounds the memory of a count


def checker(
    method: str, options: Sequence[str], params: Mapping[str, Any] | None = None
) -> Callable[[Any], Any]:
    """Return a function that checks one answer as casting does and returns its canonical form."""
    question = BallotQuestion("", method, tuple(options), dict(params or {}))
    # Real ballots repeat: an answer checked once need not be checked again.
    seen: dict[tuple[str, ...], Any] = {}

    def check(answer: Any) -> Any:
        key = tuple(answer) if isinstance(answer, list) else None
        if key is not None and key in seen:
            return seen[key]
        try:
            checked = check_answer(question, answer)
        except BallotError as exc:
            raise InvalidBallot(f"{answer!r}: the ballot {exc.description}") from None
        if key is not None and len(seen) < CACHE_SIZE:
            seen[key] = checked
        return checked

    return check


def read_rankings(
    method: str, options: Sequence[str], ballots: Iterable[Any]
) -> tuple[Counter[tuple[str, ...]], int]:
    """Return how often each ranking was given, and the number of blank ballots.

    Equal rankings are counted together, so memory grows with the number of different
    rankings, not with the number of ballots.
    """
    return _read_lists(checker(method, options), ballots)


def read_approvals(
    method: str, options: Sequence[str], ballots: Iterable[Any], params: Mapping[str, Any]
) -> tuple[Counter[tuple[str, ...]], int]:
    """Return how often each set of approved options was given, and the blank ballots."""
    return _read_lists(checker(method, options, params), ballots)


def _read_lists(
    check: Callable[[Any], Any], ballots: Iterable[Any]
) -> tuple[Counter[tuple[str, ...]], int]:
    counted: Counter[tuple[str, ...]] = Counter()
    blank = 0
    for ballot in ballots:
        answer = check(ballot)
        if answer is None:
            blank += 1
        else:
            counted[tuple(answer)] += 1
    return counted, blank
