"""Participatory budgeting, greedy by votes (the rule of CONSUL)."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from results.methods import Outcome, register, tiers
from results.methods.ballots_read import read_approvals
from results.methods.lot import lot_order, lot_record


def check_budget(options: Sequence[str], budget: int, costs: Mapping[str, int]) -> None:
    """Refuse a budget or costs that are not whole positive amounts for exactly the options."""
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ValueError(f"the budget must be a positive whole amount, not {budget!r}")
    if set(costs) != set(options):
        raise ValueError("costs must name every option once, and nothing else")
    for option, cost in costs.items():
        if not isinstance(cost, int) or isinstance(cost, bool) or cost < 1:
            raise ValueError(f"the cost of {option!r} must be a positive whole amount")


def approval_votes(options: Sequence[str], sets: Mapping[tuple[str, ...], int]) -> dict[str, int]:
    """Return how many ballots approve each option."""
    votes = dict.fromkeys(options, 0)
    for chosen, n in sets.items():
        for option in chosen:
            votes[option] += n
    return votes


def greedy_fill(
    options: Sequence[str],
    votes: Mapping[str, int],
    costs: Mapping[str, int],
    remaining: int,
    funded: list[str],
    lot_seed: bytes | None,
    details: dict[str, Any],
) -> int:
    """Fund the unfunded options by votes, skipping what no longer fits; return what is left.

    Equal votes matter only when the tied options do not all fit: then the lot orders
    them, or, without a seed, filling stops and the tie is reported.
    """
    unfunded = [o for o in options if o not in funded and votes[o] > 0]
    for tier in tiers(unfunded, votes):
        n = votes[tier[0]]
        fitting = [o for o in tier if costs[o] <= remaining]
        if len(fitting) > 1 and sum(costs[o] for o in fitting) > remaining:
            if lot_seed is None:
                details["tie"] = {"votes": n, "tied": fitting, "resolved": False}
                return remaining
            tier = lot_order(lot_seed, tier)
            first = next(o for o in tier if o in fitting)  # drawn among those that fit
            details.setdefault("lot", []).append(
                lot_record(lot_seed, fitting, first, f"{n} votes: order of funding")
            )
        for option in tier:
            if costs[option] <= remaining:
                funded.append(option)
                remaining -= costs[option]
    return remaining


def pb_outcome(
    options: Sequence[str],
    funded: list[str],
    votes: Mapping[str, int],
    budget: int,
    costs: Mapping[str, int],
    details: dict[str, Any],
) -> Outcome:
    """Return a budgeting outcome: funded projects in order of funding, then the others."""
    spent = sum(costs[o] for o in funded)
    ranking = [[o] for o in funded] + tiers([o for o in options if o not in funded], votes)
    details.update(
        {
            "budget": budget,
            "spent": spent,
            "costs": dict(costs),
            "votes": dict(votes),
            "funded": list(funded),
        }
    )
    return Outcome(winners=list(funded), ranking=ranking, details=details)


@register("pb_greedy")
def count_pb_greedy(
    options: Sequence[str],
    ballots: Iterable[Any],
    *,
    budget: int,
    costs: Mapping[str, int],
    max_choices: int | None = None,
    min_choices: int = 1,
    lot_seed: bytes | None = None,
) -> Outcome:
    """Fund projects by number of approvals, skipping those that no longer fit the budget."""
    check_budget(options, budget, costs)
    params = {"max_choices": max_choices, "min_choices": min_choices}
    sets, blank = read_approvals("pb_greedy", options, ballots, params)
    votes = approval_votes(options, sets)
    funded: list[str] = []
    details: dict[str, Any] = {"ballots": sum(sets.values()), "blank": blank}
    greedy_fill(options, votes, costs, budget, funded, lot_seed, details)
    return pb_outcome(options, funded, votes, budget, costs, details)
