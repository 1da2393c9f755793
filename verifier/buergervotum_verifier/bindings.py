"""What binds a result to its rules and its end: the signed definitions, the closing head and
the paper seal.

A bundle carries every signed version of the consultation's definition (title, period,
questions, methods, eligible voters, suppression threshold, signing keys) and the signed
closing head. The checks here make sure that everything the recount uses comes from the
newest definition, that every tree head names a definition of the chain, that the online
ballots end exactly where the closing head says voting ended, and that paper ballots keyed
after the close are exactly those the paper seal states. docs/verification.md gives the
bytes.
"""

import base64
import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

DEFINITION_DOMAIN = b"buergervotum/definition/v1\n"
CLOSING_DOMAIN = b"buergervotum/closing/v1\n"
PAPER_DOMAIN = b"buergervotum/paper-ballots/v1\n"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
# The parts of the bundle's consultation that must equal the definition's.
MANIFEST_FIELDS = ("title", "kind", "opens_at", "closes_at", "questions")


class BindingError(Exception):
    """A definition, closing head or published figure that does not hold, in words."""


def canonical(value: Any) -> bytes:
    """Return RFC 8785 JSON for our data: sorted keys, no white space, UTF-8, no floats."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def statement_hash(statement: Mapping[str, Any]) -> str:
    """Return the hex SHA-256 of a statement's canonical JSON without its signature."""
    return hashlib.sha256(
        canonical({k: v for k, v in statement.items() if k != "signature"})
    ).hexdigest()


def check_statement(
    statement: Any, keys: Mapping[str, Ed25519PublicKey], domain: bytes, what: str
) -> None:
    """Check a signed statement's version, key and signature."""
    if not isinstance(statement, dict):
        raise BindingError(f"{what} is missing or not an object")
    if statement.get("v") != 1:
        raise BindingError(f"{what}: unknown version {statement.get('v')!r}")
    key = keys.get(str(statement.get("key_id")))
    if key is None:
        raise BindingError(f"{what}: signed with the untrusted key {statement.get('key_id')!r}")
    signature = str(statement.get("signature", ""))
    message = domain + canonical({k: v for k, v in statement.items() if k != "signature"})
    try:
        key.verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)), message)
    except (InvalidSignature, ValueError):
        raise BindingError(f"{what}: the signature does not verify") from None


def check_definitions(
    bundle: Mapping[str, Any], slug: str, keys: Mapping[str, Ed25519PublicKey]
) -> list[str]:
    """Check the chain of signed definitions; return their hashes, oldest first.

    The newest definition is the one counted with: the bundle's consultation, the turnout's
    eligible voters and every question must be the newest definition's.
    """
    chain = bundle.get("definitions")
    if not isinstance(chain, list) or not chain:
        raise BindingError("the bundle has no signed definition of the consultation")
    hashes: list[str] = []
    for number, definition in enumerate(chain, start=1):
        what = f"definition version {number}"
        check_statement(definition, keys, DEFINITION_DOMAIN, what)
        if definition.get("consultation") != slug:
            raise BindingError(f"{what} belongs to {definition.get('consultation')!r}")
        if definition.get("version") != number:
            raise BindingError(f"{what} states version {definition.get('version')!r}")
        if definition.get("previous") != (hashes[-1] if hashes else None):
            raise BindingError(f"{what} does not name the version before it")
        hashes.append(statement_hash(definition))
    final = chain[-1]
    manifest = bundle["consultation"]
    for field in MANIFEST_FIELDS:
        if manifest.get(field) != final.get(field):
            raise BindingError(f"the bundle's {field} differs from the signed definition's")
    eligible = final.get("eligible")
    if not isinstance(eligible, int) or isinstance(eligible, bool):
        raise BindingError("the newest definition states no number of eligible voters")
    if bundle["turnout"]["eligible"] != eligible:
        raise BindingError(
            f"the turnout states {bundle['turnout']['eligible']} eligible voters, "
            f"the signed definition {eligible}"
        )
    return hashes


def _moment(text: Any, what: str) -> datetime:
    if not isinstance(text, str) or not TIME.fullmatch(text):
        raise BindingError(f"{what}: {text!r} is not a UTC time like 2027-03-01T07:00:00Z")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)  # as TIME matched it


