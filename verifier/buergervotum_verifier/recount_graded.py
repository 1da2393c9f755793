"""The verifier's recount of graded questions: majority judgment and score voting.

An answer maps option keys to grades, 0 being the worst of ``params["grades"]``;
an option a ballot leaves ungraded counts with grade 0.
"""

from collections.abc import Iterable
from typing import Any

from buergervotum_verifier.recount_common import (
    Lot,
    Published,
    Question,
    RecountError,
    tiers,
    whole,
)

MAX_GRADES = 10


def check_scale(question: Question) -> None:
    """Refuse a scale that is not 2 to 10 different grade names."""
    grades = question.params.get("grades")
    if not (
        isinstance(grades, list)
        and 2 <= len(grades) <= MAX_GRADES
        and all(isinstance(g, str) and g.strip() for g in grades)
        and len(set(grades)) == len(grades)
    ):
        raise RecountError(f"grades {grades!r} is no scale of 2 to {MAX_GRADES} grade names")


def check_grades(question: Question, answer: Any) -> None:
    """Check one graded answer: known options, whole grades on the scale, at least one."""
    if not isinstance(answer, dict) or not answer:
        raise RecountError(f"expected grades for one or more options, found {answer!r}")
    best = len(question.params["grades"]) - 1
    for option, grade in answer.items():
        if option not in question.options:
            raise RecountError(f"{option!r} is not an option of this question")
        if not whole(grade) or not 0 <= grade <= best:
            raise RecountError(f"{option!r} has the grade {grade!r}, not one from 0 to {best}")


def _profile(question: Question, answers: Iterable[Any]) -> tuple[dict[str, list[int]], int, int]:
    """Return per option how many ballots gave each grade, the ballots counted and the blank."""
    size = len(question.params["grades"])
    profile = {option: [0] * size for option in question.options}
    voted = blank = 0
    for answer in answers:
        if answer is None:
            blank += 1
            continue
        voted += 1
        for option in question.options:
            profile[option][answer.get(option, 0)] += 1
    return profile, voted, blank


def _majority_grade(histogram: list[int]) -> tuple[int, int]:
    """Return (lower median, gauge): +above if more grade above it than below, else -below."""
    # The lower median is the grade of the ballot at position ceil(total/2), worst first.
    needed, seen, median = (sum(histogram) + 1) // 2, 0, 0
    for grade, n in enumerate(histogram):
        seen += n
        if seen >= needed:
            median = grade
            break
    above = sum(histogram[median + 1 :])
    below = sum(histogram[:median])
    return median, above if above > below else -below


def count_majority_judgment(
    question: Question, answers: Iterable[Any], eligible: int, lot: Lot
) -> Published:
    """Rank by lower median grade, then by the majority gauge."""
    profile, voted, blank = _profile(question, answers)
    keys = {option: _majority_grade(profile[option]) for option in question.options}
    ranking = tiers(question.options, keys)
    winners, drawn = lot.one_winner(ranking, decided=voted > 0)
    return {
        "winners": winners,
        "ranking": ranking,
        "details": {
            "grades": list(question.params["grades"]),
            "profile": profile,
            "median": {option: keys[option][0] for option in question.options},
            "gauge": {option: keys[option][1] for option in question.options},
            "ballots": voted,
            "blank": blank,
            **drawn,
        },
    }


def count_score(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    """Rank by the sum of grades."""
    profile, voted, blank = _profile(question, answers)
    totals = {o: sum(grade * n for grade, n in enumerate(profile[o])) for o in question.options}
    ranking = tiers(question.options, totals)
    winners, drawn = lot.one_winner(ranking, decided=voted > 0)
    return {
        "winners": winners,
        "ranking": ranking,
        "details": {
            "grades": list(question.params["grades"]),
            "totals": totals,
            "profile": profile,
            "ballots": voted,
            "blank": blank,
            **drawn,
        },
    }
