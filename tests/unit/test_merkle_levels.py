"""Proofs from the kept levels are those of ballots.merkle, for every tree shape."""

import pytest

from ballots import merkle
from ballots.merkle_levels import MerkleLevels


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_every_proof_up_to_70_leaves_equals_the_one_from_all_leaves():
    hashes = leaves(70)
    kept = MerkleLevels(hashes)
    for size in range(1, 71):
        assert kept.root(size) == merkle.root(hashes[:size])
        for index in range(size):
            assert kept.inclusion_proof(index, size) == merkle.inclusion_proof(
                hashes[:size], index
            ), (index, size)
        for old in range(size + 1):
            assert kept.consistency_proof(old, size) == merkle.consistency_proof(
                hashes[:size], old
            ), (old, size)


def test_levels_grown_leaf_by_leaf_equal_levels_built_at_once():
    hashes = leaves(300)
    grown = MerkleLevels()
    for size, leaf in enumerate(hashes, start=1):
        grown.extend([leaf])
        assert grown.size == size
        assert grown.root(size) == merkle.root(hashes[:size])
    assert grown.inclusion_proof(257, 300) == merkle.inclusion_proof(hashes, 257)
    assert grown.consistency_proof(129, 300) == merkle.consistency_proof(hashes, 129)
    assert grown.leaf(299) == hashes[299]


def test_a_tree_larger_than_kept_is_refused():
    kept = MerkleLevels(leaves(5))
    assert kept.root(0) == merkle.EMPTY_ROOT
    with pytest.raises(ValueError):
        kept.inclusion_proof(2, 6)
    with pytest.raises(ValueError):
        kept.inclusion_proof(5, 5)
    with pytest.raises(ValueError):
        kept.consistency_proof(6, 5)
    with pytest.raises(ValueError):
        kept.extend([b"short"])
