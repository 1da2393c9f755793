"""The verifier's recount of ranked questions: Borda, Schulze, instant-runoff and STV.

An answer is a list of option keys, best first, possibly truncated: unranked options
come after every ranked one and are equal among themselves.
"""

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from buergervotum_verifier.recount_common import (
    Lot,
    Published,
    Question,
    RecountError,
    read_answers,
    tiers,
    whole,
)


def check_ranking(question: Question, answer: Any) -> None:
    """Check one ranking: a non-empty list of known options, each at most once."""
    if not isinstance(answer, list) or not answer or not all(isinstance(a, str) for a in answer):
        raise RecountError(f"expected a ranking of option keys, found {answer!r}")
    unknown = [a for a in answer if a not in question.options]
    if unknown:
        raise RecountError(f"{unknown[0]!r} is not an option of this question")
    if len(set(answer)) != len(answer):
        raise RecountError("an option is ranked twice")


def check_seats(question: Question) -> None:
    """Refuse a number of seats that leaves nothing to choose."""
    seats = question.params.get("seats")
    if not whole(seats) or not 1 <= seats < max(len(question.options), 2):
        raise RecountError(f"seats {seats!r} is no whole number from 1 to fewer than the options")


def _halves(doubled: int) -> str:
    return f"{doubled // 2}.5" if doubled % 2 else str(doubled // 2)


def count_borda(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    """Give n-1 points for a first place, n-2 for a second …, unranked options sharing the rest."""
    rankings, blank = read_answers(answers)
    options, n = question.options, len(question.options)
    doubled = dict.fromkeys(options, 0)  # twice the points, so that halves stay whole
    first = dict.fromkeys(options, 0)
    for ranking, weight in rankings.items():
        first[ranking[0]] += weight
        for place, option in enumerate(ranking):
            doubled[option] += 2 * (n - 1 - place) * weight
        for option in set(options) - set(ranking):
            doubled[option] += (n - 1 - len(ranking)) * weight
    voted = sum(rankings.values())
    ranking_tiers = tiers(options, doubled)
    winners, drawn = lot.one_winner(ranking_tiers, decided=voted > 0)
    return {
        "winners": winners,
        "ranking": ranking_tiers,
        "details": {
            "points": {option: _halves(doubled[option]) for option in options},
            "first_preferences": first,
            "ballots": voted,
            "blank": blank,
            **drawn,
        },
    }


def count_schulze(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    """Rank by the strongest paths of pairwise margins (Schulze's beat-path method)."""
    rankings, blank = read_answers(answers)
    options, n = question.options, len(question.options)
    position = {option: i for i, option in enumerate(options)}
    prefer = [[0] * n for _ in range(n)]  # prefer[a][b]: ballots ranking a above b
    for ranking, weight in rankings.items():
        placed = [position[option] for option in ranking]
        below = set(range(n))
        for a in placed:
            below.discard(a)
            for b in below:
                prefer[a][b] += weight
    path = [
        [max(prefer[a][b] - prefer[b][a], 0) if a != b else 0 for b in range(n)] for a in range(n)
    ]
    for via in range(n):
        for a in range(n):
            for b in range(n):
                if len({a, b, via}) == 3:
                    path[a][b] = max(path[a][b], min(path[a][via], path[via][b]))
    order, remaining = [], list(range(n))
    while remaining:
        unbeaten = [a for a in remaining if all(path[a][b] >= path[b][a] for b in remaining)]
        order.append([options[a] for a in unbeaten])
        remaining = [a for a in remaining if a not in unbeaten]
    voted = sum(rankings.values())
    winners, drawn = lot.one_winner(order, decided=voted > 0)
    return {
        "winners": winners,
        "ranking": order,
        "details": {
            "options": list(options),
            "pairwise": prefer,
            "strongest_paths": path,
            "ballots": voted,
            "blank": blank,
            **drawn,
        },
    }


def count_irv(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    """Eliminate the fewest first choices, round by round, until one has a majority."""
    rankings, blank = read_answers(answers)
    options = question.options
    out: list[str] = []  # eliminated, in order
    rounds: list[dict[str, Any]] = []
    lots: list[dict[str, Any]] = []
    winners: list[str] = []
    while True:
        standing = {option: 0 for option in options if option not in out}
        exhausted = 0
        for ranking, weight in rankings.items():
            top = next((option for option in ranking if option not in out), None)
            if top is None:
                exhausted += weight
            else:
                standing[top] += weight
        rounds.append({"votes": standing, "exhausted": exhausted})
        total, most = sum(standing.values()), max(standing.values())
        if total == 0:
            break
        if 2 * most > total or len(standing) == 1:
            winners = [option for option, votes in standing.items() if votes == most]
            break
        fewest = min(standing.values())
        last = [option for option, votes in standing.items() if votes == fewest]
        loser = last[0]
        if len(last) > 1:
            loser = lot.order(last)[-1]
            lots.append(lot.record(last, loser, f"round {len(rounds)}: eliminated"))
        rounds[-1]["eliminated"] = loser
        out.append(loser)
    final = {o: v for o, v in rounds[-1]["votes"].items() if o not in winners}
    ranking = ([winners] if winners else []) + tiers(list(final), final)
    ranking += [[option] for option in reversed(out)]
    details: dict[str, Any] = {"ballots": sum(rankings.values()), "blank": blank, "rounds": rounds}
    if lots:
        details["lot"] = lots
    return {"winners": winners, "ranking": ranking, "details": details}


def _four_places(value: Fraction) -> str:
    """Return a non-negative fraction rounded down to four decimals."""
    tenthousandths = value.numerator * 10_000 // value.denominator
    return f"{tenthousandths // 10_000}.{tenthousandths % 10_000:04d}"


def count_stv(question: Question, answers: Iterable[Any], eligible: int, lot: Lot) -> Published:
    """Elect ``seats`` options by Scottish STV with exact fractional transfers."""
    seats = question.params["seats"]
    rankings, blank = read_answers(answers)
    options = question.options
    valid = sum(rankings.values())
    quota = valid // (seats + 1) + 1
    hopeful = set(options)
    parcels: dict[str, list[tuple[tuple[str, ...], int, Fraction]]] = {o: [] for o in options}
    votes = dict.fromkeys(options, Fraction(0))
    for ranking, weight in rankings.items():
        parcels[ranking[0]].append((ranking, weight, Fraction(1)))
        votes[ranking[0]] += weight
    lost = Fraction(0)
    history: list[dict[str, Fraction]] = []
    elected: list[str] = []
    awaiting: list[str] = []  # elected, surplus not yet transferred, largest first
    lots: list[dict[str, Any]] = []

    def stage(record: dict[str, Any]) -> dict[str, Any]:
        history.append(dict(votes))
        shown = {o: _four_places(votes[o]) for o in options if votes[o] or o in hopeful}
        return {**record, "votes": shown}

    def pass_on(holder: str, factor: Fraction) -> None:
        nonlocal lost
        for ranking, weight, value in parcels.pop(holder):
            target = next((o for o in ranking if o in hopeful), None)
            if target is None:
                lost += weight * value * factor
            else:
                parcels[target].append((ranking, weight, value * factor))
                votes[target] += weight * value * factor
        parcels[holder] = []

    def settle(tied: list[str], highest: bool, label: str) -> str:
        # Earlier stages decide, latest first; then the lot.
        for earlier in reversed(history[:-1]):
            if len(tied) == 1:
                break
            best = (max if highest else min)(earlier[o] for o in tied)
            tied = [o for o in tied if earlier[o] == best]
        if len(tied) == 1:
            return tied[0]
        ordered = lot.order(tied)
        drawn = ordered[0] if highest else ordered[-1]
        lots.append(lot.record(tied, drawn, label))
        return drawn

    stages = [stage({"action": "first preferences"})]
    while valid and len(elected) < seats:
        reached = [o for o in options if o in hopeful and votes[o] >= quota]
        if reached:
            for option in sorted(reached, key=lambda o: -votes[o]):
                hopeful.discard(option)
                elected.append(option)
                awaiting.append(option)
            stages.append(stage({"action": "elected", "candidates": reached}))
            continue
        if len(hopeful) <= seats - len(elected):
            rest = [o for o in options if o in hopeful]
            elected += sorted(rest, key=lambda o: -votes[o])
            hopeful.clear()
            stages.append(stage({"action": "elected", "candidates": rest}))
            break
        surplus = {o: votes[o] - quota for o in awaiting if votes[o] > quota}
        if surplus:
            largest = max(surplus.values())
            tied = [o for o in awaiting if surplus.get(o) == largest]
            chosen = settle(tied, True, f"stage {len(stages) + 1}: surplus")
            awaiting.remove(chosen)
            pass_on(chosen, surplus[chosen] / votes[chosen])
            votes[chosen] = Fraction(quota)
            stages.append(stage({"action": "surplus", "candidate": chosen}))
            continue
        awaiting.clear()
        fewest = min(votes[o] for o in hopeful)
        tied = [o for o in options if o in hopeful and votes[o] == fewest]
        loser = settle(tied, False, f"stage {len(stages) + 1}: exclusion")
        hopeful.discard(loser)
        pass_on(loser, Fraction(1))
        votes[loser] = Fraction(0)
        stages.append(stage({"action": "excluded", "candidate": loser}))
    details: dict[str, Any] = {
        "seats": seats,
        "ballots": valid,
        "blank": blank,
        "quota": quota,
        "stages": stages,
        "non_transferable": _four_places(lost),
    }
    if lots:
        details["lot"] = lots
    unelected = [o for o in options if o not in elected]
    return {
        "winners": elected,
        "ranking": [[o] for o in elected] + ([unelected] if unelected else []),
        "details": details,
    }
