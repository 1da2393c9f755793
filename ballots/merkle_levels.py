"""A Merkle tree kept level by level, so proofs cost O(log n) instead of O(n).

Level 0 holds the leaf hashes; level h holds the roots of the aligned perfect subtrees
of 2**h leaves. An append-only log never changes a full subtree, so the levels only grow.
In the RFC 9162 recursion over the first n leaves every subtree is either such an aligned
perfect subtree or runs from a frontier boundary to n (the right edge), whose root is
folded from at most log2(n) perfect ones. Results equal ballots.merkle's.
"""

from collections.abc import Iterable

from ballots.merkle import EMPTY_ROOT, _split, node_hash

HASH = 32


class MerkleLevels:
    """The levels of perfect-subtree hashes over an append-only list of leaf hashes."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        # One contiguous buffer per level: 32 bytes a hash, no object per hash.
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Return the number of leaves kept."""
        return len(self._levels[0]) // HASH

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append leaf hashes and every perfect subtree they complete."""
        added = bytearray()
        for leaf in leaf_hashes:
            if len(leaf) != HASH:
                raise ValueError("a leaf hash has 32 bytes")
            added += leaf
        self._levels[0] += added
        height = 0
        while len(self._levels[height]) >= 2 * HASH:
            below = self._levels[height]
            if height + 1 == len(self._levels):
                self._levels.append(bytearray())
            above = self._levels[height + 1]
            for pair in range(len(above) // HASH, len(below) // (2 * HASH)):
                start = 2 * pair * HASH
                above += node_hash(
                    bytes(below[start : start + HASH]),
                    bytes(below[start + HASH : start + 2 * HASH]),
                )
            height += 1

    def leaf(self, index: int) -> bytes:
        """Return the hash of leaf ``index``."""
        return self._perfect(0, index)

    def _perfect(self, height: int, index: int) -> bytes:
        return bytes(self._levels[height][index * HASH : (index + 1) * HASH])

    def _edges(self, size: int) -> dict[int, bytes]:
        """Return the roots of the right-edge subtrees [start, size), by start."""
        pieces: list[tuple[int, bytes]] = []
        start = 0
        for height in range(size.bit_length() - 1, -1, -1):
            if size >> height & 1:
                pieces.append((start, self._perfect(height, start >> height)))
                start += 1 << height
        edges: dict[int, bytes] = {}
        root = b""
        for start, piece in reversed(pieces):
            root = node_hash(piece, root) if root else piece
            edges[start] = root
        return edges

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"a tree of {size} leaves is not kept (kept: {self.size})")

    def root(self, size: int) -> bytes:
        """Return the root of the tree over the first ``size`` leaves."""
        self._check_size(size)
        return self._edges(size)[0] if size else EMPTY_ROOT

    def _subtree(self, start: int, end: int, edges: dict[int, bytes]) -> bytes:
        width = end - start
        if width & (width - 1) == 0:
            return self._perfect(width.bit_length() - 1, start // width)
        return edges[start]  # not perfect, so it ends at the tree's right edge

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the audit path of leaf ``index`` in the tree of ``size`` leaves (§2.1.3.1)."""
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        edges = self._edges(size)
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._subtree(start + k, end, edges))
                end = start + k
            else:
                path.append(self._subtree(start, start + k, edges))
                start += k
        path.reverse()  # the recursion lists the deepest sibling first
        return path

    def consistency_proof(self, old_size: int, size: int) -> list[bytes]:
        """Return the proof that the first ``old_size`` leaves begin the tree of ``size``."""
        self._check_size(size)
        if not 0 <= old_size <= size:
            raise ValueError(f"a tree of {size} leaves has no prefix of {old_size}")
        if old_size in (0, size):
            return []
        edges = self._edges(size)
        path: list[bytes] = []
        start, end, m, complete = 0, size, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                path.append(self._subtree(start + k, end, edges))
                end = start + k
            else:
                path.append(self._subtree(start, start + k, edges))
                start, m, complete = start + k, m - k, False
        if not complete:
            path.append(self._subtree(start, end, edges))
        path.reverse()
        return path
