"""Paper ballots keyed twice after the close join the public log and are counted and verified."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select

from ballots.definition import find_definition
from ballots.log import log_size
from ballots.models import Ballot, PaperBallotEntry
from ballots.paper_ballots import COUNTED, DISPUTED, WAITING
from ballots.receipts import Signer
from ballots.signed_steps import Signing, take_step
from buergervotum_verifier import verify_bundle
from results.bundle import build_bundle
from results.services import publish_result, tally_consultation
from tests.conftest import PSEUDONYM_KEY, SIGNER, cast_code, make_open_consultation, make_staff
from voting.core.lifecycle import PaperEntryIncompleteError, request_early_close
from voting.core.models import AuditEvent, Consultation, utcnow
from voting.paper.ballot_entry import (
    EntryRefused,
    PaperBallot,
    key_paper_ballot,
    settle_paper_ballot,
)
from voting.paper.services import mark_paper_ballot

QUESTIONS = [
    {"key": "brunnen", "text": "Brunnen?", "method": "yes_no"},
    {
        "key": "rang",
        "text": "Reihenfolge?",
        "method": "irv",
        "options": [{"key": k, "label": k.title()} for k in ("ahorn", "birke", "eiche")],
    },
]
YES_AHORN = {"brunnen": "yes", "rang": ["ahorn", "birke"]}
NO_EICHE = {"brunnen": "no", "rang": ["eiche"]}


@pytest.fixture
def closed(session, signer):  # type: ignore[no-untyped-def]
    """A closed consultation: one vote online, three polling cards back by post."""
    opened = make_open_consultation(session, voters=5, questions=QUESTIONS)
    cast_code(session, opened.id, opened.codes[0], signer, NO_EICHE)
    consultation = session.get(Consultation, opened.id)
    for code in opened.codes[1:4]:
        mark_paper_ballot(
            session=session,
            consultation=consultation,
            code=code,
            pseudonym_key=PSEUDONYM_KEY,
            actor="poststelle",
        )
    # Closed now, a week early, by two people: paper ballots are keyed and sealed after it.
    for name in ("anna", "bernd"):
        make_staff(session, name)
    request_early_close(
        session=session, consultation=consultation, actor="anna", reason="Test", now=utcnow()
    )
    take_step(
        session=session,
        consultation=consultation,
        action="close",
        actor="bernd",
        signing=Signing(SIGNER, 10),
        now=utcnow(),
    )
    session.commit()
    return find_definition(session=session, consultation_id=opened.id)


def key(session, consultation, sheet, answers, actor, invalid=False):  # type: ignore[no-untyped-def]
    return key_paper_ballot(
        session=session,
        consultation=consultation,
        ballot=PaperBallot(sheet, answers, invalid),
        actor=actor,
        signer=SIGNER,
        now=utcnow(),
    )


def test_a_sheet_counts_once_two_people_keyed_it_alike(session, closed):
    assert key(session, closed, 1, YES_AHORN, "anna") == WAITING
    assert log_size(session=session, consultation_id=closed.id) == 1  # the online ballot
    with pytest.raises(EntryRefused) as twice:
        key(session, closed, 1, YES_AHORN, "anna")
    assert twice.value.reason == "same_person"
    assert key(session, closed, 1, YES_AHORN, "bernd") == COUNTED
    paper = session.exec(select(Ballot).where(Ballot.channel == "paper")).one()
    assert (paper.tracking_code, paper.leaf_index, paper.district) == (None, 1, "")
    # The audit log says who keyed which sheet and whether it matched, never what it held.
    events = session.exec(select(AuditEvent).where(AuditEvent.action.like("paper_ballot.%")))
    details = [(e.actor, e.action, e.details) for e in events]
    assert details == [
        ("anna", "paper_ballot.keyed", {"sheet": 1, "entry": "first"}),
        ("bernd", "paper_ballot.agreed", {"sheet": 1, "entry": "second"}),
    ]


def test_a_disputed_sheet_is_settled_by_a_third_person(session, closed):
    key(session, closed, 2, YES_AHORN, "anna")
    assert key(session, closed, 2, NO_EICHE, "bernd") == DISPUTED
    assert log_size(session=session, consultation_id=closed.id) == 1
    for who in ("anna", "bernd"):
        with pytest.raises(EntryRefused) as keyed:
            settle_paper_ballot(
                session=session,
                consultation=closed,
                ballot=PaperBallot(2, NO_EICHE),
                actor=who,
                signer=SIGNER,
                now=utcnow(),
            )
        assert keyed.value.reason == "keyed_before"
    settle_paper_ballot(
        session=session,
        consultation=closed,
        ballot=PaperBallot(2, NO_EICHE),
        actor="carla",
        signer=SIGNER,
        now=utcnow(),
    )
    entry = session.exec(select(PaperBallotEntry)).one()
    assert (entry.status, entry.settled_by, entry.leaf_index) == (COUNTED, "carla", 1)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [({"rang": ["ahorn", "ahorn"]}, "ballot_invalid"), ({"wetter": "yes"}, "ballot_invalid")],
)
def test_an_impossible_sheet_is_refused_and_nothing_is_stored(session, closed, answers, reason):  # type: ignore[no-untyped-def]
    with pytest.raises(EntryRefused) as refused:
        key(session, closed, 3, answers, "anna")
    assert refused.value.reason == reason
    assert session.exec(select(PaperBallotEntry)).all() == []


def test_no_sheet_is_keyed_before_the_close(session, signer):  # type: ignore[no-untyped-def]
    opened = make_open_consultation(session, voters=2, questions=QUESTIONS)
    consultation = find_definition(session=session, consultation_id=opened.id)
    with pytest.raises(EntryRefused) as early:
        key(session, consultation, 1, YES_AHORN, "anna")
    assert early.value.reason == "not_counting"


def test_keyed_paper_ballots_are_counted_sealed_and_verified(client, session, closed):
    key(session, closed, 1, YES_AHORN, "anna")
    key(session, closed, 2, YES_AHORN, "anna")
    key(session, closed, 3, {}, "anna", invalid=True)
    session.commit()
    consultation = session.get(Consultation, closed.id)
    signing = Signing(SIGNER, 10)
    # The count waits for every sheet keyed only once.
    with pytest.raises(PaperEntryIncompleteError) as waiting:
        tally_consultation(session=session, consultation=consultation, actor="t", signing=signing)
    assert waiting.value.sheets == [1, 2, 3]
    session.rollback()
    for sheet, answers in ((1, YES_AHORN), (2, YES_AHORN)):
        key(session, closed, sheet, answers, "bernd")
    key(session, closed, 3, {}, "bernd", invalid=True)
    session.commit()
    result = tally_consultation(
        session=session, consultation=consultation, actor="t", signing=signing
    )
    publish_result(session=session, consultation=consultation, actor="bernd")
    session.commit()
    turnout = result.data["turnout"]
    assert (turnout["ballots"], turnout["paper_ballots"], turnout["invalid_paper_ballots"]) == (
        3,
        2,
        1,
    )
    brunnen = result.data["questions"][0]["details"]["counts"]
    assert (brunnen["yes"], brunnen["no"]) == (2, 1)
    bundle = build_bundle(session=session, consultation=consultation)
    assert [leaf["channel"] for leaf in bundle["leaves"]] == ["online", "paper", "paper"]
    assert bundle["paper_seal"]["paper_ballots"] == 2
    assert verify_bundle(bundle).ballots == 3


def test_a_key_rotated_after_the_close_cannot_sign_paper_ballots(session, closed):
    # A verifier refuses a head signed by a key the definition does not name; so does keying.
    other = Signer(Ed25519PrivateKey.from_private_bytes(b"\x02" * 32))
    key(session, closed, 1, YES_AHORN, "anna")
    with pytest.raises(EntryRefused) as rotated:
        key_paper_ballot(
            session=session,
            consultation=closed,
            ballot=PaperBallot(1, YES_AHORN),
            actor="bernd",
            signer=other,
            now=utcnow(),
        )
    assert rotated.value.reason == "key_rotated"


def test_no_more_sheets_than_returned_cards_are_keyed(session, closed):
    for sheet in (1, 2, 3):  # three cards came back by post
        key(session, closed, sheet, YES_AHORN, "anna")
    with pytest.raises(EntryRefused) as fourth:
        key(session, closed, 4, YES_AHORN, "anna")
    assert fourth.value.reason == "more_sheets"
    assert key(session, closed, 3, YES_AHORN, "bernd") == COUNTED  # a known sheet goes on
