"""Receipt checks and proofs from the levels each process keeps of a log."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from ballots import merkle
from ballots.checking import check_receipt
from ballots.kept_log import kept_levels
from ballots.log import consistency, inclusion, leaf_hashes, log_root
from ballots.models import Ballot
from ballots.receipts import Signer
from tests.conftest import OpenConsultation, cast_code, make_open_consultation

ANSWERS = {"brunnen": "yes", "nutzung": "garten", "projekte": ["licht"]}


def test_checks_and_proofs_follow_the_log_as_it_grows(session, signer):
    consultation = make_open_consultation(session, voters=9)
    cid = consultation.id
    receipts = []
    for size, code in enumerate(consultation.codes, start=1):
        receipts.append(cast_code(session, cid, code, signer, ANSWERS).receipt)
        session.commit()
        # The first receipt, checked again after every vote, names the log as it now stands.
        check = check_receipt(session=session, receipt=receipts[0])
        assert check.included and check.problem is None
        assert check.latest_tree_size == size
        assert check.latest_root_hash == receipts[-1]["root_hash"]
        hashes = leaf_hashes(session=session, consultation_id=cid, tree_size=size)
        assert check.inclusion_proof == [h.hex() for h in merkle.inclusion_proof(hashes, 0)]
        levels = kept_levels(
            session=session,
            consultation_id=cid,
            tree_size=size,
            root_hash=log_root(session=session, consultation_id=cid),
        )
        assert levels is not None and levels.size == size
        for second in range(1, size + 1):
            for index in range(second):
                assert inclusion(
                    session=session, consultation_id=cid, leaf_index=index, tree_size=second
                ) == merkle.inclusion_proof(hashes[:second], index)
            for first in range(1, second + 1):
                assert consistency(
                    session=session, consultation_id=cid, first=first, second=second
                ) == merkle.consistency_proof(hashes[:second], first)
    for receipt in receipts:
        assert check_receipt(session=session, receipt=receipt).included


def test_a_ballot_rolled_back_after_a_check_is_not_kept(session, signer, open_consultation):
    cid = open_consultation.id
    first = cast_code(session, cid, open_consultation.codes[0], signer, ANSWERS).receipt
    session.commit()
    undone = cast_code(session, cid, open_consultation.codes[1], signer, ANSWERS).receipt
    assert check_receipt(session=session, receipt=first).latest_tree_size == 2
    session.rollback()
    kept = cast_code(session, cid, open_consultation.codes[2], signer, ANSWERS).receipt
    session.commit()
    assert kept["leaf_index"] == undone["leaf_index"] == 1
    for receipt in (first, kept):
        check = check_receipt(session=session, receipt=receipt)
        assert check.included and check.latest_tree_size == 2 and check.problem is None


def cast_three(
    session: Session, signer: Signer, consultation: OpenConsultation
) -> list[dict[str, Any]]:
    """Cast and commit the ballots of the first three codes; return their receipts."""
    receipts = []
    for code in consultation.codes[:3]:
        receipts.append(cast_code(session, consultation.id, code, signer, ANSWERS).receipt)
        session.commit()
    return receipts


def forge_leaf_1(session: Session, consultation_id: int) -> None:
    """Change the stored leaf hash of the second ballot, as a tampered database would."""
    session.execute(
        update(Ballot)
        .where(Ballot.consultation_id == consultation_id, Ballot.leaf_index == 1)
        .values(leaf_hash=merkle.leaf_hash(b"forged").hex())
    )
    session.commit()


def test_a_leaf_changed_in_the_database_fails_the_checks_that_pass_it(
    session, signer, open_consultation
):
    cid = open_consultation.id
    receipts = cast_three(session, signer, open_consultation)
    forge_leaf_1(session, cid)
    checks = [check_receipt(session=session, receipt=receipt) for receipt in receipts]
    # The changed leaf is a sibling on the paths of leaves 0 and 2, and leaf 1's own row
    # no longer holds the hash its receipt states.
    assert [check.included for check in checks] == [False, False, False]
    assert all(check.signature_valid for check in checks)
    assert checks[0].problem == "the ballot is not in the log as the receipt states"
    # The public proofs are still those of the leaves as stored, which expose the change.
    hashes = leaf_hashes(session=session, consultation_id=cid, tree_size=3)
    path = inclusion(session=session, consultation_id=cid, leaf_index=0, tree_size=3)
    assert path == merkle.inclusion_proof(hashes, 0)
    assert not merkle.verify_inclusion(
        hashes[0], 0, 3, path, bytes.fromhex(receipts[-1]["root_hash"])
    )


def test_a_ballot_changed_after_its_log_was_kept_fails_its_own_check(
    session, signer, open_consultation
):
    receipts = cast_three(session, signer, open_consultation)
    assert all(check_receipt(session=session, receipt=r).included for r in receipts)  # kept now
    forge_leaf_1(session, open_consultation.id)
    check = check_receipt(session=session, receipt=receipts[1])
    assert not check.included
    assert check.problem == "the ballot is not in the log as the receipt states"