def check_head_bindings(
    heads: Sequence[Mapping[str, Any]],
    hashes: Sequence[str],
    bundle: Mapping[str, Any],
    online: int,
) -> None:
    """Check that each tree head names a definition of the chain, never an older one than the
    head before it, is signed by a key the definitions name, and was issued while voting ran,
    or, for a paper ballot keyed after the close, between the close and the paper seal.

    ``heads`` are the bundle's tree heads, already checked to be one per ballot, in order;
    the first ``online`` of them were issued for ballots cast online.
    """
    final = bundle["definitions"][-1]
    opened = _moment(final["opens_at"], "opens_at").replace(minute=0, second=0)
    closes = _moment(final["closes_at"], "closes_at")
    closed = _moment(bundle["closing"]["closed_at"], "the closing head's closed_at")
    last = 0
    for head in heads:
        what = f"tree head of size {head['tree_size']}"
        if head.get("definition") not in hashes:
            raise BindingError(f"{what} names no definition of the consultation")
        position = hashes.index(head["definition"])
        if position < last:
            raise BindingError(f"{what} names an older definition than the head before it")
        last = position
        if head.get("key_id") not in bundle["definitions"][position]["signing_keys"]:
            raise BindingError(f"{what} is signed by a key its definition does not name")
        issued = _moment(head.get("issued_at"), what)
        if head["tree_size"] > online:
            # A closed consultation gets no new definition: paper heads name the newest.
            if position != len(hashes) - 1:
                raise BindingError(f"{what} is a paper ballot's but names an older definition")
            _check_paper_head(head, issued, closed, bundle["paper_seal"], what)
            continue
        if head.get("channel", "online") != "online" or not isinstance(
            head.get("tracking_code"), str
        ):
            raise BindingError(f"{what} was issued for an online ballot but names no tracking code")
        if not opened <= issued <= min(closes, closed):
            raise BindingError(
                f"{what} was issued at {head['issued_at']}, outside the voting period "
                f"{final['opens_at']} to {min(closes, closed).strftime('%Y-%m-%dT%H:%M:%SZ')}"
            )


def _check_paper_head(
    head: Mapping[str, Any], issued: datetime, closed: datetime, seal: Any, what: str
) -> None:
    if head.get("channel") != "paper" or head.get("tracking_code") is not None:
        raise BindingError(f"{what} follows the closing head but is not a paper ballot's")
    # Heads state the hour they were issued in: the hour of the close counts as after it.
    sealed = _moment(seal["sealed_at"], "the paper seal's sealed_at")
    if not closed.replace(minute=0, second=0) <= issued <= sealed:
        raise BindingError(
            f"{what} was issued at {head['issued_at']} for a paper ballot, outside the time "
            f"from the close to the paper seal ({seal['sealed_at']})"
        )


def check_closing(
    bundle: Mapping[str, Any],
    keys: Mapping[str, Ed25519PublicKey],
    hashes: Sequence[str],
    size: int,
    root: bytes,
) -> None:
    """Check the closing head: signed, over the online log and the newest definition.

    ``size`` and ``root`` are those of the log's online ballots, all of which come before
    any paper ballot (check_paper_seal covers the log with those).
    """
    closing = bundle.get("closing")
    check_statement(closing, keys, CLOSING_DOMAIN, "the closing head")
    assert isinstance(closing, dict)  # checked just now
    if closing.get("consultation") != bundle["consultation"]["id"]:
        raise BindingError(f"the closing head belongs to {closing.get('consultation')!r}")
    if closing.get("definition") != hashes[-1]:
        raise BindingError("the closing head does not name the newest definition")
    if closing.get("tree_size") != size or closing.get("root_hash") != root.hex():
        raise BindingError(
            f"the log holds {size} ballots cast online with root {root.hex()}, but voting was "
            f"closed at {closing.get('tree_size')} ballots with root {closing.get('root_hash')}"
        )
    opened = _moment(bundle["definitions"][-1]["opens_at"], "opens_at")
    if _moment(closing.get("closed_at"), "the closing head's closed_at") < opened:
        raise BindingError("the closing head states a closing time before the opening")
    marks, paper = closing.get("participation_marks"), closing.get("paper_marks")
    if not isinstance(marks, int) or not isinstance(paper, int) or marks - paper != size:
        raise BindingError(
            f"the closing head states {marks} participation marks, {paper} of them by paper: "
            f"not one online mark per each of the {size} ballots"
        )
    if bundle["turnout"].get("paper_marks", 0) < paper:
        raise BindingError(
            f"the turnout states {bundle['turnout'].get('paper_marks')} paper marks, fewer than "
            f"the {paper} the closing head counted"
        )


