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


# The test vectors of Certificate Transparency (RFC 6962/9162 share the hashing): eight leaves
# and the roots of their first 1..8, then proofs, as published with the reference logs.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H_1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H_23 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H_4567 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"


def test_certificate_transparency_vectors():
    hashes = [merkle.leaf_hash(data) for data in CT_LEAVES]
    assert [merkle.root(hashes[:n]).hex() for n in range(1, 9)] == CT_ROOTS
    assert [h.hex() for h in merkle.inclusion_proof(hashes, 0)] == [H_1, H_23, H_4567]
    assert [h.hex() for h in merkle.consistency_proof(hashes, 1)] == [H_1, H_23, H_4567]
    assert [h.hex() for h in merkle.consistency_proof(hashes, 6)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        CT_ROOTS[3],
    ]
    assert [h.hex() for h in merkle.consistency_proof(hashes[:5], 2)] == [
        H_23,
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]


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
        "import sys, ballots.merkle, ballots.receipts; "
        "assert not {'flask', 'sqlmodel', 'sqlalchemy'} & set(sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", check], cwd=root, check=True)
