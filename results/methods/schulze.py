"""The Schulze method (beat path) on rankings, possibly truncated."""

from collections.abc import Iterable, Sequence
from typing import Any

from results.methods import Outcome, register
from results.methods.ballots_read import read_rankings
from results.methods.lot import single_winner


def pairwise(options: Sequence[str], rankings: dict[tuple[str, ...], int]) -> list[list[int]]:
    """Return d[a][b]: how many ballots rank option a above option b.

    A ranked option is above every unranked one; unranked options are equal.
    """
    n = len(options)
    index = {option: i for i, option in enumerate(options)}
    flat = [0] * (n * n)
    for ranking, weight in rankings.items():
        places = [index[option] for option in ranking]
        placed = set(places)
        unranked = [i for i in range(n) if i not in placed]
        for k, a in enumerate(places):
            row = a * n
            for b in places[k + 1 :]:
                flat[row + b] += weight
            for b in unranked:
                flat[row + b] += weight
    return [flat[i * n : (i + 1) * n] for i in range(n)]


def strongest_paths(d: list[list[int]]) -> list[list[int]]:
    """Return p[a][b], the strength of the strongest path from a to b by margins.

    A link a→b exists where a beats b (d[a][b] > d[b][a]) and has the margin as strength.
    """
    n = len(d)
    p = [[0] * n for _ in range(n)]
    for a in range(n):
        for b in range(n):
            if a != b and d[a][b] > d[b][a]:
                p[a][b] = d[a][b] - d[b][a]
    for k in range(n):
        for a in range(n):
            if a == k:
                continue
            pak = p[a][k]
            if not pak:
                continue
            row = p[a]
            for b in range(n):
                if b != a and b != k:
                    via = min(pak, p[k][b])
                    if via > row[b]:
                        row[b] = via
    return p


def schulze_tiers(options: Sequence[str], p: list[list[int]]) -> list[list[str]]:
    """Group options best first: a tier holds the options no remaining option beats by path."""
    remaining = list(range(len(options)))
    result = []
    while remaining:
        tier = [a for a in remaining if all(p[a][b] >= p[b][a] for b in remaining)]
        result.append([options[a] for a in tier])
        remaining = [a for a in remaining if a not in tier]
    return result


@register("schulze")
def count_schulze(
    options: Sequence[str], ballots: Iterable[Any], *, lot_seed: bytes | None = None
) -> Outcome:
    """Elect the options that no other option beats by a stronger path of pairwise margins."""
    rankings, blank = read_rankings("schulze", options, ballots)
    d = pairwise(options, rankings)
    p = strongest_paths(d)
    ranking = schulze_tiers(options, p)
    voted = sum(rankings.values())
    winners, extra = single_winner(ranking, lot_seed, decided=voted > 0)
    details: dict[str, Any] = {
        "options": list(options),
        # pairwise[i][j]: ballots that rank options[i] above options[j].
        "pairwise": d,
        "strongest_paths": p,
        "ballots": voted,
        "blank": blank,
        **extra,
    }
    return Outcome(winners=winners, ranking=ranking, details=details)
