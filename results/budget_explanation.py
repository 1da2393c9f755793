"""Why a budget counted by the Method of Equal Shares came out as it did, as equalshares.net shows.

``explain_equal_shares`` replays the count's rounds on the ballots' approval sets, following
the published order of funding (so ties are settled as the count settled them), and records
what a resident asks of the outcome: how much money each voter had; who paid how much for
each funded project and its effective support; why each other project was not funded; what
the greedy rule would have funded instead and how many voters got none of their projects
under each; and how many projects the ballots approved. The rounds are priced by the
counting method's own exact arithmetic (results.methods.pb_equal_shares.Money).

Money is exact: amounts are kept as fractions and written as their text ("10/3", "5"), so the
explanation publishes without floats beside the question's details, never inside them.

Effective support is cost / price per vote, where the price per vote is what each supporter
pays who still has enough money (the others pay all they have left). While every supporter has
enough, it is the project's number of votes; each round funds the affordable project with the
highest effective support, which is the method's rule (the lowest price per euro, rho).
"""

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from results.methods.pb_equal_shares import Money
from results.methods.pb_greedy import approval_votes, greedy_fill


class ReplayError(ValueError):
    """The published outcome is not what the Method of Equal Shares gives for these ballots."""


def _text(amount: Fraction) -> str:
    return str(amount)


def starting_share(budget: int, voters: int, details: Mapping[str, Any]) -> Fraction:
    """Return each voter's money in the run the count kept: budget / voters, or add1's share.

    The add1 completion publishes its whole share without decimals ("5"); budget / voters is
    published in cents, always with a decimal point ("3.33").
    """
    published = str(details.get("per_voter_budget", ""))
    if published and "." not in published:
        return Fraction(int(published))
    return Fraction(budget, voters)


