"""The standalone verifier: every vector fails with its own message, the valid one passes."""

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from buergervotum_verifier.bindings import (
    CLOSING_DOMAIN,
    PAPER_DOMAIN,
    BindingError,
    check_head_bindings,
    statement_hash,
)
from buergervotum_verifier.verify import (
    DOMAIN,
    PrefixRoots,
    VerificationError,
    _leaf,
    canonical,
    verify_bundle,
)

VERIFIER = Path(__file__).resolve().parents[1]
PACKAGE = VERIFIER / "buergervotum_verifier"
VECTORS = Path(__file__).resolve().parent / "vectors"
# The key the platform's tests/vectors/generate.py signs the vectors with.
VECTOR_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"test vectors").digest())
# The platform, its web framework and its database layer: none may load with the verifier.
PLATFORM = ("voting", "ballots", "results", "tests", "bench")
FRAMEWORKS = ("flask", "werkzeug", "jinja2", "sqlalchemy", "sqlmodel", "psycopg", "matplotlib")

EXPECTED = {
    "invalid-flipped-content.json": "leaf 7: the salt and content do not match its leaf hash",
    "invalid-wrong-salt.json": "leaf 11: the salt and content do not match its leaf hash",
    "invalid-dropped-ballot.json": "the log holds 23 ballots cast online with root",
    "invalid-appended-ballot.json": "needs one signed tree head per ballot",
    "invalid-reworded-question.json": "the bundle's questions differs from the signed definition",
    "invalid-changed-budget.json": "definition version 2: the signature does not verify",
    "invalid-changed-eligible.json": "the turnout states 100 eligible voters, the signed def",
    "invalid-moved-turnout.json": "the signed tree heads of that time are 10",
    "invalid-duplicated-ballot.json": "appears twice (leaves 3 and 24)",
    "invalid-rewritten-tree-head.json": "tree head of size 5 does not match the first 5 leaves",
    "invalid-forged-signature.json": "tree head of size 10: the signature does not verify",
    "invalid-changed-result.json": "question 'nutzung': the recount gives details",
    "invalid-too-many-choices.json": "leaf 4, question 'projekte': 3 options marked, at most 2",
    "invalid-unknown-method.json": "the method 'copeland', which this verifier does not know",
    "invalid-chosen-lot-seed.json": "the result drew its lots from",
    "invalid-paper-ballot-after-seal.json": "the paper seal states 28 with root",
    "invalid-more-paper-than-cards.json": "but only 6 polling cards came back by post",
    "invalid-paper-ballot-as-online.json": "leaf 27 was cast online after the paper ballots",
}

# The test vectors of Certificate Transparency (RFC 6962/9162 share the hashing): eight leaves
# and the roots of their first 1..8, as published with the reference logs.
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


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def run(*args: str, python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    # From the verifier's folder, so that the package is found installed or not.
    return subprocess.run(
        [sys.executable, *python, "-m", "buergervotum_verifier", *args],
        cwd=VERIFIER,
        capture_output=True,
        text=True,
    )


def test_the_vectors_are_complete():
    names = sorted(p.name for p in VECTORS.glob("*.json"))
    assert names == sorted([*EXPECTED, "valid.json", "valid-with-paper.json"])
    valid = load("valid.json")
    assert len(valid["leaves"]) >= 20
    assert len({q["method"] for q in valid["consultation"]["questions"]}) >= 8
    assert any("lot" in q["details"] for q in valid["result"]["questions"])


def test_the_valid_bundle_passes_on_the_command_line():
    done = run(str(VECTORS / "valid.json"))
    assert done.returncode == 0, done.stderr
    assert "24 ballots, 24 signed tree heads" in done.stdout


def test_paper_ballots_keyed_after_the_close_verify_under_the_paper_seal():
    bundle = load("valid-with-paper.json")
    assert [leaf["channel"] for leaf in bundle["leaves"]][-5:] == ["online"] + ["paper"] * 4
    assert verify_bundle(bundle).ballots == 28
    # Without the seal the paper ballots have nothing vouching for them as keyed.
    with pytest.raises(VerificationError, match="4 paper ballots after the closing head, but no"):
        verify_bundle({**bundle, "paper_seal": None})


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
    assert done.returncode == 2 and "usage: python -m buergervotum_verifier" in done.stderr


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
    # Even where the holder of the signing key re-signs the closing head over the shortened
    # log, the holder of the last receipt finds out what the dropped-ballot bundle hides.
    dropped = load("invalid-dropped-ballot.json")
    closing = {
        **{k: v for k, v in dropped["closing"].items() if k != "signature"},
        "tree_size": 23,
        "root_hash": dropped["root_hash"],
        "participation_marks": 23,
    }
    message = CLOSING_DOMAIN + canonical(closing)
    closing["signature"] = base64.urlsafe_b64encode(VECTOR_KEY.sign(message)).decode().rstrip("=")
    dropped["closing"] = closing
    verify_bundle(dropped)  # consistent in itself
    with pytest.raises(VerificationError, match="is not in the log"):
        verify_bundle(dropped, {"last.json": valid["tree_heads"][-1]})


def test_the_verifier_loads_nothing_of_the_platform(tmp_path):
    receipt = tmp_path / "quittung.json"
    receipt.write_text(json.dumps(load("valid.json")["tree_heads"][0]))
    done = run(str(VECTORS / "valid.json"), str(receipt), python=("-X", "importtime"))
    assert done.returncode == 0, done.stderr
    loaded = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and not line.endswith("imported package")
    }
    bad = sorted(m for m in loaded if m.split(".")[0] in PLATFORM + FRAMEWORKS)
    assert not bad, bad
    # The check saw every module of the verifier, so none of them escaped it.
    ours = {f"buergervotum_verifier.{p.stem}" for p in PACKAGE.glob("*.py")} - {
        "buergervotum_verifier.__init__",
        "buergervotum_verifier.__main__",
    }
    assert ours <= loaded and "cryptography" in loaded


