"""Instant-runoff voting on rankings, possibly truncated."""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from results.methods import Outcome, register, tiers
from results.methods.ballots_read import read_rankings
from results.methods.lot import last_by_lot, lot_record


def _first_choices(
    rankings: dict[tuple[str, ...], int], continuing: frozenset[str]
) -> tuple[dict[str, int], int]:
    votes = dict.fromkeys(continuing, 0)
    exhausted = 0
    for ranking, weight in rankings.items():
        for option in ranking:
            if option in continuing:
                votes[option] += weight
                break
        else:
            exhausted += weight
    return votes, exhausted


def possible_winners(
    rankings: dict[tuple[str, ...], int], continuing: frozenset[str]
) -> frozenset[str]:
    """Return every option that wins under some order of eliminating tied last options."""

    @cache
    def winners(remaining: frozenset[str]) -> frozenset[str]:
        if len(remaining) == 1:
            return remaining
        votes, _ = _first_choices(rankings, remaining)
        total = sum(votes.values())
        leader = max(votes.values())
        if 2 * leader > total:
            return frozenset(o for o in remaining if votes[o] == leader)
        low = min(votes.values())
        result: frozenset[str] = frozenset()
        for option in remaining:
            if votes[option] == low:
                result |= winners(remaining - {option})
        return result

    return winners(continuing)


@register("irv")
def count_irv(
    options: Sequence[str], ballots: Iterable[Any], *, lot_seed: bytes | None = None
) -> Outcome:
    """Eliminate the option with the fewest first choices until one has a majority.

    A ballot counts for its highest-ranked option still in the count; a ballot whose
    ranked options are all eliminated is exhausted. A majority is more than half of the
    ballots still counting. A tie for last place is drawn by lot where a seed is given;
    without one, the outcome names every option that some order of elimination elects.
    """
    rankings, blank = read_rankings("irv", options, ballots)
    continuing = set(options)
    # Piles: each ballot group sits with the option it currently counts for.
    piles: dict[str, list[tuple[tuple[str, ...], int]]] = {o: [] for o in options}
    votes = dict.fromkeys(options, 0)
    for ranking, weight in rankings.items():
        piles[ranking[0]].append((ranking, weight))
        votes[ranking[0]] += weight
    exhausted = 0
    rounds: list[dict[str, Any]] = []
    eliminated: list[str] = []
    details: dict[str, Any] = {"ballots": sum(rankings.values()), "blank": blank}
    winners: list[str] = []
    while continuing:
        standing = {o: votes[o] for o in options if o in continuing}
        record: dict[str, Any] = {"votes": standing, "exhausted": exhausted}
        rounds.append(record)
        total = sum(standing.values())
        leader = max(standing.values())
        if total == 0:
            break
        if 2 * leader > total or len(continuing) == 1:
            winners = [o for o in options if o in continuing and standing[o] == leader]
            break
        low = min(standing.values())
        tied = [o for o in options if o in continuing and standing[o] == low]
        if len(tied) > 1:
            if lot_seed is None:
                possible = possible_winners(rankings, frozenset(continuing))
                winners = [o for o in options if o in possible]
                details["tie"] = {"round": len(rounds), "tied": tied, "resolved": False}
                break
            loser = last_by_lot(lot_seed, tied)
            details.setdefault("lot", []).append(
                lot_record(lot_seed, tied, loser, f"round {len(rounds)}: eliminated")
            )
        else:
            loser = tied[0]
        record["eliminated"] = loser
        eliminated.append(loser)
        continuing.discard(loser)
        for ranking, weight in piles.pop(loser):
            for option in ranking:
                if option in continuing:
                    piles[option].append((ranking, weight))
                    votes[option] += weight
                    break
            else:
                exhausted += weight
        votes[loser] = 0
    details["rounds"] = rounds
    last = rounds[-1]["votes"] if rounds else {}
    elected = winners if len(winners) == 1 else []
    ranked = [elected] if elected else []
    ranked += tiers([o for o in options if o in last and o not in elected], last)
    ranked += [[option] for option in reversed(eliminated)]
    return Outcome(winners=winners, ranking=ranked, details=details)
