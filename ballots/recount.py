"""The verifier's own recount: ballot checks and counting, written apart from the web app.

Standard library only, and no code shared with ``results.methods`` or
``ballots.content``: a bug there must not hide itself here. Each method is one
entry of ``RECOUNTS``: a function that checks one answer and one that counts all
answers into the published shape (``winners``, ``ranking``, ``details``) that
docs/verification.md describes. To add a method, add its two functions and one
line to ``RECOUNTS``.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class RecountError(ValueError):
    """A ballot or question the recount cannot accept; the message says which and why."""


@dataclass(frozen=True)
class Question:
    """One question of the bundle's manifest."""

    key: str
    method: str
    options: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)


Published = dict[str, Any]  # {"winners": [...], "ranking": [[...]], "details": {...}}


def _tiers(options: Sequence[str], counts: Mapping[str, int]) -> list[list[str]]:
    """Group options by count, highest first; equal counts keep ballot order."""
    groups: dict[int, list[str]] = {}
    for option in options:
        groups.setdefault(counts[option], []).append(option)
    return [groups[n] for n in sorted(groups, reverse=True)]


def _check_choice(question: Question, answer: Any) -> None:
    if not isinstance(answer, str):
        raise RecountError(f"expected one option key, found {answer!r}")
    if answer not in question.options:
        raise RecountError(f"{answer!r} is not an option of this question")


def _count_single(question: Question, answers: Iterable[Any], eligible: int) -> Published:
    counts = dict.fromkeys(question.options, 0)
    blank = 0
    for answer in answers:
        if answer is None:
            blank += 1
        else:
            counts[answer] += 1
    valid = sum(counts.values())
    ranking = _tiers(question.options, counts)
    return {
        "winners": list(ranking[0]) if valid else [],
        "ranking": ranking,
        "details": {"counts": counts, "valid": valid, "blank": blank},
    }


YES_NO = ("yes", "no", "abstain")
RLP_QUORUM_PERCENT = 15  # GemO RLP § 17a (7): the majority must be at least 15 % of the eligible


def _count_yes_no(question: Question, answers: Iterable[Any], eligible: int) -> Published:
    if question.options != YES_NO:
        raise RecountError(f"a yes/no question has the options {list(YES_NO)}")
    counts = dict.fromkeys(YES_NO, 0)
    blank = 0
    for answer in answers:
        if answer is None:
            blank += 1
        else:
            counts[answer] += 1
    yes, no = counts["yes"], counts["no"]
    decision = "tie" if yes == no else ("accepted" if yes > no else "rejected")
    details: dict[str, Any] = {"counts": counts, "blank": blank, "valid": yes + no}
    quorum = question.params.get("quorum", "none")
    if quorum == "rlp_buergerentscheid":
        reached = decision != "tie" and 100 * max(yes, no) >= RLP_QUORUM_PERCENT * eligible
        details["quorum"] = {
            "rule": quorum,
            "eligible": eligible,
            "required": (RLP_QUORUM_PERCENT * eligible + 99) // 100,
            "reached": reached,
        }
        if decision != "tie" and not reached:
            decision = "not_decided"
    elif quorum != "none":
        raise RecountError(f"unknown quorum rule {quorum!r}")
    details["decision"] = decision
    winners = {"accepted": ["yes"], "rejected": ["no"], "tie": ["yes", "no"], "not_decided": []}
    return {
        "winners": winners[decision],
        "ranking": _tiers(("yes", "no"), counts),
        "details": details,
    }


def _check_approval(question: Question, answer: Any) -> None:
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


def _count_approval(question: Question, answers: Iterable[Any], eligible: int) -> Published:
    counts = dict.fromkeys(question.options, 0)
    voted = blank = 0
    for answer in answers:
        if answer is None:
            blank += 1
            continue
        voted += 1
        for option in answer:
            counts[option] += 1
    approvals = sum(counts.values())
    ranking = _tiers(question.options, counts)
    return {
        "winners": list(ranking[0]) if approvals else [],
        "ranking": ranking,
        "details": {"counts": counts, "ballots": voted, "blank": blank, "approvals": approvals},
    }


@dataclass(frozen=True)
class Recount:
    """How the verifier checks and counts one method's answers."""

    check: Callable[[Question, Any], None]
    count: Callable[[Question, Iterable[Any], int], Published]


RECOUNTS: dict[str, Recount] = {
    "yes_no": Recount(_check_choice, _count_yes_no),
    "single": Recount(_check_choice, _count_single),
    "approval": Recount(_check_approval, _count_approval),
}


def recount_for(question: Question) -> Recount:
    """Return the recount of a question's method, or say that the verifier does not know it."""
    try:
        return RECOUNTS[question.method]
    except KeyError:
        known = ", ".join(sorted(RECOUNTS))
        raise RecountError(
            f"question {question.key!r} is counted with the method {question.method!r}, "
            f"which this verifier does not know (it knows: {known})"
        ) from None


def check_answer(question: Question, answer: Any) -> None:
    """Raise RecountError if ``answer`` is no valid answer to ``question`` (None is blank)."""
    if answer is not None:
        recount_for(question).check(question, answer)


def recount(question: Question, answers: Iterable[Any], eligible: int) -> Published:
    """Count already checked answers to ``question`` into the published shape."""
    return recount_for(question).count(question, answers, eligible)
