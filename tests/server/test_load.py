"""Nothing lost, nobody twice: real requests against gunicorn, on SQLite and PostgreSQL."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from ballots import merkle
from ballots.log import tree_head
from ballots.models import Ballot, LogState, Participation, TreeHead
from tests.conftest import make_open_consultation
from tests.server.conftest import open_voting

SAME_CODE = 64
VOTERS = 500


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.execute(select(func.count()).select_from(model)).scalar()


def test_racing_requests_and_500_voters_through_gunicorn(server, session):
    consultation = make_open_consultation(session, voters=VOTERS + 1)
    server.start()
    voting = open_voting(server, consultation.slug)
    with ThreadPoolExecutor(32) as pool:
        racers = list(pool.map(voting.vote, [consultation.codes[0]] * SAME_CODE))
    assert sorted(status for status, _, _ in racers) == [200] + [409] * (SAME_CODE - 1)
    refusals = [page for status, _, page in racers if status == 409]
    assert all("Mit diesem Code wurde bereits abgestimmt" in page for page in refusals)

    started = time.perf_counter()
    with ThreadPoolExecutor(32) as pool:
        voters = list(pool.map(voting.vote, consultation.codes[1:]))
    elapsed = time.perf_counter() - started
    assert [status for status, _, _ in voters] == [200] * VOTERS, elapsed
    receipts = [r for _, r, _ in racers + voters if r is not None]
    assert len(receipts) == VOTERS + 1

    log = server.json(f"/api/v1/consultations/{consultation.slug}/log")
    assert log["tree_size"] == VOTERS + 1
    assert [leaf["leaf_index"] for leaf in log["leaves"]] == list(range(VOTERS + 1))
    assert sorted(r["leaf_index"] for r in receipts) == list(range(VOTERS + 1))
    final = bytes.fromhex(log["root_hash"])
    hashes = [bytes.fromhex(leaf["leaf_hash"]) for leaf in log["leaves"]]
    assert merkle.root(hashes) == final
    size = log["tree_size"]
    for receipt in receipts:
        index, leaf = receipt["leaf_index"], bytes.fromhex(receipt["leaf_hash"])
        proof = merkle.inclusion_proof(hashes, index)
        assert merkle.verify_inclusion(leaf, index, size, proof, final)
        # The receipt's own tree is the log's prefix of its size: nothing was rewritten.
        assert receipt["root_hash"] == merkle.root(hashes[: receipt["tree_size"]]).hex()
    # The server hands out the same proofs.
    proof_url = f"/api/v1/consultations/{consultation.slug}/log/proof"
    for receipt in receipts[::50]:
        index = receipt["leaf_index"]
        served = server.json(f"{proof_url}?leaf_index={index}&tree_size={size}")["proof"]
        assert served == [h.hex() for h in merkle.inclusion_proof(hashes, index)]
    assert count(session, Ballot) == count(session, Participation) == VOTERS + 1


def test_a_killed_server_loses_no_acknowledged_vote(server, session):
    voters = 120
    consultation = make_open_consultation(session, voters=voters)
    server.start()
    voting = open_voting(server, consultation.slug)
    receipts: list[dict] = []
    enough = threading.Event()

    def vote(code: str) -> None:
        try:
            status, receipt, _page = voting.vote(code)
        except OSError:
            return  # the server died under this request: no receipt, so no promise
        if status == 200 and receipt is not None:
            receipts.append(receipt)
            if len(receipts) >= 30:
                enough.set()

    with ThreadPoolExecutor(24) as pool:
        for code in consultation.codes:
            pool.submit(vote, code)
        assert enough.wait(60)
        server.kill()  # SIGKILL to master and workers, mid-load
    assert 30 <= len(receipts) < voters

    server.start()
    for receipt in receipts:
        status, _headers, body = server.request(
            "POST",
            "/api/v1/receipts/verify",
            json.dumps(receipt).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200 and b'"included":true' in body.replace(b" ", b""), body
    session.expire_all()
    ballots, marks = count(session, Ballot), count(session, Participation)
    assert ballots == marks >= len(receipts)
    state = session.get(LogState, consultation.id)
    indices = session.execute(select(Ballot.leaf_index).order_by(Ballot.leaf_index)).scalars()
    assert list(indices) == list(range(ballots)) and state.tree_size == ballots
    leaves = session.execute(select(Ballot.leaf_hash).order_by(Ballot.leaf_index)).scalars()
    assert state.root_hash == merkle.root([bytes.fromhex(h) for h in leaves]).hex()
    # One transaction holds a ballot and its tree head: a kill leaves both or neither.
    assert count(session, TreeHead) == ballots
    for receipt in receipts:
        assert (
            tree_head(
                session=session, consultation_id=consultation.id, tree_size=receipt["tree_size"]
            )
            == receipt
        )
    # Voting goes on after the restart, appending where the log stopped.
    status, receipt, _page = voting.vote(consultation.codes[-1])
    if status == 200:
        assert receipt["leaf_index"] == ballots
    else:
        assert status == 409  # this voter's ballot had gone in before the kill
