"""The standalone verifier: every vector fails with its own message, the valid one passes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ballots.receipts import sign_receipt
from ballots.verify import PrefixRoots, VerificationError, _leaf, verify_bundle
from tests.unit.test_merkle import CT_LEAVES, CT_ROOTS
from tests.vectors import generate

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"

EXPECTED = {
    "invalid-flipped-content.json": "leaf 7: the content does not match its leaf hash",
    "invalid-dropped-ballot.json": "23 ballots but 24 participation marks",
    "invalid-duplicated-ballot.json": "appears twice (leaves 3 and 24)",
    "invalid-rewritten-tree-head.json": "tree head of size 5 does not match the first 5 leaves",
    "invalid-forged-signature.json": "tree head of size 10: the signature does not verify",
    "invalid-changed-result.json": "question 'nutzung': the recount gives details",
    "invalid-too-many-choices.json": "leaf 4, question 'projekte': 3 options marked, at most 2",
    "invalid-unknown-method.json": "the method 'copeland', which this verifier does not know",
    "invalid-chosen-lot-seed.json": "the result drew its lots from",
}


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ballots.verify", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_the_shipped_vectors_are_what_the_generator_writes():
    vectors = generate.vectors()
    assert sorted(vectors) == sorted(p.name for p in VECTORS.glob("*.json"))
    assert set(EXPECTED) == {name for name in vectors if name.startswith("invalid-")}
    for name, data in vectors.items():
        assert (VECTORS / name).read_text(encoding="utf-8") == generate.render(data), name
    valid = vectors["valid.json"]
    assert len(valid["leaves"]) >= 20
    assert len({q["method"] for q in valid["consultation"]["questions"]}) >= 8
    assert any("lot" in q["details"] for q in valid["result"]["questions"])


def test_the_valid_bundle_passes_on_the_command_line():
    done = run(str(VECTORS / "valid.json"))
    assert done.returncode == 0, done.stderr
    assert "24 ballots, 24 signed tree heads" in done.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_mutation_fails_with_its_own_message(name):
    with pytest.raises(VerificationError) as failed:
        verify_bundle(load(name))
    assert EXPECTED[name] in str(failed.value)
    # No other vector's message fits this failure.
    assert [n for n, m in EXPECTED.items() if m in str(failed.value)] == [name]


def test_a_failure_exits_1_naming_it():
    done = run(str(VECTORS / "invalid-forged-signature.json"))
    assert done.returncode == 1
    assert done.stderr.startswith("FAILED: tree head of size 10")


def test_a_wrong_command_line_exits_2():
    done = run("--no-such-option", str(VECTORS / "valid.json"))
    assert done.returncode == 2 and "usage: python -m ballots.verify" in done.stderr


def test_receipts_and_expected_keys(tmp_path):
    valid = load("valid.json")
    first, second = tmp_path / "quittung.json", tmp_path / "zweite.json"
    first.write_text(json.dumps(valid["tree_heads"][3]))
    second.write_text(json.dumps(valid["tree_heads"][8]))
    key_id = valid["keys"][0]["key_id"]
    bundle = str(VECTORS / "valid.json")
    # Receipts named after the bundle, before or after the options, or with --receipt.
    for args in (
        (bundle, str(first), str(second), "--expect-key", key_id),
        (bundle, str(first), "--expect-key", key_id, str(second)),
        (bundle, "--receipt", str(first), str(second), "--expect-key", key_id),
    ):
        ok = run(*args)
        assert ok.returncode == 0 and "2 receipts" in ok.stdout, (args, ok.stderr)
    other = run(bundle, "--expect-key", "ab" * 32)
    assert other.returncode == 1 and "expected key" in other.stderr
    unreadable = run(bundle, str(tmp_path / "missing.json"))
    assert unreadable.returncode == 1
    assert "missing.json: cannot be read as JSON" in unreadable.stderr
    # The holder of the last receipt finds out what the dropped-ballot bundle hides.
    last = tmp_path / "last.json"
    last.write_text(json.dumps(valid["tree_heads"][-1]))
    dropped = load("invalid-dropped-ballot.json")
    dropped["turnout"]["participation_marks"] = 23
    with pytest.raises(VerificationError, match="is not in the log"):
        verify_bundle(dropped, {"last.json": json.loads(last.read_text())})


def test_the_verifier_loads_nothing_of_the_web_app():
    check = (
        "import sys, ballots.verify; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlmodel', 'sqlalchemy', 'results', 'voting', 'werkzeug') "
        "or m in ('ballots.merkle', 'ballots.canonical', 'ballots.content', 'ballots.receipts')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True)


def test_the_verifiers_own_tree_gives_the_certificate_transparency_roots():
    roots = PrefixRoots()
    seen = []
    for data in CT_LEAVES:
        roots.add(_leaf(data))
        seen.append(roots.root().hex())
    assert seen == CT_ROOTS


def test_a_tree_head_timed_finer_than_the_hour_is_refused():
    bundle = load("valid.json")
    head = {k: v for k, v in bundle["tree_heads"][2].items() if k not in ("signature", "v")}
    head["issued_at"] = head["issued_at"].replace(":00:00Z", ":17:00Z")
    bundle["tree_heads"][2] = sign_receipt(head, generate.SIGNER)
    with pytest.raises(VerificationError, match="size 3 states the time .* not a full hour"):
        verify_bundle(bundle)
