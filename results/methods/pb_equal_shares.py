"""Participatory budgeting by the Method of Equal Shares, with cost utilities, exactly.

Every voter gets an equal share of the budget. Each round funds the project whose
supporters can pay for it with the smallest price per unit of utility rho; with cost
utilities (each supporter values a project at its cost, as on equalshares.net) a supporter
pays min(own money left, rho x cost). A project its supporters cannot pay for is out.
Equal rho goes to the project with more votes, then to the lot. All money is held as
fractions, so no rounding can change which project is funded.

Completion (`completion`): "none"; "greedy" fills what is left by votes (pb_greedy's
rule); "add1" reruns with a per-voter budget of floor(budget / voters) + k whole units
for k = 1, 2, … and keeps the last outcome whose cost stays within the real budget, until
every project with a vote is funded. The lots published are those of the outcome kept,
then those of a greedy completion.
"""

import heapq
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from results.methods import Outcome, register
from results.methods.ballots_read import read_approvals
from results.methods.lot import first_by_lot, lot_record
from results.methods.pb_greedy import approval_votes, check_budget, greedy_fill, pb_outcome
from results.methods.stv import decimal

COMPLETIONS = ("none", "add1", "greedy")
# The counting rules cap the add1 completion, so that no budget, however hostile, stalls a count
# (about 15 µs a round for a few projects: a second for 100,000 rounds).
MAX_ADD1_ROUNDS = 1_000_000


class _Unresolved(Exception):
    def __init__(self, tied: list[str]) -> None:
        self.tied = tied


# Floats only sort out which projects can be cheapest: every project within this relative
# distance of the cheapest one is priced exactly before one is chosen. Float errors stay far
# below it (about 1e-15 per operation), so an exact tie is always among those priced.
TOLERANCE = 1e-9


def _rough_cap(
    cost: float, groups: list[int], money: Sequence[float], sizes: Sequence[int]
) -> float | None:
    """Estimate the payment cap per supporter (rho x cost) in floats; None if unaffordable.

    Supporters with less money than the cap pay all they have; the rest pay the cap.
    """
    if sum(money[g] * sizes[g] for g in groups) < cost * (1 - TOLERANCE):
        return None
    paid, paying, active = 0.0, sum(sizes[g] for g in groups), groups
    while paying:
        cap = (cost - paid) / paying
        poor = [g for g in active if money[g] < cap]
        if not poor:
            return cap
        paid += sum(money[g] * sizes[g] for g in poor)
        paying -= sum(sizes[g] for g in poor)
        active = [g for g in active if money[g] >= cap]
    # Within rounding, the supporters' money is just the cost: each pays all, the richest most.
    return max(money[g] for g in groups)


class Money:
    """Every group's money as whole numbers over one common denominator: exact and fast.

    A voter of group g holds units[g] / denominator. Paying a cap X / P (in units) first
    scales every holding by P, so the cap and all holdings stay whole numbers.
    """

    def __init__(self, share: Fraction, groups: int) -> None:
        self.units = [share.numerator] * groups
        self.denominator = share.denominator
        self.estimate = [float(share)] * groups

    def cap(self, cost: int, groups: list[int], sizes: Sequence[int]) -> tuple[int, int] | None:
        """Return the exact cap per supporter as (X, P), meaning X / P units, or None."""
        units = self.units
        target = cost * self.denominator
        if sum(units[g] * sizes[g] for g in groups) < target:
            return None
        paid, paying, active = 0, sum(sizes[g] for g in groups), groups
        while paying:
            cap = target - paid  # the cap is cap / paying units
            poor = [g for g in active if units[g] * paying < cap]
            if not poor:
                return cap, paying
            active = [g for g in active if units[g] * paying >= cap]
            paid += sum(units[g] * sizes[g] for g in poor)
            paying -= sum(sizes[g] for g in poor)
        return None  # unreachable: affordability was checked

    def pay(self, groups: list[int], cap: tuple[int, int]) -> None:
        """Let each group pay the cap, or all it has if that is less."""
        amount, parts = cap
        if parts > 1:
            self.units = [u * parts for u in self.units]
            self.denominator *= parts
        units, estimate, denominator = self.units, self.estimate, self.denominator
        for g in groups:
            units[g] -= min(units[g], amount)
            estimate[g] = units[g] / denominator


