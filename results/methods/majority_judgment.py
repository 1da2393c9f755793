"""Majority judgment: each option gets a grade; the best median grade wins."""

from collections.abc import Iterable, Sequence
from typing import Any

from results.methods import Outcome, register, tiers
from results.methods.ballots_read import checker
from results.methods.lot import single_winner


def read_grades(
    method: str, options: Sequence[str], ballots: Iterable[Any], grades: Sequence[str]
) -> tuple[dict[str, list[int]], int, int]:
    """Return per option how many ballots gave each grade, the ballots, and the blank ones.

    An option a ballot leaves ungraded gets the worst grade, 0.
    """
    check = checker(method, options, {"grades": list(grades)})
    profile = {option: [0] * len(grades) for option in options}
    voted = blank = 0
    for ballot in ballots:
        answer = check(ballot)
        if answer is None:
            blank += 1
            continue
        voted += 1
        for option in options:
            profile[option][answer.get(option, 0)] += 1
    return profile, voted, blank


def lower_median(histogram: Sequence[int]) -> int:
    """Return the lower median grade of a histogram of grades."""
    total = sum(histogram)
    # With the grades sorted worst first, the lower median is the ceil(total/2)-th.
    needed, seen = (total + 1) // 2, 0
    for grade in range(len(histogram)):
        seen += histogram[grade]
        if seen >= needed:
            return grade
    return 0


def gauge(histogram: Sequence[int]) -> tuple[int, int]:
    """Return (median, tie-break) ordering options by Balinski and Laraki's majority gauge.

    With p ballots above the median and q below: +p if p > q, else -q.
    """
    median = lower_median(histogram)
    above = sum(histogram[median + 1 :])
    below = sum(histogram[:median])
    return (median, above) if above > below else (median, -below)


@register("majority_judgment")
def count_majority_judgment(
    options: Sequence[str],
    ballots: Iterable[Any],
    *,
    grades: Sequence[str],
    lot_seed: bytes | None = None,
) -> Outcome:
    """Rank options by majority grade (lower median), then by the majority gauge."""
    profile, voted, blank = read_grades("majority_judgment", options, ballots, grades)
    keys = {option: gauge(profile[option]) for option in options}
    ranking = tiers(options, keys)
    winners, extra = single_winner(ranking, lot_seed, decided=voted > 0)
    details: dict[str, Any] = {
        "grades": list(grades),
        # profile[option][g]: ballots that gave the option grade g (0 = worst).
        "profile": profile,
        "median": {o: keys[o][0] for o in options},
        "gauge": {o: keys[o][1] for o in options},
        "ballots": voted,
        "blank": blank,
        **extra,
    }
    return Outcome(winners=winners, ranking=ranking, details=details)
