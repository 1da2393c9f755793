"""Score voting: each option gets a grade; the highest total wins."""

from collections.abc import Iterable, Sequence
from typing import Any

from results.methods import Outcome, register, tiers
from results.methods.lot import single_winner
from results.methods.majority_judgment import read_grades


@register("score")
def count_score(
    options: Sequence[str],
    ballots: Iterable[Any],
    *,
    grades: Sequence[str],
    lot_seed: bytes | None = None,
) -> Outcome:
    """Add up the grades (0 = worst) each option received; the highest total wins."""
    profile, voted, blank = read_grades("score", options, ballots, grades)
    totals = {o: sum(g * n for g, n in enumerate(profile[o])) for o in options}
    ranking = tiers(options, totals)
    winners, extra = single_winner(ranking, lot_seed, decided=voted > 0)
    details: dict[str, Any] = {
        "grades": list(grades),
        "totals": totals,
        "profile": profile,
        "ballots": voted,
        "blank": blank,
        **extra,
    }
    return Outcome(winners=winners, ranking=ranking, details=details)
