"""Signatures checked together, in worker processes: the same verdict, the same first failure."""

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from buergervotum_verifier import signatures
from buergervotum_verifier.verify import VerificationError, main, prefix_roots, verify_bundle

VECTORS = Path(__file__).resolve().parent / "vectors"
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"signatures test").digest())


def signed(count: int, bad: set[int]) -> list[tuple[bytes, bytes, str]]:
    """Return ``count`` messages with signatures, those at ``bad`` over another message."""
    items = []
    for number in range(count):
        message = f"message {number}".encode()
        signature = KEY.sign(b"forged" if number in bad else message)
        items.append((message, signature, f"message {number} is forged"))
    return items


def check_all(items: list[tuple[bytes, bytes, str]]) -> None:
    for message, signature, failure in items:
        signatures.check(KEY.public_key(), signature, message, failure)


@pytest.fixture
def small_chunks(monkeypatch):
    """Let a few signatures start the worker processes, in chunks of three."""
    monkeypatch.setattr(signatures, "CHUNK", 3)
    monkeypatch.setattr(signatures, "POOL_FROM", 5)


def test_verify_all_names_the_first_bad_signature():
    raw = KEY.public_key().public_bytes_raw()
    items = [(raw, signature, message) for message, signature, _ in signed(10, {4, 7})]
    assert signatures.verify_all(items) == 4
    assert signatures.verify_all(items[:4]) is None
    assert signatures.verify_all([]) is None


def test_outside_a_batch_a_signature_is_checked_at_once():
    with pytest.raises(VerificationError, match="message 2 is forged"):
        check_all(signed(5, {2}))


@pytest.mark.parametrize("pooled", [False, True])
def test_a_batch_raises_the_first_bad_signature_at_its_end(request, pooled):
    if pooled:
        request.getfixturevalue("small_chunks")
    checked_all = False
    with pytest.raises(VerificationError, match="^message 13 is forged$"):
        with signatures.gathered():
            check_all(signed(20, {13, 17}))
            checked_all = True
            assert bool(signatures._BATCH.get().chunks) == pooled  # the workers have chunks
    assert checked_all


@pytest.mark.parametrize("pooled", [False, True])
def test_a_bad_signature_asked_for_earlier_wins_over_a_later_failure(request, pooled):
    if pooled:
        request.getfixturevalue("small_chunks")
    with pytest.raises(VerificationError, match="^message 8 is forged$"):
        with signatures.gathered():
            check_all(signed(12, {8}))
            raise VerificationError("a later check failed")
    # With every signature good, the later failure stands.
    with pytest.raises(VerificationError, match="^a later check failed$"):
        with signatures.gathered():
            check_all(signed(12, set()))
            raise VerificationError("a later check failed")


def test_the_command_line_finds_a_forged_head_among_workers(small_chunks, capsys):
    assert main([str(VECTORS / "valid.json")]) == 0
    assert "24 ballots, 24 signed tree heads" in capsys.readouterr().out
    assert main([str(VECTORS / "invalid-forged-signature.json")]) == 1
    assert (
        capsys.readouterr().err == "FAILED: tree head of size 10: the signature does not verify\n"
    )


def test_a_forged_head_is_named_before_a_later_failure(small_chunks, capsys, tmp_path):
    bundle = json.loads((VECTORS / "invalid-forged-signature.json").read_text(encoding="utf-8"))
    bundle["result"]["lot_seed"] = "00" * 32  # fails later, in the result
    path = tmp_path / "both.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(VerificationError, match="size 10: the signature does not verify"):
        verify_bundle(bundle)
    assert main([str(path)]) == 1
    assert (
        capsys.readouterr().err == "FAILED: tree head of size 10: the signature does not verify\n"
    )


def test_every_receipt_of_a_bundle_checks_against_roots_computed_once(tmp_path, capsys):
    valid = json.loads((VECTORS / "valid.json").read_text(encoding="utf-8"))
    paths = []
    for number, head in enumerate(valid["tree_heads"]):
        paths.append(tmp_path / f"receipt-{number}.json")
        paths[-1].write_text(json.dumps(head))
    assert main([str(VECTORS / "valid.json"), *map(str, paths)]) == 0
    assert "24 receipts verified" in capsys.readouterr().out
    roots = prefix_roots(valid["leaves"], [h["tree_size"] for h in valid["tree_heads"]])
    assert [roots[h["tree_size"]].hex() for h in valid["tree_heads"]] == [
        h["root_hash"] for h in valid["tree_heads"]
    ]
    # Sizes the log has not, and values that are no size, are left out.
    assert set(prefix_roots(valid["leaves"], [0, 25, -1, True, "3", None])) == {0}
