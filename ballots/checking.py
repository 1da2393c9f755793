"""Checking a receipt: its signature, its leaf in the log, and after publication its count."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ballots import merkle
from ballots.commitment import ballot_entry
from ballots.kept_log import kept_levels
from ballots.keys import published_keys
from ballots.log import latest_tree_head, leaf_hashes, tree_head
from ballots.models import Ballot
from ballots.receipts import ReceiptError, b64url_decode, verify_receipt
from voting.core.lifecycle import find_consultation
from voting.core.models import Consultation, Status

TRACKING_CODE = re.compile(r"[A-Z0-9-]{1,20}")

RECEIPT_FIELDS = ("consultation", "tracking_code", "leaf_index", "leaf_hash", "tree_size")


class ReceiptUnreadable(ValueError):
    """The text given is no receipt, or names no ballot of this server."""


@dataclass
class ReceiptCheck:
    """What holds for one receipt; ``problem`` names the first check that failed."""

    receipt: dict[str, Any]
    consultation: Consultation
    signature_valid: bool = False
    included: bool = False
    counted: bool | None = None  # None until the result is published
    content: dict[str, Any] | None = None
    latest_tree_size: int = 0
    latest_root_hash: str = ""
    inclusion_proof: list[str] = field(default_factory=list)
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the outcome as the public API states it."""
        return {
            "consultation": self.consultation.slug,
            "tracking_code": self.receipt.get("tracking_code"),
            "signature_valid": self.signature_valid,
            "included": self.included,
            "counted": self.counted,
            "content": self.content,
            "tree_size": self.latest_tree_size,
            "root_hash": self.latest_root_hash,
            "leaf_index": self.receipt.get("leaf_index"),
            "inclusion_proof": self.inclusion_proof,
            "problem": self.problem,
        }


def parse_receipt(text: str | bytes) -> dict[str, Any]:
    """Return the receipt in ``text``, or raise ReceiptUnreadable."""
    try:
        receipt = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ReceiptUnreadable("not JSON") from None
    if not isinstance(receipt, dict) or any(name not in receipt for name in RECEIPT_FIELDS):
        raise ReceiptUnreadable("not a receipt")
    return receipt


def receipt_for_tracking_code(*, session: Session, tracking_code: str) -> dict[str, Any]:
    """Return the receipt the server issued for a tracking code, or raise ReceiptUnreadable."""
    code = tracking_code.strip().upper().replace(" ", "")
    # Only letters, digits and dashes can match; anything else (a NUL byte, which
    # PostgreSQL refuses in text) is unknown without asking the database.
    if not TRACKING_CODE.fullmatch(code):
        raise ReceiptUnreadable("unknown tracking code")
    row = session.execute(
        select(Ballot.consultation_id, Ballot.leaf_index).where(Ballot.tracking_code == code)
    ).first()
    head = tree_head(session=session, consultation_id=row[0], tree_size=row[1] + 1) if row else None
    if head is None:
        raise ReceiptUnreadable("unknown tracking code")
    return head


def check_receipt(*, session: Session, receipt: Mapping[str, Any]) -> ReceiptCheck:
    """Check a receipt against the published keys and the consultation's log."""
    consultation = find_consultation(session=session, slug=str(receipt.get("consultation")))
    if consultation is None or consultation.status == Status.DRAFT:
        raise ReceiptUnreadable("unknown consultation")
    check = ReceiptCheck(receipt=dict(receipt), consultation=consultation)
    keys = {k.key_id: b64url_decode(k.public_key) for k in published_keys(session=session)}
    try:
        verify_receipt(receipt, keys)
    except ReceiptError as exc:
        check.problem = f"signature: {exc}"
        return check
    check.signature_valid = True

    latest = latest_tree_head(session=session, consultation_id=consultation.id)
    if latest is None:
        check.problem = "the log is empty"
        return check
    check.latest_tree_size, check.latest_root_hash = latest["tree_size"], latest["root_hash"]
    try:
        index, size = int(receipt["leaf_index"]), int(receipt["tree_size"])
        leaf, root = bytes.fromhex(receipt["leaf_hash"]), bytes.fromhex(receipt["root_hash"])
    except (TypeError, ValueError):
        check.problem = "the receipt's numbers or hashes are malformed"
        return check
    if not 0 <= index < size <= latest["tree_size"]:
        check.problem = "the receipt names a tree the log does not have"
        return check
    latest_size, latest_root = latest["tree_size"], bytes.fromhex(latest["root_hash"])
    levels = kept_levels(
        session=session,
        consultation_id=consultation.id,
        tree_size=latest_size,
        root_hash=latest_root,
    )
    if levels is not None:
        proof = levels.inclusion_proof(index, latest_size)
        consistency = levels.consistency_proof(size, latest_size)
    else:
        # The stored leaves do not make the signed tree: prove from them as they are, so
        # the check fails as it must.
        hashes = leaf_hashes(
            session=session, consultation_id=consultation.id, tree_size=latest_size
        )
        latest_size = len(hashes)
        proof = merkle.inclusion_proof(hashes, index)
        consistency = merkle.consistency_proof(hashes, size)
    check.inclusion_proof = [h.hex() for h in proof]
    consistent = merkle.verify_consistency(size, latest_size, root, latest_root, consistency)
    # The kept levels are the log as this process first read it; the ballot's own row is
    # read for every check, so a change to it shows at once.
    ballot = session.execute(
        select(Ballot.leaf_hash, Ballot.tracking_code, Ballot.salt, Ballot.content).where(
            Ballot.consultation_id == consultation.id, Ballot.leaf_index == index
        )
    ).one_or_none()
    check.included = (
        consistent
        and ballot is not None
        and bytes.fromhex(ballot.leaf_hash) == leaf
        and merkle.verify_inclusion(leaf, index, latest_size, proof, latest_root)
    )
    if not check.included:
        check.problem = "the ballot is not in the log as the receipt states"
        return check

    if consultation.is_published:
        assert ballot is not None  # included, so its row was read
        content = json.loads(ballot.content)
        entry = ballot_entry(consultation.slug, ballot.tracking_code, content, ballot.salt)
        check.counted = merkle.leaf_hash(entry) == leaf
        check.content = content if check.counted else None
        if not check.counted:
            check.problem = "the published content does not match the receipt"
    return check
