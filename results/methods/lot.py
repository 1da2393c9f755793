"""The public lot that breaks a tie where a rule must name one winner.

The lot is a fixed random order of the options that anyone can recompute: each option's
ticket is SHA-256(b"buergervotum/lot/v1\\n" || seed || option id in UTF-8), and options are
ordered by ticket, smallest first. A tie is always resolved in favour of the option that
comes first in this order (elected, funded, or kept when someone must be eliminated).
"""

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

DOMAIN = b"buergervotum/lot/v1\n"


def ticket(seed: bytes, option: str) -> str:
    """Return the hex ticket of `option` under `seed`."""
    return hashlib.sha256(DOMAIN + seed + option.encode("utf-8")).hexdigest()


def lot_order(seed: bytes, options: Iterable[str]) -> list[str]:
    """Return `options` in lot order, the option that wins a tie first."""
    return sorted(options, key=lambda option: (ticket(seed, option), option))


def first_by_lot(seed: bytes, tied: Sequence[str]) -> str:
    """Return the option of `tied` that wins the lot."""
    return lot_order(seed, tied)[0]


def last_by_lot(seed: bytes, tied: Sequence[str]) -> str:
    """Return the option of `tied` that loses the lot."""
    return lot_order(seed, tied)[-1]


def lot_record(seed: bytes, tied: Sequence[str], drawn: str, stage: str) -> dict[str, Any]:
    """Return how one tie was drawn, for the published details."""
    return {
        "stage": stage,
        "tied": sorted(tied),
        "drawn": drawn,
        "tickets": {option: ticket(seed, option) for option in sorted(tied)},
    }


def single_winner(
    ranking: list[list[str]], lot_seed: bytes | None, *, decided: bool = True
) -> tuple[list[str], dict[str, Any]]:
    """Return the winners from the top tier and the details of a lot drawn among them.

    Without a seed a tie stays unresolved and all tied options are returned.
    """
    if not decided or not ranking:
        return [], {}
    top = ranking[0]
    if len(top) == 1:
        return list(top), {}
    if lot_seed is None:
        return list(top), {"tie": {"tied": list(top), "resolved": False}}
    drawn = first_by_lot(lot_seed, top)
    return [drawn], {"lot": [lot_record(lot_seed, top, drawn, "winner")]}
