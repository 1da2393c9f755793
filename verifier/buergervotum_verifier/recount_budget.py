"""The verifier's recount of participatory budgets: greedy by votes and the Method of Equal Shares.

An answer is a list of approved projects in ballot order. Money is counted in exact
fractions, so no rounding can decide which project is funded.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from buergervotum_verifier.recount_common import (
    Lot,
    Published,
    Question,
    RecountError,
    check_choice_limits,
    read_answers,
    whole,
)

COMPLETIONS = ("none", "add1", "greedy")
# The counting rules cap the add1 completion, so that no budget, however hostile, stalls a count.
MAX_ADD1_ROUNDS = 1_000_000


def check_budget(question: Question) -> None:
    """Refuse a budget, costs, choice limits or completion the count cannot work with."""
    params = question.params
    if not whole(params.get("budget")) or params["budget"] < 1:
        raise RecountError(f"budget {params.get('budget')!r} is no positive whole amount")
    costs = params.get("costs")
    if not isinstance(costs, dict) or set(costs) != set(question.options):
        raise RecountError("costs must give the cost of every option and nothing else")
    for option, cost in costs.items():
        if not whole(cost) or cost < 1:
            raise RecountError(f"the cost {cost!r} of {option!r} is no positive whole amount")
    if params.get("completion", "add1") not in COMPLETIONS:
        raise RecountError(f"completion {params['completion']!r} is none of {COMPLETIONS}")
    check_choice_limits(question)


def _fill_by_votes(
    question: Question,
    votes: Mapping[str, int],
    left: int,
    funded: list[str],
    lot: Lot,
    lots: list[dict[str, Any]],
) -> None:
    """Fund the remaining projects with votes, most votes first, while they fit into ``left``.

    Projects with equal votes are funded in ballot order unless not all of those that fit
    can be funded: then in lot order, and the lot is recorded among those that fit.
    """
    costs = question.params["costs"]
    levels = sorted({votes[o] for o in question.options if o not in funded and votes[o]})
    for level in reversed(levels):
        group = [o for o in question.options if o not in funded and votes[o] == level]
        fitting = [o for o in group if costs[o] <= left]
        if len(fitting) > 1 and sum(costs[o] for o in fitting) > left:
            group = lot.order(group)
            first = next(o for o in group if o in fitting)
            lots.append(lot.record(fitting, first, f"{level} votes: order of funding"))
        for option in group:
            if costs[option] <= left:
                funded.append(option)
                left -= costs[option]


def _published(
    question: Question, funded: list[str], votes: dict[str, int], details: dict[str, Any]
) -> Published:
    costs = question.params["costs"]
    rest = {o: votes[o] for o in question.options if o not in funded}
    levels = sorted(set(rest.values()), reverse=True)
    details.update(
        {
            "budget": question.params["budget"],
            "spent": sum(costs[o] for o in funded),
            "costs": dict(costs),
            "votes": votes,
            "funded": list(funded),
        }
    )
    return {
        "winners": list(funded),
        "ranking": [[o] for o in funded] + [[o for o in rest if rest[o] == n] for n in levels],
        "details": details,
    }


def _votes(question: Question, sets: Counter[tuple[str, ...]]) -> dict[str, int]:
    return {o: sum(n for chosen, n in sets.items() if o in chosen) for o in question.options}


def count_greedy(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    """Fund projects by approvals, skipping those that no longer fit."""
    sets, blank = read_answers(answers)
    votes = _votes(question, sets)
    funded: list[str] = []
    lots: list[dict[str, Any]] = []
    _fill_by_votes(question, votes, question.params["budget"], funded, lot, lots)
    details: dict[str, Any] = {"ballots": sum(sets.values()), "blank": blank}
    if lots:
        details["lot"] = lots
    return _published(question, funded, votes, details)


def _price(cost: int, payers: Sequence[tuple[Fraction, int]]) -> Fraction | None:
    """Return the least payment cap c with sum(min(money, c) x voters) = cost, or None.

    ``payers`` are (money left per voter, voters) of a project's supporters.
    """
    due, heads = Fraction(cost), sum(n for _, n in payers)
    for money, n in sorted(payers):
        cap = due / heads
        if money >= cap:
            return cap
        due -= money * n
        heads -= n
    return None


def _equal_shares(
    question: Question,
    sets: Counter[tuple[str, ...]],
    votes: Mapping[str, int],
    share: Fraction,
    lot: Lot,
    lots: list[dict[str, Any]],
) -> list[str]:
    """Return the projects Equal Shares funds when every voter starts with ``share``."""
    costs = question.params["costs"]
    wallets = {chosen: share for chosen in sets}  # voters with equal sets pay alike
    funded: list[str] = []
    open_ = list(question.options)
    while True:
        prices: dict[str, Fraction] = {}
        for option in open_:
            payers = [(wallets[c], n) for c, n in sets.items() if option in c]
            cap = _price(costs[option], payers)
            if cap is not None:
                prices[option] = cap
        if not prices:
            return funded
        # Price per unit of utility: with cost utilities, the cap divided by the cost.
        cheapest = min(cap / costs[o] for o, cap in prices.items())
        tied = [o for o in prices if prices[o] / costs[o] == cheapest]
        if len(tied) > 1:
            most = max(votes[o] for o in tied)
            tied = [o for o in tied if votes[o] == most]
        chosen = tied[0]
        if len(tied) > 1:
            chosen = lot.order(tied)[0]
            lots.append(lot.record(tied, chosen, "equal price per utility and votes"))
        for chosen_set in wallets:
            if chosen in chosen_set:
                wallets[chosen_set] -= min(wallets[chosen_set], prices[chosen])
        funded.append(chosen)
        # A project its supporters cannot pay for now never becomes affordable again.
        open_ = [o for o in prices if o != chosen]


def _hundredths(value: Fraction) -> str:
    cents = value.numerator * 100 // value.denominator
    return f"{cents // 100}.{cents % 100:02d}"


def count_equal_shares(
    question: Question, answers: Iterable[Any], eligible: int, lot: Lot
) -> Published:
    """Fund projects by the Method of Equal Shares with cost utilities, then complete."""
    sets, blank = read_answers(answers)
    votes = _votes(question, sets)
    budget, costs = question.params["budget"], question.params["costs"]
    completion = question.params.get("completion", "add1")
    voters = sum(sets.values())
    details: dict[str, Any] = {"ballots": voters, "blank": blank, "completion": completion}
    lots: list[dict[str, Any]] = []
    funded: list[str] = []
    if voters:
        funded = _equal_shares(question, sets, votes, Fraction(budget, voters), lot, lots)
        details["per_voter_budget"] = _hundredths(Fraction(budget, voters))
        # add1: whole units per voter above budget // voters while the outcome fits the budget,
        # until every approved project is funded; only the lots of the outcome kept count.
        per_voter = budget // voters
        approved = sum(1 for option in question.options if votes[option])
        while completion == "add1" and len(funded) < approved:
            per_voter += 1
            if per_voter - budget // voters > MAX_ADD1_ROUNDS:
                raise RecountError(
                    f"the add1 completion has not ended after {MAX_ADD1_ROUNDS:,} rounds"
                    " (the counting rules stop there)"
                )
            drawn: list[dict[str, Any]] = []
            trial = _equal_shares(question, sets, votes, Fraction(per_voter), lot, drawn)
            if sum(costs[o] for o in trial) > budget:
                break
            funded, lots = trial, drawn
            details["per_voter_budget"] = str(per_voter)
    if completion == "greedy":
        left = budget - sum(costs[o] for o in funded)
        _fill_by_votes(question, votes, left, funded, lot, lots)
    if lots:
        details["lot"] = lots
    return _published(question, funded, votes, details)
