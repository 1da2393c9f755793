"""Single choice: each ballot names at most one option."""

from collections.abc import Iterable, Sequence

from results.methods import InvalidBallot, Outcome, register, tiers
from results.methods.lot import single_winner


@register("single")
def count_single(
    options: Sequence[str], ballots: Iterable[str | None], *, lot_seed: bytes | None = None
) -> Outcome:
    """Count one option per ballot; the options with the most votes win."""
    counts = dict.fromkeys(options, 0)
    blank = 0
    for ballot in ballots:
        if ballot is None:
            blank += 1
        elif isinstance(ballot, str) and ballot in counts:
            counts[ballot] += 1
        else:
            raise InvalidBallot(f"{ballot!r} is not one option of this question")
    valid = sum(counts.values())
    ranking = tiers(options, counts)
    winners, extra = single_winner(ranking, lot_seed, decided=valid > 0)
    return Outcome(
        winners=winners,
        ranking=ranking,
        details={"counts": counts, "valid": valid, "blank": blank, **extra},
    )