def decisive_lots(details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the lots that changed which projects were funded.

    A lot decided something where one of the projects tied in it went unfunded; a lot among
    projects that were all funded in the end only set the order of funding.
    """
    funded = set(details.get("funded", ()))
    return [lot for lot in details.get("lot", []) if not set(lot["tied"]) <= funded]


def explain_equal_shares(
    options: Sequence[str],
    approvals: Mapping[tuple[str, ...], int],
    *,
    budget: int,
    costs: Mapping[str, int],
    details: Mapping[str, Any],
    lot_seed: bytes | None = None,
) -> dict[str, Any]:
    """Return the explanation of a count of approval sets `approvals` whose details are `details`.

    `approvals` maps each set of approved projects (in ballot order) to how many ballots gave
    it, blank ballots left out; `lot_seed` is the question's seed, for the greedy comparison.
    """
    groups = sorted((tuple(chosen), n) for chosen, n in approvals.items() if chosen and n)
    voters = sum(n for _chosen, n in groups)
    votes = approval_votes(options, dict(groups))
    funded = list(details.get("funded", []))
    lengths: dict[int, int] = {}
    for chosen, n in groups:
        lengths[len(chosen)] = lengths.get(len(chosen), 0) + n
    explanation: dict[str, Any] = {
        "voters": voters,
        "ballot_lengths": [[length, lengths[length]] for length in sorted(lengths)],
        "greedy": _greedy_comparison(options, groups, votes, budget, costs, funded, lot_seed),
    }
    if not voters:
        explanation["unfunded"] = [
            {"project": o, "votes": 0, "cost": costs[o], "reason": "no_votes"} for o in options
        ]
        return explanation
    share = starting_share(budget, voters, details)
    rounds, last_seen, money = _replay(options, groups, votes, costs, share, funded)
    explanation.update(
        {
            "share": _text(share),
            "share_raised": share * voters > budget,
            "rounds": rounds,
            "completion": funded[len(rounds) :],
            "unfunded": _unfunded(options, groups, votes, costs, share, funded, last_seen, money),
        }
    )
    return explanation


def _replay(
    options: Sequence[str],
    groups: Sequence[tuple[tuple[str, ...], int]],
    votes: Mapping[str, int],
    costs: Mapping[str, int],
    share: Fraction,
    funded: Sequence[str],
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], Money]:
    """Replay the rounds; return them, each unfunded project's last round in the running, money.

    Each round prices every project still affordable; the project funded is the next one of
    the published order, which must be among those with the highest effective support.
    """
    supporters: dict[str, list[int]] = {o: [] for o in options}
    for g, (approved, _n) in enumerate(groups):
        for option in approved:
            supporters[option].append(g)
    sizes = [n for _approved, n in groups]
    money = Money(share, len(groups))
    running = [o for o in options if votes[o]]
    rounds: list[dict[str, Any]] = []
    last_seen: dict[str, dict[str, Any]] = {}
    while True:
        prices: dict[str, Fraction] = {}
        caps: dict[str, tuple[int, int]] = {}
        for option in running:
            cap = money.cap(costs[option], supporters[option], sizes)
            if cap is not None:
                caps[option] = cap
                prices[option] = Fraction(cap[0], cap[1] * money.denominator)
        # A project its supporters cannot pay for now never becomes affordable again.
        running = [o for o in running if o in caps]
        if not running:
            return rounds, last_seen, money
        number = len(rounds) + 1
        if len(rounds) >= len(funded) or funded[len(rounds)] not in caps:
            raise ReplayError(f"round {number}: the published order of funding does not fit")
        chosen = funded[len(rounds)]
        effective = {o: costs[o] / prices[o] for o in running}
        best = max(effective.values())
        if effective[chosen] != best:
            raise ReplayError(f"round {number}: {chosen} is not the best supported project")
        others = sorted((o for o in running if o != chosen), key=lambda o: -effective[o])
        for option in others:
            last_seen[option] = {
                "round": number,
                "effective": effective[option],
                "price": prices[option],
                "winner": chosen,
                "winner_effective": best,
            }
        rounds.append(
            _payments(
                chosen,
                costs[chosen],
                votes[chosen],
                supporters[chosen],
                sizes,
                money,
                caps[chosen],
                prices[chosen],
            )
        )
        rounds[-1]["effective"] = _text(best)
        rounds[-1]["next"] = (
            {"project": others[0], "effective": _text(effective[others[0]])} if others else None
        )
        money.pay(supporters[chosen], caps[chosen])
        running.remove(chosen)


def _payments(
    project: str,
    cost: int,
    votes: int,
    groups: Sequence[int],
    sizes: Sequence[int],
    money: Money,
    cap: tuple[int, int],
    price: Fraction,
) -> dict[str, Any]:
    """Return who pays how much for `project`: the full price, all they have left, or nothing."""
    amount, parts = cap
    full = rest = broke = 0
    rest_units = 0
    for g in groups:
        units = money.units[g]
        if units * parts >= amount:
            full += sizes[g]
        elif units:
            rest += sizes[g]
            rest_units += units * sizes[g]
        else:
            broke += sizes[g]
    return {
        "project": project,
        "cost": cost,
        "votes": votes,
        "price": _text(price),
        "paid_price": full,
        "paid_rest": rest,
        "rest_total": _text(Fraction(rest_units, money.denominator)),
        "paid_nothing": broke,
    }


def _unfunded(
    options: Sequence[str],
    groups: Sequence[tuple[tuple[str, ...], int]],
    votes: Mapping[str, int],
    costs: Mapping[str, int],
    share: Fraction,
    funded: Sequence[str],
    last_seen: Mapping[str, Mapping[str, Any]],
    money: Money,
) -> list[dict[str, Any]]:
    """Return why each project that was not funded was not: no votes, too dear, or outbid."""
    left: dict[str, Fraction] = dict.fromkeys(options, Fraction(0))
    for g, (chosen, n) in enumerate(groups):
        held = Fraction(money.units[g] * n, money.denominator)
        for option in chosen:
            left[option] += held
    reasons = []
    for option in options:
        if option in funded:
            continue
        item: dict[str, Any] = {"project": option, "votes": votes[option], "cost": costs[option]}
        seen = last_seen.get(option)
        if not votes[option]:
            item["reason"] = "no_votes"
        elif seen is None:
            # Its supporters' money from the start did not reach its cost.
            item |= {"reason": "too_dear", "money": _text(share * votes[option])}
        else:
            item |= {
                "reason": "outbid",
                "round": seen["round"],
                "effective": _text(seen["effective"]),
                "price": _text(seen["price"]),
                "winner": seen["winner"],
                "winner_effective": _text(seen["winner_effective"]),
                # The price per vote at which it would have matched the project funded then.
                "needed_price": _text(costs[option] / seen["winner_effective"]),
                "money": _text(left[option]),
            }
        reasons.append(item)
    return reasons


def _greedy_comparison(
    options: Sequence[str],
    groups: Sequence[tuple[tuple[str, ...], int]],
    votes: Mapping[str, int],
    budget: int,
    costs: Mapping[str, int],
    funded: Sequence[str],
    lot_seed: bytes | None,
) -> dict[str, Any]:
    """Return what greedy by votes funds on the same ballots, and whom each rule leaves empty."""
    greedy: list[str] = []
    greedy_fill(options, votes, costs, budget, greedy, lot_seed, {})
    chosen_by = {"equal_shares": set(funded), "greedy": set(greedy)}
    return {
        "funded": greedy,
        "spent": sum(costs[o] for o in greedy),
        "only_equal_shares": [o for o in options if o in chosen_by["equal_shares"] - set(greedy)],
        "only_greedy": [o for o in options if o in chosen_by["greedy"] - set(funded)],
        "voters_without_project": {
            rule: sum(n for chosen, n in groups if not chosen_by[rule].intersection(chosen))
            for rule in ("equal_shares", "greedy")
        },
    }
