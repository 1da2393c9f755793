"""The verifier's own recount: ballot checks and counting, written apart from the web app.

Standard library only, and no code shared with the platform's ``results.methods``
or ``ballots.content``: a bug there must not hide itself here. Each method is one
entry of ``RECOUNTS``: which parameters it takes, a function that checks them,
one that checks one answer, and one that counts all answers into the published
shape (``winners``, ``ranking``, ``details``) that docs/counting-rules.md
specifies. Ties a method must break are drawn by the public lot
(recount_common.Lot) from the log root the verifier computed itself.
Simple methods live here, ranked ones in recount_ranked, graded ones in
recount_graded and participatory budgets in recount_budget.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from buergervotum_verifier import recount_budget, recount_graded, recount_ranked
from buergervotum_verifier.recount_common import (
    Lot,
    Published,
    Question,
    RecountError,
    check_choice_limits,
    check_choices,
    question_seed,
    tiers,
)

__all__ = ["RECOUNTS", "Question", "RecountError", "check_answer", "recount", "recount_for"]


def _check_choice(question: Question, answer: Any) -> None:
    if not isinstance(answer, str):
        raise RecountError(f"expected one option key, found {answer!r}")
    if answer not in question.options:
        raise RecountError(f"{answer!r} is not an option of this question")


def _count_choices(question: Question, answers: Iterable[Any]) -> tuple[dict[str, int], int]:
    counts = dict.fromkeys(question.options, 0)
    blank = 0
    for answer in answers:
        if answer is None:
            blank += 1
        else:
            counts[answer] += 1
    return counts, blank


def _count_single(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    counts, blank = _count_choices(question, answers)
    valid = sum(counts.values())
    ranking = tiers(question.options, counts)
    winners, drawn = lot.one_winner(ranking, decided=valid > 0)
    return {
        "winners": winners,
        "ranking": ranking,
        "details": {"counts": counts, "valid": valid, "blank": blank, **drawn},
    }


YES_NO = ("yes", "no", "abstain")
RLP_QUORUM_PERCENT = 15  # GemO RLP § 17a (7): the majority must be at least 15 % of the eligible


def _check_yes_no(question: Question) -> None:
    if question.options != YES_NO:
        raise RecountError(f"a yes/no question has the options {list(YES_NO)}")
    if question.params.get("quorum", "none") not in ("none", "rlp_buergerentscheid"):
        raise RecountError(f"unknown quorum rule {question.params['quorum']!r}")


def _count_yes_no(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    # GemO RLP § 17a (7): a tie counts as answered "no", whatever the quorum; with no yes or
    # no vote at all there is no majority and the council decides. Never drawn by lot.
    counts, blank = _count_choices(question, answers)
    yes, no = counts["yes"], counts["no"]
    if yes + no == 0:
        decision = "not_decided"
    elif yes == no:
        decision = "rejected"
    else:
        decision = "accepted" if yes > no else "rejected"
    details: dict[str, Any] = {"counts": counts, "blank": blank, "valid": yes + no}
    quorum = question.params.get("quorum", "none")
    if quorum == "rlp_buergerentscheid":
        if eligible < 1:
            raise RecountError("the quorum needs at least one eligible voter, the bundle has none")
        reached = yes != no and 100 * max(yes, no) >= RLP_QUORUM_PERCENT * eligible
        details["quorum"] = {
            "rule": quorum,
            "eligible": eligible,
            "required": (RLP_QUORUM_PERCENT * eligible + 99) // 100,
            "reached": reached,
        }
        if yes != no and not reached:
            decision = "not_decided"
    details["decision"] = decision
    winners = {"accepted": ["yes"], "rejected": ["no"], "not_decided": []}
    return {
        "winners": winners[decision],
        "ranking": tiers(("yes", "no"), counts),
        "details": details,
    }


def _count_approval(
    question: Question, answers: Iterable[Any], eligible: int, lot: Lot
) -> Published:
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
    ranking = tiers(question.options, counts)
    winners, drawn = lot.one_winner(ranking, decided=approvals > 0)
    return {
        "winners": winners,
        "ranking": ranking,
        "details": {
            "counts": counts,
            "ballots": voted,
            "blank": blank,
            "approvals": approvals,
            **drawn,
        },
    }


def _no_check(question: Question) -> None:
    pass


@dataclass(frozen=True)
class Recount:
    """How the verifier checks and counts one method's answers."""

    params: tuple[str, ...]  # the parameters the method takes
    check_params: Callable[[Question], None]
    check: Callable[[Question, Any], None]
    count: Callable[[Question, Iterable[Any], int, Lot], Published]


_CHOICES = ("max_choices", "min_choices")
_BUDGET = ("budget", "costs", *_CHOICES)
RECOUNTS: dict[str, Recount] = {
    "yes_no": Recount(("quorum",), _check_yes_no, _check_choice, _count_yes_no),
    "single": Recount((), _no_check, _check_choice, _count_single),
    "approval": Recount(_CHOICES, check_choice_limits, check_choices, _count_approval),
    "borda": Recount((), _no_check, recount_ranked.check_ranking, recount_ranked.count_borda),
    "schulze": Recount((), _no_check, recount_ranked.check_ranking, recount_ranked.count_schulze),
    "irv": Recount((), _no_check, recount_ranked.check_ranking, recount_ranked.count_irv),
    "stv": Recount(
        ("seats",),
        recount_ranked.check_seats,
        recount_ranked.check_ranking,
        recount_ranked.count_stv,
    ),
    "majority_judgment": Recount(
        ("grades",),
        recount_graded.check_scale,
        recount_graded.check_grades,
        recount_graded.count_majority_judgment,
    ),
    "score": Recount(
        ("grades",),
        recount_graded.check_scale,
        recount_graded.check_grades,
        recount_graded.count_score,
    ),
    "pb_greedy": Recount(
        _BUDGET, recount_budget.check_budget, check_choices, recount_budget.count_greedy
    ),
    "pb_equal_shares": Recount(
        (*_BUDGET, "completion"),
        recount_budget.check_budget,
        check_choices,
        recount_budget.count_equal_shares,
    ),
}


def recount_for(question: Question) -> Recount:
    """Return the recount of a question's method; refuse a method or parameters it cannot count."""
    try:
        method = RECOUNTS[question.method]
    except KeyError:
        known = ", ".join(sorted(RECOUNTS))
        raise RecountError(
            f"question {question.key!r} is counted with the method {question.method!r}, "
            f"which this verifier does not know (it knows: {known})"
        ) from None
    for name in question.params:
        if name not in method.params:
            raise RecountError(
                f"question {question.key!r}: the parameter {name!r} is not one this verifier "
                f"knows for {question.method}"
            )
    try:
        method.check_params(question)
    except RecountError as exc:
        raise RecountError(f"question {question.key!r}: {exc}") from None
    return method


def check_answer(question: Question, answer: Any) -> None:
    """Raise RecountError if ``answer`` is no valid answer to ``question`` (None is blank)."""
    if answer is not None:
        (RECOUNTS.get(question.method) or recount_for(question)).check(question, answer)


def recount(question: Question, answers: Iterable[Any], eligible: int, root: bytes) -> Published:
    """Count checked answers to ``question`` into the published shape, drawing lots from ``root``.

    ``root`` is the final root of the ballot log, as the verifier computed it from the leaves.
    """
    lot = Lot(question_seed(root, question.key))
    return recount_for(question).count(question, answers, eligible, lot)
