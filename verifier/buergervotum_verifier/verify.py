"""Standalone verifier: buergervotum-verify BUNDLE.json [RECEIPT.json ...] [--expect-key ID].

Checks a published consultation from its bundle alone and exits 0 when everything
holds, or 1 naming the first thing that failed. It imports nothing of the web
application: its hashing, canonical JSON and signature checks are written here
again, from docs/verification.md, and the recount is buergervotum_verifier.recount.
It needs only the standard library and ``cryptography``.
"""

import argparse
import base64
import gc
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from buergervotum_verifier import reading, shape, signatures
from buergervotum_verifier.bindings import (
    BindingError,
    check_closing,
    check_definitions,
    check_head_bindings,
    check_paper_seal,
    check_published_turnout,
    check_result_texts,
)
from buergervotum_verifier.errors import VerificationError
from buergervotum_verifier.recount import Question, RecountError, check_answer, recount, recount_for

FORMAT = "buergervotum-bundle/v3"
FULL_HOUR = re.compile(r"\d{4}-\d\d-\d\dT\d\d:00:00Z")
DOMAIN = b"buergervotum/receipt/v1\n"
ENTRY_TAG = b"buergervotum/ballot/v2\n"
PAPER_TAG = b"buergervotum/paper-ballot/v1\n"
SALT = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Report:
    """What a successful verification covered."""

    consultation: str
    ballots: int
    tree_heads: int
    receipts: int
    unsalted: int = 0  # leaves cast before format 2: readable while voting was open


# One encoder for every call: json.dumps would build a new one per leaf and per head.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical(value: Any) -> bytes:
    """Return RFC 8785 JSON for our data: sorted keys, no white space, UTF-8, no floats."""
    return _CANONICAL.encode(value).encode("utf-8")


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class PrefixRoots:
    """Roots of every prefix of the log, computed leaf by leaf (RFC 9162 tree shape)."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []  # perfect subtrees, largest first

    def add(self, leaf_hash: bytes) -> None:
        """Append one leaf, merging the perfect subtrees it completes."""
        self.stack.append(leaf_hash)
        size = self.size
        while size & 1:
            right = self.stack.pop()
            self.stack[-1] = _node(self.stack[-1], right)
            size >>= 1
        self.size += 1

    def root(self) -> bytes:
        """Return the root of the leaves added so far."""
        if not self.stack:
            return hashlib.sha256(b"").digest()
        result = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            result = _node(left, result)
        return result


def prefix_roots(leaves: Sequence[Mapping[str, Any]], sizes: Iterable[Any]) -> dict[int, bytes]:
    """Return the root of the first n leaves for every n of ``sizes`` the log has, in one pass.

    Tree heads, receipts and the final root all take their roots from here, so that no
    prefix is hashed twice however many heads or receipts name it.
    """
    wanted = {n for n in sizes if type(n) is int and 0 <= n <= len(leaves)}
    roots = PrefixRoots()
    found = {0: roots.root()} if 0 in wanted else {}
    for leaf in leaves:
        roots.add(bytes.fromhex(leaf["leaf_hash"]))
        if roots.size in wanted:
            found[roots.size] = roots.root()
    return found


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _keys(bundle: Mapping[str, Any], expected: Sequence[str]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in bundle.get("keys", []):
        raw = _b64url(str(entry.get("public_key", "")))
        if entry.get("algorithm") != "Ed25519" or len(raw) != 32:
            raise VerificationError(f"key {entry.get('key_id')!r} is not an Ed25519 public key")
        if hashlib.sha256(raw).hexdigest() != entry.get("key_id"):
            raise VerificationError(
                f"key {entry.get('key_id')!r}: its id is not the SHA-256 of the public key"
            )
        keys[entry["key_id"]] = Ed25519PublicKey.from_public_bytes(raw)
    for key_id in expected:
        if key_id not in keys:
            raise VerificationError(f"the expected key {key_id} is not among the bundle's keys")
    # A key the auditor named is the only key trusted; otherwise every published key is.
    return {k: v for k, v in keys.items() if k in expected} if expected else keys


def _check_signature(
    head: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey], what: str
) -> None:
    # Version 2: the head names the consultation's signed definition.
    if head.get("v") != 2:
        raise VerificationError(f"{what}: unknown version {head.get('v')!r}")
    key = keys.get(str(head.get("key_id")))
    if key is None:
        raise VerificationError(f"{what}: signed with the untrusted key {head.get('key_id')!r}")
    message = DOMAIN + canonical({k: v for k, v in head.items() if k != "signature"})
    try:
        signature = _b64url(str(head.get("signature", "")))
    except ValueError:
        signature = b""  # not even base64: it verifies no more than a wrong signature
    signatures.check(key, signature, message, f"{what}: the signature does not verify")


def _questions(bundle: Mapping[str, Any]) -> list[Question]:
    """Return the newest definition's questions; each has two or more options, keys unique."""
    questions = [
        Question(q["key"], q["method"], tuple(o["key"] for o in q["options"]), q.get("params", {}))
        for q in bundle["definitions"][-1]["questions"]
    ]
    if len({q.key for q in questions}) != len(questions):
        raise VerificationError("the definition names a question key twice")
    for question in questions:
        if len(question.options) < 2 or len(set(question.options)) != len(question.options):
            raise VerificationError(
                f"question {question.key!r}: a question needs two or more options with "
                "different keys"
            )
    return questions