def equal_shares(
    options: Sequence[str],
    groups: Sequence[tuple[tuple[str, ...], int]],
    costs: Mapping[str, int],
    votes: Mapping[str, int],
    share: Fraction,
    lot_seed: bytes | None,
    lots: list[dict[str, Any]],
) -> list[str]:
    """Return the projects funded when every voter starts with `share`, in order of funding.

    `groups` are the distinct approval sets with the number of voters giving each:
    voters with equal sets pay equally, so they are counted as one.
    """
    supporters: dict[str, list[int]] = {o: [] for o in options}
    for g, (chosen, _n) in enumerate(groups):
        for option in chosen:
            supporters[option].append(g)
    sizes = [n for _chosen, n in groups]
    money = Money(share, len(groups))
    funded: list[str] = []

    def rough(option: str) -> float | None:
        cost = costs[option]
        cap = _rough_cap(cost, supporters[option], money.estimate, sizes)
        return None if cap is None else cap / cost

    # rho only grows as money is spent, so a value from an earlier round is a lower bound:
    # each round only the projects at the top of the heap are priced anew.
    heap: list[tuple[float, int, str]] = []
    for option in options:
        rho = rough(option)
        if rho is not None:
            heap.append((rho, 0, option))
    heapq.heapify(heap)
    while heap:
        version = len(funded)
        while heap and heap[0][1] != version:
            _old, _v, option = heapq.heappop(heap)
            rho = rough(option)
            if rho is not None:
                heapq.heappush(heap, (rho, version, option))
        if not heap:
            break
        limit = heap[0][0] * (1 + TOLERANCE) + TOLERANCE * 1e-9
        near: list[str] = []
        while heap and heap[0][0] <= limit:
            _rho, computed, option = heapq.heappop(heap)
            if computed != version:
                rho = rough(option)
                if rho is None:
                    continue
                if rho > limit:
                    heapq.heappush(heap, (rho, version, option))
                    continue
            near.append(option)
        exact = {}
        for option in near:
            cap = money.cap(costs[option], supporters[option], sizes)
            if cap is not None:
                exact[option] = cap
        if not exact:
            continue
        # rho = cap / cost = X / (P x cost) units; the denominator is common to all.
        prices = {o: Fraction(x, p * costs[o]) for o, (x, p) in exact.items()}
        best = min(prices.values())
        tied = [o for o in near if o in prices and prices[o] == best]
        choice = _break_tie(tied, votes, lot_seed, lots)
        for option in exact:
            if option != choice:
                rho = rough(option)
                if rho is not None:
                    heapq.heappush(heap, (rho, version, option))
        money.pay(supporters[choice], exact[choice])
        funded.append(choice)
    return funded


def _break_tie(
    tied: list[str], votes: Mapping[str, int], lot_seed: bytes | None, lots: list[dict[str, Any]]
) -> str:
    if len(tied) == 1:
        return tied[0]
    most = max(votes[o] for o in tied)
    tied = sorted(o for o in tied if votes[o] == most)
    if len(tied) == 1:
        return tied[0]
    if lot_seed is None:
        raise _Unresolved(tied)
    drawn = first_by_lot(lot_seed, tied)
    lots.append(lot_record(lot_seed, tied, drawn, "equal price per utility and votes"))
    return drawn


@register("pb_equal_shares")
def count_pb_equal_shares(
    options: Sequence[str],
    ballots: Iterable[Any],
    *,
    budget: int,
    costs: Mapping[str, int],
    completion: str = "add1",
    max_choices: int | None = None,
    min_choices: int = 1,
    lot_seed: bytes | None = None,
) -> Outcome:
    """Fund projects by the Method of Equal Shares on approval ballots."""
    check_budget(options, budget, costs)
    if completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r} (known: {', '.join(COMPLETIONS)})")
    params = {"max_choices": max_choices, "min_choices": min_choices}
    sets, blank = read_approvals("pb_equal_shares", options, ballots, params)
    votes = approval_votes(options, sets)
    voters = sum(sets.values())
    groups = sorted(sets.items())
    details: dict[str, Any] = {"ballots": voters, "blank": blank, "completion": completion}
    lots: list[dict[str, Any]] = []
    funded: list[str] = []
    if voters:
        try:
            share = Fraction(budget, voters)
            funded = equal_shares(options, groups, costs, votes, share, lot_seed, lots)
            details["per_voter_budget"] = decimal(share, 2)
            if completion == "add1":
                base = budget // voters
                k = 0
                # Once every approved project is funded, a larger share changes nothing
                # (a project nobody approved is never funded, so stop there, not at all).
                approved = sum(1 for option in options if votes[option])
                while len(funded) < approved:
                    k += 1
                    if k > MAX_ADD1_ROUNDS:
                        raise ValueError(
                            f"the add1 completion has not ended after {MAX_ADD1_ROUNDS:,} rounds;"
                            " count this budget with the completion greedy or none"
                        )
                    trial_lots: list[dict[str, Any]] = []
                    trial = equal_shares(
                        options, groups, costs, votes, Fraction(base + k), lot_seed, trial_lots
                    )
                    if sum(costs[o] for o in trial) > budget:
                        break
                    # Only the lots of the outcome kept are published.
                    funded, lots = trial, trial_lots
                    details["per_voter_budget"] = str(base + k)
        except _Unresolved as tie:
            details["tie"] = {"tied": tie.tied, "resolved": False}
    if lots:
        details["lot"] = lots
    if completion == "greedy" and "tie" not in details:
        remaining = budget - sum(costs[o] for o in funded)
        greedy_fill(options, votes, costs, remaining, funded, lot_seed, details)
    return pb_outcome(options, funded, votes, budget, costs, details)
