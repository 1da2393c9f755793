"""The public ballot log: appending leaves under a lock, roots, proofs and signed tree heads.

One append-only Merkle tree per consultation (see ballots.merkle). The LogState row is
its head; every append locks it (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
writer's BEGIN IMMEDIATE already serialises), so leaf indices are gapless and unique.
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from ballots import merkle
from ballots.canonical import canonical_json
from ballots.commitment import ballot_entry, paper_ballot_entry
from ballots.kept_log import kept_levels
from ballots.merkle_levels import MerkleLevels
from ballots.models import Ballot, LogState, TreeHead
from voting.core.db import conflict_insert, dialect_of, table_of
from voting.core.models import Consultation


class ProofError(ValueError):
    """A proof was asked for sizes or an index the log does not have."""


@dataclass(frozen=True)
class Appended:
    """Where a new leaf went and the tree it now ends."""

    leaf_index: int
    tree_size: int
    root_hash: bytes
    definition: str | None  # the hash of the definition in force, which the head names


LOCK_KEY = "buergervotum.log_lock"


@dataclass
class _Head:
    """The locked head of a log, as this transaction has it."""

    tree_size: int
    frontier: list[bytes]
    status: str
    definition: str | None


# The statements every append runs, built once (as in ballots.casting).
_heads = table_of(LogState)
_consultations = table_of(Consultation)
_LOCK_HEAD = (
    select(_heads.c.tree_size, _heads.c.frontier, _consultations.c.status, _heads.c.definition)
    .join(_consultations, _consultations.c.id == _heads.c.consultation_id)
    .where(_heads.c.consultation_id == bindparam("consultation_id"))
    .with_for_update(of=_heads)
)
# Sets the columns named by its parameters; "log" names the consultation's head.
_ADVANCE_HEAD = update(_heads).where(_heads.c.consultation_id == bindparam("log"))
_INSERT_TREE_HEAD = insert(table_of(TreeHead))


def _lock_head(session: Session, consultation_id: int) -> Any:
    """Lock the log's head row (and read the consultation's status); None if there is none."""
    return session.execute(_LOCK_HEAD, {"consultation_id": consultation_id}).first()


def _locked_head(session: Session, consultation_id: int) -> _Head:
    """Return the log's head, locked for this transaction; create it on the first append."""
    held = session.info.get(LOCK_KEY)
    if held and held[0] is session.get_transaction() and held[1] == consultation_id:
        kept: _Head = held[2]
        return kept
    row = _lock_head(session, consultation_id)
    if row is None:
        # Two first voters may race to create the head: one insert wins, both then lock it.
        _create_head(session, consultation_id)
        row = _lock_head(session, consultation_id)
    tree_size, frontier, status, definition = row
    head = _Head(
        tree_size, [bytes.fromhex(h) for h in frontier.split(",") if h], status, definition
    )
    # Kept for the rest of the transaction: the append that follows needs no second read.
    session.info[LOCK_KEY] = (session.get_transaction(), consultation_id, head)
    return head


def _create_head(session: Session, consultation_id: int) -> None:
    """Create the log's head, empty, unless it exists."""
    session.execute(
        conflict_insert(dialect_of(session), _heads)
        .values(
            consultation_id=consultation_id,
            tree_size=0,
            frontier="",
            root_hash=merkle.EMPTY_ROOT.hex(),
        )
        .on_conflict_do_nothing()
    )


def name_definition(*, session: Session, consultation_id: int, definition: str) -> None:
    """Make ``definition`` (a signed definition's hash) the one every later tree head names."""
    _locked_head(session, consultation_id)
    session.execute(_ADVANCE_HEAD, {"log": consultation_id, "definition": definition})
    session.info.pop(LOCK_KEY, None)  # read the head afresh on the next append


def lock_log(*, session: Session, consultation_id: int) -> str:
    """Lock the consultation's log until the transaction ends, so appends run one at a time.

    Return the consultation's status as read under the lock: counting locks the log too,
    so a cast that finds it still open appends before the count, never after.
    """
    return _locked_head(session, consultation_id).status


def append_leaf(*, session: Session, consultation_id: int, leaf_hash: bytes) -> Appended:
    """Append one leaf hash to the log in O(log n); written, not committed."""
    head = _locked_head(session, consultation_id)
    frontier = merkle.append(head.frontier, head.tree_size, leaf_hash)
    root_hash = merkle.frontier_root(frontier)
    appended = Appended(head.tree_size, head.tree_size + 1, root_hash, head.definition)
    session.execute(
        _ADVANCE_HEAD,
        {
            "log": consultation_id,
            "tree_size": appended.tree_size,
            "frontier": ",".join(h.hex() for h in frontier),
            "root_hash": root_hash.hex(),
        },
    )
    head.tree_size, head.frontier = appended.tree_size, frontier
    return appended


def store_tree_head(*, session: Session, consultation_id: int, head: dict[str, Any]) -> None:
    """Keep a signed tree head (an issued receipt) for publication."""
    session.execute(
        _INSERT_TREE_HEAD,
        {
            "consultation_id": consultation_id,
            "tree_size": head["tree_size"],
            "body": canonical_json(head).decode("utf-8"),
        },
    )


def log_size(*, session: Session, consultation_id: int) -> int:
    """Return the number of leaves in the consultation's log."""
    state = session.get(LogState, consultation_id)
    return state.tree_size if state else 0


def log_root(*, session: Session, consultation_id: int) -> bytes:
    """Return the consultation's current log root (of the empty tree if nothing was cast)."""
    state = session.get(LogState, consultation_id)
    return bytes.fromhex(state.root_hash) if state else merkle.EMPTY_ROOT


