"""The log service: appends keep a compact frontier, and the root is what the tally draws from."""

from datetime import UTC, datetime

import pytest

from ballots import merkle
from ballots.log import ProofError, consistency, inclusion, leaf_hashes, log_root, tree_heads
from ballots.models import LogState
from tests.conftest import cast_code

ANSWERS = {"brunnen": "no", "nutzung": None, "projekte": ["licht"]}


def test_appends_keep_the_frontier_and_the_root(session, signer, open_consultation):
    cid = open_consultation.id
    assert log_root(session=session, consultation_id=cid) == merkle.EMPTY_ROOT
    receipts = []
    for code in open_consultation.codes:
        cast = cast_code(
            session, cid, code, signer, ANSWERS, datetime(2027, 3, 2, 9, 30, tzinfo=UTC)
        )
        session.commit()
        receipts.append(cast.receipt)
    hashes = leaf_hashes(session=session, consultation_id=cid, tree_size=5)
    assert [h.hex() for h in hashes] == [r["leaf_hash"] for r in receipts]
    root = log_root(session=session, consultation_id=cid)
    assert root == merkle.root(hashes) == bytes.fromhex(receipts[-1]["root_hash"])
    state = session.get(LogState, cid)
    assert (state.tree_size, len(state.frontier.split(","))) == (5, 2)  # 5 = 4 + 1
    assert tree_heads(session=session, consultation_id=cid) == receipts

    path = inclusion(session=session, consultation_id=cid, leaf_index=2, tree_size=4)
    assert merkle.verify_inclusion(hashes[2], 2, 4, path, merkle.root(hashes[:4]))
    path = consistency(session=session, consultation_id=cid, first=3, second=5)
    assert merkle.verify_consistency(3, 5, merkle.root(hashes[:3]), root, path)
    with pytest.raises(ProofError):
        inclusion(session=session, consultation_id=cid, leaf_index=5, tree_size=6)
    with pytest.raises(ProofError):
        consistency(session=session, consultation_id=cid, first=0, second=5)