def leaf_data(slug: str, leaf: Mapping[str, Any]) -> bytes:
    """Return the log entry a leaf commits to: tag and canonical JSON with its salt."""
    salt, code = leaf["salt"], leaf["tracking_code"]
    if salt is None and leaf["channel"] == "online":  # cast before format 2: no tag, no salt
        return canonical({"consultation": slug, "tracking_code": code, "content": leaf["content"]})
    if not isinstance(salt, str) or not SALT.fullmatch(salt):
        raise VerificationError(
            f"leaf {leaf['leaf_index']}: the salt is not 64 lowercase hex digits"
        )
    if leaf["channel"] == "paper":
        if code is not None:
            raise VerificationError(
                f"leaf {leaf['leaf_index']}: a paper ballot has no tracking code, this one {code}"
            )
        return PAPER_TAG + canonical(
            {"consultation": slug, "salt": salt, "content": leaf["content"]}
        )
    if not isinstance(code, str):
        raise VerificationError(
            f"leaf {leaf['leaf_index']}: an online ballot needs its tracking code"
        )
    entry = {"consultation": slug, "tracking_code": code, "salt": salt, "content": leaf["content"]}
    return ENTRY_TAG + canonical(entry)


def online_leaves(leaves: Sequence[Mapping[str, Any]]) -> int:
    """Return how many leaves were cast online: all of them come before every paper ballot."""
    online = sum(leaf["channel"] == "online" for leaf in leaves)
    for leaf in leaves[online:]:
        if leaf["channel"] != "paper":
            raise VerificationError(
                f"leaf {leaf['leaf_index']} was cast online after the paper ballots were keyed"
            )
    return online


def _check_leaves(bundle: Mapping[str, Any], slug: str) -> None:
    """Check leaf order, commitments and tracking codes."""
    seen: dict[str, int] = {}
    for position, leaf in enumerate(bundle["leaves"]):
        if leaf.get("leaf_index") != position:
            raise VerificationError(
                f"leaf {position} is missing: the log lists leaf {leaf.get('leaf_index')} "
                "in its place"
            )
        code = leaf["tracking_code"]
        if code is not None and code in seen:
            raise VerificationError(
                f"tracking code {code} appears twice (leaves {seen[code]} and {position})"
            )
        seen[code] = position
        if _leaf(leaf_data(slug, leaf)).hex() != leaf["leaf_hash"]:
            raise VerificationError(
                f"leaf {position}: the salt and content do not match its leaf hash"
            )


