"""What every method of the verifier's recount shares: the question, the error, tiers and the lot.

Standard library only, written from docs/counting-rules.md and shared with nothing of the web
app, so that a bug in the app's counting cannot hide itself here.

The public lot: the seed of a question is SHA-256(final log root ‖ 0x00 ‖ question key); an
option's ticket is SHA-256("buergervotum/lot/v1\\n" ‖ seed ‖ option key), in hex, and the
option with the smallest ticket wins a tie (is elected, funded, or kept from elimination).
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LOT_DOMAIN = b"buergervotum/lot/v1\n"

Published = dict[str, Any]  # {"winners": [...], "ranking": [[...]], "details": {...}}


class RecountError(ValueError):
    """A ballot or question the recount cannot accept; the message says which and why."""


@dataclass(frozen=True)
class Question:
    """One question of the bundle's manifest."""

    key: str
    method: str
    options: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)


def tiers(options: Sequence[str], score: Mapping[str, Any]) -> list[list[str]]:
    """Group options by score, highest first; equal scores keep ballot order."""
    groups: dict[Any, list[str]] = {}
    for option in options:
        groups.setdefault(score[option], []).append(option)
    return [groups[key] for key in sorted(groups, reverse=True)]


def read_answers(answers: Iterable[Any]) -> tuple[Counter[tuple[str, ...]], int]:
    """Return how often each list answer (a ranking, a set of projects) was given, and the blank."""
    given: Counter[tuple[str, ...]] = Counter()
    blank = 0
    for answer in answers:
        if answer is None:
            blank += 1
        else:
            given[tuple(answer)] += 1
    return given, blank


def question_seed(root: bytes, key: str) -> bytes:
    """Return the lot seed of the question ``key`` under the log's final root."""
    return hashlib.sha256(root + b"\x00" + key.encode("utf-8")).digest()


class Lot:
    """The public lot of one question."""

    def __init__(self, seed: bytes) -> None:
        self.seed = seed

    def ticket(self, option: str) -> str:
        """Return the option's ticket, lowercase hex."""
        return hashlib.sha256(LOT_DOMAIN + self.seed + option.encode("utf-8")).hexdigest()

    def order(self, options: Iterable[str]) -> list[str]:
        """Return the options by ticket, the winner of a tie first."""
        return sorted(options, key=lambda option: (self.ticket(option), option))

    def record(self, tied: Iterable[str], drawn: str, stage: str) -> dict[str, Any]:
        """Return a drawn lot as the result publishes it."""
        names = sorted(tied)
        return {
            "stage": stage,
            "tied": names,
            "drawn": drawn,
            "tickets": {option: self.ticket(option) for option in names},
        }

    def one_winner(self, ranking: list[list[str]], decided: bool) -> tuple[list[str], Published]:
        """Return the single winner of the first tier, and the details of a lot if one was drawn."""
        if not decided or not ranking:
            return [], {}
        if len(ranking[0]) == 1:
            return list(ranking[0]), {}
        drawn = self.order(ranking[0])[0]
        return [drawn], {"lot": [self.record(ranking[0], drawn, "winner")]}


def whole(value: Any) -> bool:
    """Tell whether ``value`` is a JSON whole number (true/false are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_choices(question: Question, answer: Any) -> None:
    """Check a list of approved options: known, once each, in ballot order, within the limits."""
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
        raise RecountError(f"expected a list of option keys, found {answer!r}")
    unknown = [a for a in answer if a not in question.options]
    if unknown:
        raise RecountError(f"{unknown[0]!r} is not an option of this question")
    if len(set(answer)) != len(answer):
        raise RecountError("an option is marked twice")
    if answer != [o for o in question.options if o in answer]:
        raise RecountError("the options are not in ballot order")
    most = question.params.get("max_choices")
    least = question.params.get("min_choices", 1)
    if most is not None and len(answer) > most:
        raise RecountError(f"{len(answer)} options marked, at most {most} allowed")
    if len(answer) < least:
        raise RecountError(f"{len(answer)} options marked, at least {least} needed")


def check_choice_limits(question: Question) -> None:
    """Refuse ``max_choices``/``min_choices`` that no ballot could meet."""
    most = question.params.get("max_choices")
    least = question.params.get("min_choices", 1)
    top = len(question.options) if most is None else most
    if most is not None and not (whole(most) and 1 <= most <= len(question.options)):
        raise RecountError(f"max_choices {most!r} is no whole number of options")
    if not (whole(least) and 1 <= least <= top):
        raise RecountError(f"min_choices {least!r} is no whole number from 1 to {top}")
