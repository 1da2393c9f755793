"""Small cells: districts merged before anything is stored, figures hidden before publication.

One rule, with one threshold (``MIN_DISTRICT_BALLOTS``, default 10), for every breakdown
that leaves the server (docs/counting.md, "Small cells"):

- A district with fewer eligible voters than the threshold is merged, at the import of the
  electorate, into one remainder named ``REMAINDER`` ("Übrige Bezirke"); voters, ballots,
  paper marks and paper counts only ever name the merged district.
- A cell of a published breakdown with fewer ballots than the threshold (0 included) is
  hidden. Every breakdown's total is published too, so the total minus the shown cells
  gives the sum of the hidden ones: while that sum is below the threshold, the smallest
  shown cell is hidden as well. One hidden cell is thus never alone, and no group of hidden
  cells can be read off as a small cell either.
- Hours of turnout are merged, in order, into periods of at least the threshold.

Pure: the standard library only.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

# Stored as it is, so the data and the files say the same in every language; pages show it
# translated ("Other districts" in English).
REMAINDER = "Übrige Bezirke"

HOUR = timedelta(hours=1)


def merged_districts(sizes: Mapping[str, int], minimum: int) -> dict[str, str]:
    """Return for each district the name it is stored under: itself, or the remainder.

    ``sizes`` holds the eligible voters of each district. A district named like the
    remainder is part of it.
    """
    return {
        name: name if size >= minimum and name != REMAINDER else REMAINDER
        for name, size in sizes.items()
    }


def hidden_cells(sizes: Sequence[int], minimum: int) -> frozenset[int]:
    """Return the positions of the cells to hide from a breakdown whose total is published."""
    hidden = {i for i, size in enumerate(sizes) if size < minimum}
    shown = sorted((size, i) for i, size in enumerate(sizes) if i not in hidden)
    # The total minus the shown cells is the sum of the hidden ones: it must not be small.
    while hidden and shown and sum(sizes[i] for i in hidden) < minimum:
        hidden.add(shown.pop(0)[1])
    return frozenset(hidden)


def suppress(
    cells: Sequence[Mapping[str, Any]], minimum: int, *, size: str = "ballots"
) -> list[dict[str, Any]]:
    """Return the cells with ``size`` blanked (None) where hidden; each says if it is."""
    hidden = hidden_cells([int(cell[size]) for cell in cells], minimum)
    return [
        {**cell, size: None, "suppressed": True} if i in hidden else {**cell, "suppressed": False}
        for i, cell in enumerate(cells)
    ]


def merge_hours(
    counts: Iterable[tuple[datetime, int]],
    minimum: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[datetime, datetime, int]]:
    """Return turnout by period: consecutive hours joined until each holds ``minimum`` ballots.

    ``counts`` are (hour, ballots) in order of the hour. A period runs from its first hour up
    to, not including, its ``until``; periods follow each other without gaps, the first from
    ``start`` and the last to ``end`` where given (the voting period), so that no edge tells
    when a ballot came other than the one that fills a period. Ballots left over at the end
    join the last period; with fewer than ``minimum`` in all, there is one period.
    """
    periods: list[list[Any]] = []
    begin, ballots, last = start, 0, None
    for hour, n in counts:
        begin = hour if begin is None else min(begin, hour)
        ballots += n
        last = hour
        if ballots >= minimum:
            periods.append([begin, hour + HOUR, ballots])
            begin, ballots = hour + HOUR, 0
    if last is None:
        return []
    if ballots:
        if periods:
            periods[-1][1:] = [last + HOUR, periods[-1][2] + ballots]
        else:
            periods.append([begin, last + HOUR, ballots])
    if end is not None and end > periods[-1][1]:
        periods[-1][1] = end
    return [(begin, until, n) for begin, until, n in periods]