def _check_tree_heads(
    bundle: Mapping[str, Any], slug: str, keys: Mapping[str, Ed25519PublicKey]
) -> None:
    """Check every head's signature, consultation and time."""
    for head in bundle["tree_heads"]:
        _check_signature(head, keys, f"tree head of size {head.get('tree_size')}")
        if head.get("consultation") != slug:
            raise VerificationError(
                f"tree head of size {head.get('tree_size')} belongs to {head.get('consultation')!r}"
            )
        if not FULL_HOUR.fullmatch(str(head.get("issued_at"))):
            # A time finer than the hour would help link a ballot to the person seen voting.
            raise VerificationError(
                f"tree head of size {head.get('tree_size')} states the time "
                f"{head.get('issued_at')!r}, not a full hour in UTC"
            )


def _check_tree_head_roots(bundle: Mapping[str, Any], roots: Mapping[int, bytes]) -> None:
    """Check that the heads are in order and each is a prefix of the final tree."""
    leaves = bundle["leaves"]
    heads = bundle["tree_heads"]
    # Exactly one head per ballot, the receipt issued for it: 1, 2, …, n.
    sizes = [head.get("tree_size") for head in heads]
    if sizes != list(range(1, len(leaves) + 1)):
        missing = next(
            (n for n in range(1, len(leaves) + 1) if n not in set(sizes)), len(leaves) + 1
        )
        raise VerificationError(
            f"the log of {len(leaves)} ballots needs one signed tree head per ballot, sizes 1 "
            f"to {len(leaves)} in order; the heads are not that (first wrong at size {missing})"
        )
    by_size = {head["tree_size"]: head for head in heads}
    for size in range(1, len(leaves) + 1):
        head = by_size.pop(size, None)
        if head is None:
            continue
        if head["root_hash"] != roots[size].hex():
            raise VerificationError(
                f"tree head of size {size} does not match the first {size} leaves: "
                "the log was rewritten after it was signed"
            )
        index = head.get("leaf_index")
        if not isinstance(index, int) or not 0 <= index < size:
            raise VerificationError(f"tree head of size {size} names no leaf of its tree")
        if leaves[index]["leaf_hash"] != head["leaf_hash"]:
            raise VerificationError(
                f"tree head of size {size}: leaf {index} is not the leaf it was issued for"
            )
    if by_size:
        raise VerificationError(
            f"tree head of size {min(by_size)} is larger than the log of {len(leaves)} leaves"
        )


def _check_ballots(bundle: Mapping[str, Any], questions: Sequence[Question]) -> None:
    known = {q.key for q in questions}
    for leaf in bundle["leaves"]:
        content = leaf["content"]
        if not isinstance(content, dict) or set(content) != known:
            raise VerificationError(
                f"leaf {leaf['leaf_index']}: the ballot does not answer exactly the questions "
                f"{sorted(known)}"
            )
        for question in questions:
            try:
                check_answer(question, content[question.key])
            except RecountError as exc:
                raise VerificationError(
                    f"leaf {leaf['leaf_index']}, question {question.key!r}: {exc}"
                ) from None


