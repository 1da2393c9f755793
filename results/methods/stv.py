"""Single transferable vote for several seats, counted with exact fractions.

The variant is Scottish STV (Scottish Local Government Elections Order 2007, SSI 2007/42,
rules 45-52) with exact arithmetic instead of truncating transfer values to five decimals:

- quota (Droop, integer): floor(valid ballots / (seats + 1)) + 1; a candidate whose votes
  reach the quota is elected;
- surplus (weighted inclusive Gregory): every ballot of an elected candidate moves on to its
  next continuing preference at value x surplus / candidate's votes; ballots with no further
  preference are non-transferable; the largest surplus is transferred first;
- otherwise the candidate with the fewest votes is excluded and each of their ballots moves
  on at its current value;
- when the continuing candidates are no more than the seats left, they are all elected;
- a tie (largest surplus, fewest votes) goes to the most recent earlier stage at which the
  tied candidates had unequal votes, then to the public lot (results.methods.lot); without
  a lot seed the count stops there and reports the tie.
"""

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from results.methods import Outcome, register
from results.methods.ballots_read import read_rankings
from results.methods.lot import first_by_lot, last_by_lot, lot_record

Piece = tuple[tuple[str, ...], int, Fraction]  # ranking, ballots, value of each


def decimal(value: Fraction, places: int = 4) -> str:
    """Return `value` as a decimal string, rounded down to `places` decimals."""
    scaled = value.numerator * 10**places // value.denominator
    whole, fraction = divmod(scaled, 10**places)
    return f"{whole}.{fraction:0{places}d}"


class _Count:
    def __init__(self, options: Sequence[str], rankings: dict[tuple[str, ...], int]) -> None:
        self.options = list(options)
        self.continuing = set(options)
        self.piles: dict[str, list[Piece]] = {o: [] for o in options}
        self.votes: dict[str, Fraction] = dict.fromkeys(options, Fraction(0))
        self.lost = Fraction(0)  # non-transferable
        self.history: list[dict[str, Fraction]] = []
        for ranking, n in rankings.items():
            self.piles[ranking[0]].append((ranking, n, Fraction(1)))
            self.votes[ranking[0]] += n

    def snapshot(self) -> dict[str, str]:
        self.history.append(dict(self.votes))
        return {o: decimal(v) for o, v in self.votes.items() if v or o in self.continuing}

    def move(self, candidate: str, factor: Fraction) -> None:
        """Pass every ballot of `candidate` on at value x factor."""
        for ranking, n, value in self.piles[candidate]:
            new = value * factor
            target = next((o for o in ranking if o in self.continuing), None)
            if target is None:
                self.lost += n * new
            else:
                self.piles[target].append((ranking, n, new))
                self.votes[target] += n * new
        self.piles[candidate] = []

    def by_history(self, tied: list[str], highest: bool) -> list[str]:
        """Narrow a tie by the most recent earlier stage where the tied had unequal votes."""
        for stage in reversed(self.history[:-1]):
            pick = max if highest else min
            best = pick(stage[o] for o in tied)
            narrowed = [o for o in tied if stage[o] == best]
            if len(narrowed) < len(tied):
                tied = narrowed
                if len(tied) == 1:
                    break
        return tied


@register("stv")
def count_stv(
    options: Sequence[str],
    ballots: Iterable[Any],
    *,
    seats: int = 1,
    lot_seed: bytes | None = None,
) -> Outcome:
    """Elect `seats` options by Scottish STV with exact fractional transfers."""
    if not 1 <= seats <= len(options):
        raise ValueError(f"seats must be from 1 to {len(options)}, not {seats}")
    rankings, blank = read_rankings("stv", options, ballots)
    valid = sum(rankings.values())
    quota = valid // (seats + 1) + 1
    count = _Count(options, rankings)
    elected: list[str] = []
    surplus_due: list[str] = []
    stages: list[dict[str, Any]] = [{"action": "first preferences", "votes": count.snapshot()}]
    details: dict[str, Any] = {"seats": seats, "ballots": valid, "blank": blank, "quota": quota}

    def resolve(tied: list[str], highest: bool, stage: str) -> str | None:
        narrowed = count.by_history(tied, highest)
        if len(narrowed) == 1:
            return narrowed[0]
        if lot_seed is None:
            details["tie"] = {"stage": stage, "tied": sorted(narrowed), "resolved": False}
            return None
        pick = first_by_lot if highest else last_by_lot
        drawn = pick(lot_seed, narrowed)
        details.setdefault("lot", []).append(lot_record(lot_seed, narrowed, drawn, stage))
        return drawn

    while len(elected) < seats and valid:
        reached = [o for o in options if o in count.continuing and count.votes[o] >= quota]
        if reached:
            for option in sorted(reached, key=lambda o: -count.votes[o]):
                count.continuing.discard(option)
                elected.append(option)
                surplus_due.append(option)
            stages.append({"action": "elected", "candidates": reached, "votes": count.snapshot()})
            continue
        if len(count.continuing) <= seats - len(elected):
            rest = [o for o in options if o in count.continuing]
            elected += sorted(rest, key=lambda o: -count.votes[o])
            count.continuing.clear()
            stages.append({"action": "elected", "candidates": rest, "votes": count.snapshot()})
            break
        surpluses = {o: count.votes[o] - quota for o in surplus_due if count.votes[o] > quota}
        if surpluses and count.continuing:
            largest = max(surpluses.values())
            tied = [o for o in surplus_due if surpluses.get(o) == largest]
            chosen = resolve(tied, True, f"stage {len(stages) + 1}: surplus")
            if chosen is None:
                break
            surplus_due.remove(chosen)
            count.move(chosen, (count.votes[chosen] - quota) / count.votes[chosen])
            count.votes[chosen] = Fraction(quota)
            stages.append({"action": "surplus", "candidate": chosen, "votes": count.snapshot()})
            continue
        surplus_due.clear()
        low = min(count.votes[o] for o in count.continuing)
        tied = [o for o in options if o in count.continuing and count.votes[o] == low]
        loser = resolve(tied, False, f"stage {len(stages) + 1}: exclusion")
        if loser is None:
            break
        count.continuing.discard(loser)
        count.move(loser, Fraction(1))
        count.votes[loser] = Fraction(0)
        stages.append({"action": "excluded", "candidate": loser, "votes": count.snapshot()})
    details["stages"] = stages
    details["non_transferable"] = decimal(count.lost)
    unelected = [o for o in options if o not in elected]
    ranking = [[o] for o in elected] + ([unelected] if unelected else [])
    return Outcome(winners=elected, ranking=ranking, details=details)