def check_paper_seal(
    bundle: Mapping[str, Any],
    keys: Mapping[str, Ed25519PublicKey],
    hashes: Sequence[str],
    size: int,
    root: bytes,
    online: int,
) -> None:
    """Check the paper seal over the log with the paper ballots keyed after the close.

    A bundle whose log ends at the closing head needs none; one with paper ballots must have
    it, signed, naming the closing head, over the whole log, with the number of paper
    ballots in it, and no more paper ballots, valid or not, than returned polling cards.
    """
    seal = bundle.get("paper_seal")
    papers = size - online
    published = bundle["result"].get("turnout", {})
    if seal is None:
        if papers:
            raise BindingError(
                f"the log holds {papers} paper ballots after the closing head, but no paper seal"
            )
        if "paper_ballots" in published:
            raise BindingError("the result states paper ballots the log does not hold")
        return
    check_statement(seal, keys, PAPER_DOMAIN, "the paper seal")
    assert isinstance(seal, dict)  # checked just now
    closing = bundle["closing"]
    if seal.get("consultation") != bundle["consultation"]["id"]:
        raise BindingError(f"the paper seal belongs to {seal.get('consultation')!r}")
    if seal.get("definition") != hashes[-1]:
        raise BindingError("the paper seal does not name the newest definition")
    if seal.get("closing") != statement_hash(closing):
        raise BindingError("the paper seal does not name the closing head")
    if seal.get("tree_size") != size or seal.get("root_hash") != root.hex():
        raise BindingError(
            f"the log holds {size} ballots with root {root.hex()}, but the paper seal states "
            f"{seal.get('tree_size')} with root {seal.get('root_hash')}"
        )
    invalid = seal.get("invalid_paper_ballots")
    # A seal is signed only where a sheet was keyed: valid, or invalid as a whole.
    if seal.get("paper_ballots") != papers or not isinstance(invalid, int) or invalid < 0:
        raise BindingError(
            f"the paper seal states {seal.get('paper_ballots')} paper ballots and "
            f"{invalid!r} invalid ones; the log holds {papers} paper ballots"
        )
    if papers + invalid == 0:
        raise BindingError("the paper seal states no sheet at all; without one there is no seal")
    if papers + invalid > closing["paper_marks"]:
        raise BindingError(
            f"{papers} paper ballots and {invalid} invalid ones, but only "
            f"{closing['paper_marks']} polling cards came back by post"
        )
    closed = _moment(closing["closed_at"], "the closing head's closed_at")
    if _moment(seal.get("sealed_at"), "the paper seal's sealed_at") < closed:
        raise BindingError("the paper seal states a time before the close")
    if (published.get("paper_ballots"), published.get("invalid_paper_ballots")) != (
        papers,
        invalid,
    ):
        raise BindingError(
            f"the result states {published.get('paper_ballots')} paper ballots and "
            f"{published.get('invalid_paper_ballots')} invalid ones; the paper seal {papers} "
            f"and {invalid}"
        )


def check_published_turnout(bundle: Mapping[str, Any], heads: Sequence[Mapping[str, Any]]) -> None:
    """Check the result's turnout by hour and by district against the signed heads and rules."""
    final = bundle["definitions"][-1]
    turnout = bundle["result"]["turnout"]
    threshold = final["suppression_threshold"]
    if turnout.get("minimum_cell") != threshold:
        raise BindingError(
            f"the result hides cells below {turnout.get('minimum_cell')}, the definition "
            f"below {threshold}"
        )
    # Sorted, so that each period counts its heads by two binary searches, not a pass.
    issued = sorted(_moment(head["issued_at"], "issued_at") for head in heads)
    ended = None
    for period in turnout.get("by_hour", []):
        start = _moment(period.get("hour"), "by_hour")
        until = _moment(period.get("until"), "by_hour")
        # In order and apart, so that no head is counted in two periods and another in none.
        if start.minute or start.second or until.minute or until.second or until <= start:
            raise BindingError(
                f"the turnout period {period['hour']} to {period['until']} is no span of full hours"
            )
        if ended is not None and start < ended:
            raise BindingError(f"the turnout period from {period['hour']} overlaps the one before")
        ended = until
        signed = max(0, bisect_left(issued, until) - bisect_left(issued, start))
        if period.get("ballots") != signed:
            raise BindingError(
                f"the turnout states {period.get('ballots')} ballots from {period['hour']} to "
                f"{period['until']}; the signed tree heads of that time are {signed}"
            )
    if sum(period.get("ballots") or 0 for period in turnout.get("by_hour", [])) != len(heads):
        raise BindingError("the turnout by hour does not add up to the ballots in the log")
    marks = len(heads) + bundle["turnout"].get("paper_marks", 0)
    shown = 0
    eligible = 0
    for cell in turnout.get("by_district", []):
        eligible += cell["eligible"]
        if cell.get("ballots") is None:
            continue
        if not threshold <= cell["ballots"] <= cell["eligible"]:
            raise BindingError(
                f"district {cell.get('district')!r}: {cell['ballots']} ballots of "
                f"{cell['eligible']} eligible cannot be published (threshold {threshold})"
            )
        shown += cell["ballots"]
    if turnout.get("by_district") and (eligible != final["eligible"] or shown > marks):
        raise BindingError("the turnout by district does not fit the eligible voters and the marks")


def check_result_texts(bundle: Mapping[str, Any]) -> None:
    """Check that the result states each question, method and option as the definition does."""
    defined = {q["key"]: q for q in bundle["definitions"][-1]["questions"]}
    for question in bundle["result"]["questions"]:
        source = defined.get(question.get("key"))
        if source is None or question.get("text") != source["text"]:
            raise BindingError(
                f"question {question.get('key')!r}: the result's text is not the definition's"
            )
        if question.get("method") != source["method"]:
            raise BindingError(
                f"question {question['key']!r}: the result names the method "
                f"{question.get('method')!r}, the definition {source['method']!r}"
            )
        if "options" in question and question["options"] != [
            {"key": o["key"], "label": o["label"]} for o in source["options"]
        ]:
            raise BindingError(
                f"question {question['key']!r}: the result's options are not the definition's"
            )