def _check_result(bundle: Mapping[str, Any], questions: Sequence[Question], root: bytes) -> None:
    published = {q["key"]: q for q in bundle["result"]["questions"]}
    if list(published) != [q.key for q in questions]:
        raise VerificationError("the result does not list exactly the consultation's questions")
    eligible = bundle["turnout"]["eligible"]
    turnout = bundle["result"].get("turnout", {})
    if turnout.get("ballots") != len(bundle["leaves"]) or turnout.get("eligible") != eligible:
        raise VerificationError(
            f"the result states turnout {turnout}, the log holds {len(bundle['leaves'])} ballots "
            f"of {eligible} eligible"
        )
    # Lots are drawn from the root recomputed from the leaves, never from what the bundle says.
    seed = bundle["result"].get("lot_seed", root.hex())
    if seed != root.hex():
        raise VerificationError(
            f"the result drew its lots from {seed}, but the log's final root is {root.hex()}"
        )
    for question in questions:
        try:
            answers: Iterable[Any] = (leaf["content"][question.key] for leaf in bundle["leaves"])
            counted = recount(question, answers, eligible, root)
        except RecountError as exc:
            raise VerificationError(str(exc)) from None
        stated = published[question.key]
        for part in ("winners", "ranking", "details"):
            if counted[part] != stated.get(part):
                raise VerificationError(
                    f"question {question.key!r}: the recount gives {part} "
                    f"{json.dumps(counted[part], ensure_ascii=False)}, the published result "
                    f"says {json.dumps(stated.get(part), ensure_ascii=False)}"
                )


def _check_receipt(
    receipt: Mapping[str, Any],
    bundle: Mapping[str, Any],
    keys: Mapping[str, Ed25519PublicKey],
    name: str,
    roots: Mapping[int, bytes],
) -> None:
    shape.check_receipt(receipt, f"receipt {name}")
    _check_signature(receipt, keys, f"receipt {name}")
    leaves = bundle["leaves"]
    size = receipt.get("tree_size")
    heads = bundle["tree_heads"]
    published = heads[size - 1] if isinstance(size, int) and 0 < size <= len(heads) else None
    if published is not None and published != receipt:
        raise VerificationError(
            f"receipt {name} is not the tree head the log published for size {size}: "
            "the server signed two different histories"
        )
    index, size = receipt.get("leaf_index"), receipt.get("tree_size")
    if receipt.get("consultation") != bundle["consultation"]["id"]:
        raise VerificationError(f"receipt {name} belongs to {receipt.get('consultation')!r}")
    if not isinstance(index, int) or not isinstance(size, int) or not 0 <= index < size:
        raise VerificationError(f"receipt {name}: malformed leaf index or tree size")
    if size > len(leaves) or leaves[index]["leaf_hash"] != receipt.get("leaf_hash"):
        raise VerificationError(
            f"receipt {name}: the ballot {receipt.get('tracking_code')} is not in the log with "
            "the leaf hash the receipt states"
        )
    if roots[size].hex() != receipt.get("root_hash"):
        raise VerificationError(
            f"receipt {name}: the log's first {size} leaves do not have the root it was signed for"
        )


def verify_bundle(
    bundle: Mapping[str, Any],
    receipts: Mapping[str, Mapping[str, Any]] | None = None,
    expected_keys: Sequence[str] = (),
) -> Report:
    """Check everything the bundle claims; raise VerificationError at the first failure."""
    if bundle.get("format") != FORMAT:
        raise VerificationError(f"unknown bundle format {bundle.get('format')!r}")
    shape.check_bundle(bundle)
    try:
        slug = bundle["consultation"]["id"]
        keys = _keys(bundle, expected_keys)
        hashes = check_definitions(bundle, slug, keys)
        _check_tree_heads(bundle, slug, keys)
        size = len(bundle["leaves"])
        online = online_leaves(bundle["leaves"])
        named = [h["tree_size"] for h in bundle["tree_heads"]]
        named += [r.get("tree_size") for r in (receipts or {}).values()]
        roots = prefix_roots(bundle["leaves"], [*named, size, online])
        _check_tree_head_roots(bundle, roots)
        _check_leaves(bundle, slug)
        root = roots[size]
        if bundle["tree_size"] != size or bundle["root_hash"] != root.hex():
            raise VerificationError(
                f"the {size} leaves have the root {root.hex()}, the bundle states "
                f"{bundle['tree_size']} leaves with root {bundle['root_hash']}"
            )
        check_closing(bundle, keys, hashes, online, roots[online])
        check_paper_seal(bundle, keys, hashes, size, root, online)
        check_head_bindings(bundle["tree_heads"], hashes, bundle, online)
        marks = bundle["turnout"]["participation_marks"]
        if marks != online:
            raise VerificationError(
                f"{online} ballots cast online but {marks} online participation marks: "
                "every voter marked must have exactly one ballot"
            )
        questions = _questions(bundle)
        for question in questions:
            try:
                recount_for(question)
            except RecountError as exc:
                raise VerificationError(str(exc)) from None
        _check_ballots(bundle, questions)
        _check_result(bundle, questions, root)
        check_result_texts(bundle)
        check_published_turnout(bundle, bundle["tree_heads"][:online])
        for name, receipt in (receipts or {}).items():
            _check_receipt(receipt, bundle, keys, name, roots)
    except BindingError as exc:
        raise VerificationError(str(exc)) from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise VerificationError(f"the bundle is malformed: {exc!r}") from None
    unsalted = sum(leaf["salt"] is None for leaf in bundle["leaves"])
    return Report(slug, size, len(bundle["tree_heads"]), len(receipts or {}), unsalted)


