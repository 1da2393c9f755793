"""A verified resident votes by register reference; one vote per person across channels."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from ballots.casting import RegisterReference, cast_ballot
from ballots.definition import find_definition
from ballots.models import Ballot, Participation
from ballots.refusals import CastRefused
from tests.conftest import cast_code, make_resident

ANSWERS = {"brunnen": "yes", "nutzung": "garten", "projekte": []}
NOW = datetime(2026, 11, 24, 13, 47, tzinfo=UTC)


def cast_as(session, consultation, account, signer):  # type: ignore[no-untyped-def]
    return cast_ballot(
        session=session,
        consultation=find_definition(session=session, consultation_id=consultation.id),
        credential=RegisterReference(account.register_ref),
        answers=ANSWERS,
        pseudonym_key="",
        signer=signer,
        now=NOW,
    )


def test_resident_votes_without_a_code_and_the_polling_card_is_then_used(
    session, open_consultation, signer
):
    resident = make_resident(session, person_id="P00000")  # codes[0] is this person's card
    cast = cast_as(session, open_consultation, resident, signer)
    session.commit()
    assert session.exec(select(Ballot.tracking_code)).one() == cast.tracking_code
    with pytest.raises(CastRefused) as refused:
        cast_code(session, open_consultation.id, open_consultation.codes[0], signer, ANSWERS, NOW)
    assert refused.value.reason == "already_voted"


def test_resident_whose_card_voted_cannot_vote_again(session, open_consultation, signer):
    resident = make_resident(session, person_id="P00001")
    cast_code(session, open_consultation.id, open_consultation.codes[1], signer, ANSWERS, NOW)
    session.commit()
    with pytest.raises(CastRefused) as refused:
        cast_as(session, open_consultation, resident, signer)
    assert refused.value.reason == "already_voted"


def test_residents_outside_the_electorate_are_refused(session, open_consultation, signer):
    outsider = make_resident(session, person_id="Z99999")
    with pytest.raises(CastRefused) as refused:
        cast_as(session, open_consultation, outsider, signer)
    assert refused.value.reason == "not_in_electorate"
    session.rollback()
    assert session.exec(select(Participation)).all() == []