def test_the_verifiers_own_tree_gives_the_certificate_transparency_roots():
    roots = PrefixRoots()
    seen = []
    for data in CT_LEAVES:
        roots.add(_leaf(data))
        seen.append(roots.root().hex())
    assert seen == CT_ROOTS


def test_a_tree_head_timed_finer_than_the_hour_is_refused():
    bundle = load("valid.json")
    head = {k: v for k, v in bundle["tree_heads"][2].items() if k != "signature"}
    head["issued_at"] = head["issued_at"].replace(":00:00Z", ":17:00Z")
    signature = VECTOR_KEY.sign(DOMAIN + canonical(head))
    head["signature"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    bundle["tree_heads"][2] = head
    with pytest.raises(VerificationError, match="size 3 states the time .* not a full hour"):
        verify_bundle(bundle)


def test_hourly_periods_that_overlap_or_split_an_hour_are_refused():
    # Overlapping periods could count one head twice and leave another out, summing right.
    overlapping = load("valid.json")
    periods = overlapping["result"]["turnout"]["by_hour"]
    periods[1]["hour"] = periods[0]["hour"]
    with pytest.raises(VerificationError, match="overlaps the one before"):
        verify_bundle(overlapping)
    split = load("valid.json")
    split["result"]["turnout"]["by_hour"][0]["until"] = "2027-03-01T07:30:00Z"
    with pytest.raises(VerificationError, match="is no span of full hours"):
        verify_bundle(split)


def test_a_paper_head_naming_an_older_definition_is_refused():
    # After a new version signed at the close (a key rotation, say), a paper head that names
    # the version before claims rules no longer in force when it was keyed.
    bundle = load("valid-with-paper.json")
    hashes = ["1" * 64, "2" * 64]
    bundle["definitions"][0]["signing_keys"] = [bundle["keys"][0]["key_id"]]
    paper = {**bundle["tree_heads"][-1], "tree_size": 1, "definition": hashes[0]}
    with pytest.raises(BindingError, match="paper ballot's but names an older definition"):
        check_head_bindings([paper], hashes, bundle, online=0)
    check_head_bindings([{**paper, "definition": hashes[1]}], hashes, bundle, online=0)


def test_a_seal_of_no_sheet_at_all_is_refused():
    bundle = load("valid.json")
    closing = bundle["closing"]
    seal = {
        "consultation": closing["consultation"],
        "definition": closing["definition"],
        "closing": statement_hash(closing),
        "tree_size": closing["tree_size"],
        "root_hash": closing["root_hash"],
        "paper_ballots": 0,
        "invalid_paper_ballots": 0,
        "sealed_at": "2027-03-30T08:00:00Z",
        "v": 1,
        "key_id": closing["key_id"],
    }
    signature = VECTOR_KEY.sign(PAPER_DOMAIN + canonical(seal))
    seal["signature"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    bundle["paper_seal"] = seal
    bundle["result"]["turnout"] |= {"paper_ballots": 0, "invalid_paper_ballots": 0}
    with pytest.raises(VerificationError, match="the paper seal states no sheet at all"):
        verify_bundle(bundle)
    seal["invalid_paper_ballots"] = 1  # one sheet invalid as a whole: a seal, and checked
    with pytest.raises(VerificationError, match="the paper seal: the signature does not verify"):
        verify_bundle(bundle)
