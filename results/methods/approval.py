"""Approval voting: each ballot marks any number of options."""

from collections.abc import Collection, Iterable, Sequence

from results.methods import Outcome, register, tiers
from results.methods.ballots_read import read_approvals
from results.methods.lot import single_winner


@register("approval")
def count_approval(
    options: Sequence[str],
    ballots: Iterable[Collection[str] | None],
    *,
    max_choices: int | None = None,
    min_choices: int = 1,
    lot_seed: bytes | None = None,
) -> Outcome:
    """Count every marked option once per ballot; the most approved options win."""
    if min_choices < 1 or (max_choices is not None and max_choices < min_choices):
        raise ValueError(f"choice limits {min_choices}..{max_choices} allow no ballot")
    # The shape of an approval ballot is checked where casting checks it too.
    sets, blank = read_approvals(
        "approval", options, ballots, {"max_choices": max_choices, "min_choices": min_choices}
    )
    counts = dict.fromkeys(options, 0)
    voted = 0
    for choices, n in sets.items():
        voted += n
        for choice in choices:
            counts[choice] += n
    approvals = sum(counts.values())
    ranking = tiers(options, counts)
    winners, extra = single_winner(ranking, lot_seed, decided=approvals > 0)
    return Outcome(
        winners=winners,
        ranking=ranking,
        details={
            "counts": counts,
            "ballots": voted,
            "blank": blank,
            "approvals": approvals,
            **extra,
        },
    )
