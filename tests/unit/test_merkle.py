"""The log's Merkle tree against the definitions of RFC 9162, for every tree shape."""

import hashlib
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ballots import merkle


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 read literally: split at the largest power of two below n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_hashes_carry_the_rfc_9162_prefixes():
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert merkle.root([]).hex() == hashlib.sha256(b"").hexdigest()


def test_roots_match_the_definition_for_every_size_up_to_70():
    hashes = leaves(70)
    frontier: list[bytes] = []
    for n in range(1, 71):
        frontier = merkle.append(frontier, n - 1, hashes[n - 1])
        # One frontier entry per 1 bit of the size: appends stay O(log n).
        assert len(frontier) == bin(n).count("1")
        assert merkle.frontier_root(frontier) == mth(hashes[:n]) == merkle.root(hashes[:n])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_every_inclusion_proof_verifies_and_no_other_leaf_does(size_index):
    size, index = size_index
    hashes = leaves(size)
    top = merkle.root(hashes)
    proof = merkle.inclusion_proof(hashes, index)
    assert merkle.verify_inclusion(hashes[index], index, size, proof, top)
    other = merkle.leaf_hash(b"someone else's ballot")
    assert not merkle.verify_inclusion(other, index, size, proof, top)
    if size > 1:
        assert not merkle.verify_inclusion(hashes[index], index, size, proof[:-1], top)
        assert not merkle.verify_inclusion(hashes[index], (index + 1) % size, size, proof, top)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_every_consistency_proof_verifies_and_a_rewritten_prefix_does_not(sizes):
    old, new = sizes
    hashes = leaves(new)
    proof = merkle.consistency_proof(hashes, old)
    old_root, new_root = merkle.root(hashes[:old]), merkle.root(hashes)
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    rewritten = [merkle.leaf_hash(b"rewritten"), *hashes[1:old]]
    assert not merkle.verify_consistency(old, new, merkle.root(rewritten), new_root, proof)
    if old < new:
        assert not merkle.verify_consistency(old, new, old_root, merkle.root(hashes[:-1]), proof)


def test_proofs_outside_the_tree_are_refused():
    hashes = leaves(5)
    for call in (
        lambda: merkle.inclusion_proof(hashes, 5),
        lambda: merkle.consistency_proof(hashes, 6),
    ):
        try:
            call()
        except ValueError:
            continue
        raise AssertionError("a proof outside the tree was given")
    assert not merkle.verify_inclusion(hashes[0], 5, 5, [], merkle.root(hashes))
    assert not merkle.verify_consistency(6, 5, b"", b"", [])


def test_the_log_core_loads_without_web_or_database_code():
    check = (
        "import sys, ballots.merkle, ballots.receipts, ballots.recount; "
        "assert not {'flask', 'sqlmodel', 'sqlalchemy'} & set(sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", check], cwd=root, check=True)
