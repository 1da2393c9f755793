"""Borda count on rankings, possibly truncated."""

from collections.abc import Iterable, Sequence
from typing import Any

from results.methods import Outcome, register, tiers
from results.methods.ballots_read import read_rankings
from results.methods.lot import single_winner


def half_points(doubled: int) -> str:
    """Return twice-counted points as an exact decimal string ("17" or "17.5")."""
    whole, half = divmod(doubled, 2)
    return f"{whole}.5" if half else str(whole)


@register("borda")
def count_borda(
    options: Sequence[str], ballots: Iterable[Any], *, lot_seed: bytes | None = None
) -> Outcome:
    """Give n-1 points to a first place, n-2 to a second …; the most points win.

    A truncated ranking leaves the points of the places not given to be shared equally
    by the unranked options: with n options and m ranked, each unranked option gets
    (n-1-m)/2 points (the "averaged" Borda count). Points are counted twice over so that
    halves stay whole numbers.
    """
    rankings, blank = read_rankings("borda", options, ballots)
    n = len(options)
    doubled = dict.fromkeys(options, 0)
    voted = 0
    for ranking, weight in rankings.items():
        voted += weight
        m = len(ranking)
        for place, option in enumerate(ranking):
            doubled[option] += 2 * (n - 1 - place) * weight
        if m < n:
            share = (n - 1 - m) * weight
            ranked = set(ranking)
            for option in options:
                if option not in ranked:
                    doubled[option] += share
    ranking_tiers = tiers(options, doubled)
    winners, extra = single_winner(ranking_tiers, lot_seed, decided=voted > 0)
    first = dict.fromkeys(options, 0)
    for ranking, weight in rankings.items():
        first[ranking[0]] += weight
    details: dict[str, Any] = {
        "points": {option: half_points(doubled[option]) for option in options},
        "first_preferences": first,
        "ballots": voted,
        "blank": blank,
        **extra,
    }
    return Outcome(winners=winners, ranking=ranking_tiers, details=details)
