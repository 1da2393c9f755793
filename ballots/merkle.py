"""The public ballot log's Merkle tree, hashed as in RFC 9162 (Certificate Transparency v2).

Leaf hash = SHA-256(0x00 ‖ data), node hash = SHA-256(0x01 ‖ left ‖ right); a tree of n > 1
leaves splits at the largest power of two below n (RFC 9162 §2.1.1). Proofs follow §2.1.3
and §2.1.4. The compact frontier (the roots of the perfect subtrees that make up a tree,
largest first) lets the log append a leaf and know its new root in O(log n).
"""

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 ‖ data), the hash of one log entry."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 ‖ left ‖ right), the hash of an inner node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Return the largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the root of the tree over ``leaf_hashes`` (MTH of RFC 9162)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    frontier: list[bytes] = []
    for index, leaf in enumerate(leaf_hashes):
        frontier = append(frontier, index, leaf)
    return frontier_root(frontier)


def append(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """Return the frontier of the tree of ``size`` leaves after appending ``leaf``."""
    hashes = [*frontier, leaf]
    # Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
    while size & 1:
        right = hashes.pop()
        hashes[-1] = node_hash(hashes[-1], right)
        size >>= 1
    return hashes


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """Return the root of the tree whose compact frontier is ``frontier``."""
    if not frontier:
        return EMPTY_ROOT
    result = frontier[-1]
    for left in reversed(frontier[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Return the audit path of leaf ``index`` in the tree over ``leaf_hashes`` (§2.1.3.1)."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaf_hashes)} leaves")
    return _path(leaf_hashes, index)


def _path(leaves: Sequence[bytes], m: int) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*_path(leaves[:k], m), root(leaves[k:])]
    return [*_path(leaves[k:], m - k), root(leaves[:k])]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """Return the proof that the first ``old_size`` leaves form a prefix (§2.1.4.1)."""
    if not 0 <= old_size <= len(leaf_hashes):
        raise ValueError(f"a tree of {len(leaf_hashes)} leaves has no prefix of {old_size}")
    if old_size in (0, len(leaf_hashes)):
        return []
    return _subproof(old_size, leaf_hashes, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root(leaves[:k])]


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Tell whether ``proof`` shows ``leaf`` at ``index`` in the tree with ``root_hash``."""
    if not 0 <= index < tree_size:
        return False
    fn, sn, result = index, tree_size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root_hash


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Tell whether ``proof`` shows the old tree is a prefix of the new one (§2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    # An old tree that is a perfect left subtree is its own first proof node.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
