"""Each ballot log's Merkle levels, kept per process so a proof reads only the newest leaves.

The log is append-only: a leaf below the log's size never changes. So the first proof a
process makes for a consultation reads every leaf once; later ones read only the leaves
appended since, and take their proofs from the kept levels in O(log n) (ballots.
merkle_levels). Kept levels are trusted only when their root at the asked size is the
root the caller has from the log's head; if not (a ballot that was rolled back, stored
rows that changed), they are read afresh, and if the stored leaves still do not make
that root, the caller is told to prove from the stored leaves as they are.
"""

from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from cachetools import LRUCache
from sqlalchemy import select
from sqlmodel import Session

from ballots.merkle_levels import HASH, MerkleLevels
from ballots.models import Ballot
from voting.core.models import Consultation

# Consultations kept per process, least recently used dropped first: 64 bytes a ballot
# (leaves and the levels above them), so 1,000,000 ballots keep 64 MB.
MAX_LOGS = 4


@dataclass
class _Kept:
    levels: MerkleLevels = field(default_factory=MerkleLevels)
    # Held while leaves are read and added, so two requests never read the same ones.
    lock: Lock = field(default_factory=Lock)


# Keyed by database, id and creation time, so an id SQLite might hand out again, or a test's
# fresh database, is never mistaken for another consultation.
_kept: LRUCache[tuple[Any, ...], _Kept] = LRUCache(MAX_LOGS)
_kept_lock = Lock()


def _read_leaves(
    session: Session, consultation_id: int, start: int, end: int
) -> list[bytes] | None:
    """Return leaf hashes ``start`` to ``end`` in order, or None if any is missing or odd."""
    rows = session.execute(
        select(Ballot.leaf_index, Ballot.leaf_hash)
        .where(
            Ballot.consultation_id == consultation_id,
            Ballot.leaf_index >= start,
            Ballot.leaf_index < end,
        )
        .order_by(Ballot.leaf_index)
    )
    hashes = []
    for expected, (index, hex_hash) in enumerate(rows, start=start):
        leaf = bytes.fromhex(hex_hash)
        if index != expected or len(leaf) != HASH:
            return None
        hashes.append(leaf)
    return hashes if len(hashes) == end - start else None


def kept_levels(
    *, session: Session, consultation_id: int, tree_size: int, root_hash: bytes
) -> MerkleLevels | None:
    """Return the log's levels, holding at least ``tree_size`` leaves with ``root_hash`` there.

    Return None if the stored leaves do not make that tree. Proofs for sizes up to
    ``tree_size`` may be taken from the levels while other requests extend them: an
    extension only appends.
    """
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or tree_size <= 0:
        return None
    key = (str(session.get_bind().url), consultation_id, consultation.created_at)
    with _kept_lock:
        kept = _kept.get(key)
        if kept is None:
            kept = _kept[key] = _Kept()
    with kept.lock:
        for afresh in (False, True):
            if afresh:
                kept.levels = MerkleLevels()
            levels = kept.levels
            if levels.size < tree_size:
                added = _read_leaves(session, consultation_id, levels.size, tree_size)
                if added is None:
                    return None
                levels.extend(added)
            if levels.root(tree_size) == root_hash:
                return levels
    return None
