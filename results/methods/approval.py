"""Approval voting: each ballot marks any number of options."""

from collections.abc import Collection, Iterable, Sequence

from results.methods import InvalidBallot, Outcome, register, tiers


@register("approval")
def count_approval(
    options: Sequence[str],
    ballots: Iterable[Collection[str] | None],
    *,
    max_choices: int | None = None,
    min_choices: int = 1,
) -> Outcome:
    """Count every marked option once per ballot; the most approved options win."""
    if min_choices < 1 or (max_choices is not None and max_choices < min_choices):
        raise ValueError(f"choice limits {min_choices}..{max_choices} allow no ballot")
    counts = dict.fromkeys(options, 0)
    voted = blank = 0
    for ballot in ballots:
        if not ballot:
            blank += 1
            continue
        # A bare string is iterable too, but "ab" must not count as marks for "a" and "b".
        if not isinstance(ballot, list | tuple | set | frozenset):
            raise InvalidBallot(f"{ballot!r} is not a collection of options")
        for choice in ballot:
            if not (isinstance(choice, str) and choice in counts):
                raise InvalidBallot(f"{choice!r} is not an option of this question")
        if len(set(ballot)) != len(ballot):
            raise InvalidBallot(f"{ballot!r} marks an option more than once")
        if len(ballot) < min_choices:
            raise InvalidBallot(f"{ballot!r} marks fewer than {min_choices} options")
        if max_choices is not None and len(ballot) > max_choices:
            raise InvalidBallot(f"{ballot!r} marks more than {max_choices} options")
        voted += 1
        for choice in ballot:
            counts[choice] += 1
    approvals = sum(counts.values())
    ranking = tiers(options, counts)
    return Outcome(
        winners=list(ranking[0]) if approvals else [],
        ranking=ranking,
        details={"counts": counts, "ballots": voted, "blank": blank, "approvals": approvals},
    )