def leaf_hashes(*, session: Session, consultation_id: int, tree_size: int) -> list[bytes]:
    """Return the first ``tree_size`` leaf hashes in log order."""
    rows = session.execute(
        select(col(Ballot.leaf_hash))
        .where(col(Ballot.consultation_id) == consultation_id, col(Ballot.leaf_index) < tree_size)
        .order_by(col(Ballot.leaf_index))
    ).scalars()
    return [bytes.fromhex(h) for h in rows]


def broken_commitments(*, session: Session, consultation_id: int, slug: str) -> list[int]:
    """Return the log positions of stored ballots whose salt and content miss their leaf.

    Read in batches (a few thousand ballots held at a time), in log order.
    """
    rows = session.execute(
        select(
            col(Ballot.leaf_index),
            col(Ballot.channel),
            col(Ballot.tracking_code),
            col(Ballot.salt),
            col(Ballot.content),
            col(Ballot.leaf_hash),
        )
        .where(col(Ballot.consultation_id) == consultation_id)
        .order_by(col(Ballot.leaf_index))
        .execution_options(yield_per=2000)
    )
    broken = []
    for index, channel, code, salt, content, leaf in rows:
        if channel == "paper" and code is None and salt is not None:
            entry = paper_ballot_entry(slug, json.loads(content), salt)
        elif channel == "online" and code is not None:
            entry = ballot_entry(slug, code, json.loads(content), salt)
        else:  # a ballot that is neither kind cannot match any leaf
            broken.append(index)
            continue
        if merkle.leaf_hash(entry).hex() != leaf:
            broken.append(index)
    return broken


def _kept_levels(session: Session, consultation_id: int) -> tuple[int, MerkleLevels | None]:
    """Return the log's size and its kept levels, or None where the leaves disagree."""
    state = session.get(LogState, consultation_id)
    if state is None:
        return 0, None
    levels = kept_levels(
        session=session,
        consultation_id=consultation_id,
        tree_size=state.tree_size,
        root_hash=bytes.fromhex(state.root_hash),
    )
    return state.tree_size, levels


def inclusion(
    *, session: Session, consultation_id: int, leaf_index: int, tree_size: int
) -> list[bytes]:
    """Return the inclusion proof of one leaf in the tree of ``tree_size`` leaves."""
    size, levels = _kept_levels(session, consultation_id)
    if not 0 <= leaf_index < tree_size <= size:
        raise ProofError(f"no leaf {leaf_index} in a tree of {tree_size} (log size {size})")
    if levels is not None:
        return levels.inclusion_proof(leaf_index, tree_size)
    hashes = leaf_hashes(session=session, consultation_id=consultation_id, tree_size=tree_size)
    return merkle.inclusion_proof(hashes, leaf_index)


def consistency(*, session: Session, consultation_id: int, first: int, second: int) -> list[bytes]:
    """Return the proof that the tree of ``first`` leaves is a prefix of that of ``second``."""
    size, levels = _kept_levels(session, consultation_id)
    if not 0 < first <= second <= size:
        raise ProofError(f"no trees of {first} and {second} leaves (log size {size})")
    if levels is not None:
        return levels.consistency_proof(first, second)
    hashes = leaf_hashes(session=session, consultation_id=consultation_id, tree_size=second)
    return merkle.consistency_proof(hashes, first)


def tree_heads(
    *, session: Session, consultation_id: int, start: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """Return the signed tree heads by tree size: those of leaves ``start`` to ``start+limit``."""
    query = (
        select(col(TreeHead.body))
        .where(col(TreeHead.consultation_id) == consultation_id, col(TreeHead.tree_size) > start)
        .order_by(col(TreeHead.tree_size))
    )
    if limit is not None:
        query = query.where(col(TreeHead.tree_size) <= start + limit)
    return [json.loads(body) for body in session.execute(query).scalars()]


def tree_head(*, session: Session, consultation_id: int, tree_size: int) -> dict[str, Any] | None:
    """Return the signed tree head of one size, if the server issued it."""
    row = session.get(TreeHead, (consultation_id, tree_size))
    return json.loads(row.body) if row else None


def latest_tree_head(*, session: Session, consultation_id: int) -> dict[str, Any] | None:
    """Return the signed tree head of the largest size the server issued, if any."""
    body = session.execute(
        select(col(TreeHead.body))
        .where(col(TreeHead.consultation_id) == consultation_id)
        .order_by(col(TreeHead.tree_size).desc())
        .limit(1)
    ).scalar_one_or_none()
    return json.loads(body) if body is not None else None


def leaves(
    *,
    session: Session,
    consultation_id: int,
    with_content: bool,
    start: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Return leaves ``start`` to ``start+limit`` in order; contents only when asked for.

    A content comes with its salt, which reveals what the leaf commits to: ask for them
    only once the result is published.
    """
    columns: list[Mapped[Any]] = [
        col(Ballot.leaf_index),
        col(Ballot.channel),
        col(Ballot.tracking_code),
        col(Ballot.leaf_hash),
    ]
    if with_content:
        columns += [col(Ballot.salt), col(Ballot.content)]
    query = (
        select(*columns)
        .where(col(Ballot.consultation_id) == consultation_id, col(Ballot.leaf_index) >= start)
        .order_by(col(Ballot.leaf_index))
    )
    if limit is not None:
        query = query.where(col(Ballot.leaf_index) < start + limit)
    rows = session.execute(query)
    result = []
    for row in rows:
        leaf = {"leaf_index": row[0], "channel": row[1], "tracking_code": row[2]}
        leaf["leaf_hash"] = row[3]
        if with_content:
            leaf["salt"] = row[4]
            leaf["content"] = json.loads(row[5])
        result.append(leaf)
    return result