def _load(path: str) -> dict[str, Any]:
    try:
        return reading.read(Path(path))
    except OSError as exc:
        raise VerificationError(f"{path}: cannot be read as JSON ({exc})") from None
    except VerificationError as exc:
        raise VerificationError(f"{path}: {exc}") from None


def _one_line(text: str, limit: int = 2000) -> str:
    """Return ``text`` fit for one line: control characters escaped, at most ``limit`` long."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return shown + (" …" if len(text) > limit else "")


def _verify_files(args: argparse.Namespace) -> Report:
    """Read the bundle and receipts and verify them, the signatures in parallel."""
    # The bundle is millions of small objects that live to the end: the cyclic garbage
    # collector would walk them again and again while they are read and checked (a sixth
    # of the run at 100,000 ballots) and find nothing to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with signatures.gathered():
            bundle = _load(args.bundle)
            receipts = {path: _load(path) for path in [*args.receipts, *args.receipt]}
            return verify_bundle(bundle, receipts, args.expect_key)
    finally:
        if collecting:
            gc.enable()


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the verifier from the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description="Verify a Bürgervotum bundle.")
    parser.add_argument("bundle", help="the bundle file (GET /api/v1/consultations/<id>/bundle)")
    parser.add_argument(
        "receipts", nargs="*", default=[], metavar="RECEIPT", help="a receipt to check (any number)"
    )
    parser.add_argument(
        "--receipt",
        action="append",
        default=[],
        help="a receipt to check (repeatable; the same as naming it after the bundle)",
    )
    parser.add_argument(
        "--expect-key",
        action="append",
        default=[],
        metavar="KEY_ID",
        help="trust only this signing key (repeatable; get its id from the city, not the bundle)",
    )
    # Intermixed, so that receipts may follow --expect-key as well as precede it.
    args = parser.parse_intermixed_args(argv)
    try:
        report = _verify_files(args)
    except VerificationError as exc:
        print(f"FAILED: {_one_line(str(exc))}", file=sys.stderr)
        return 1
    except RecursionError:
        print("FAILED: the bundle nests its values too deeply to check", file=sys.stderr)
        return 1
    except Exception as exc:  # a fault of the verifier: still one line, and no bundle passes
        print(
            f"FAILED: the verifier could not finish ({_one_line(repr(exc), 300)}); "
            "this is a fault of the verifier, please report it",
            file=sys.stderr,
        )
        return 1
    consultation = _one_line(report.consultation)  # the bundle's words: no line of its own
    print(
        f"OK: {consultation}: {report.ballots} ballots, {report.tree_heads} signed tree "
        f"heads and {report.receipts} receipts verified; the recount equals the published result."
    )
    if report.unsalted:
        print(
            f"NOTE: {report.unsalted} ballots were logged without a salt (before format 2): "
            "their contents could be read from the log while voting was open."
        )
    return 0
