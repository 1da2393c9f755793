"""Counting reports how far it is, so staff see progress on long tallies."""

from results.services import tally_consultation
from tests.conftest import cast_code, close_voting, make_open_consultation
from voting.core.models import Consultation


def test_the_tally_reports_every_ballot_of_every_question(session, signer):
    opened = make_open_consultation(session, voters=4)
    for code in opened.codes[:3]:
        cast_code(session, opened.id, code, signer, {"brunnen": "yes"})
        session.commit()
    consultation = session.get(Consultation, opened.id)
    close_voting(session, consultation, "test")
    reports: list[tuple[int, int]] = []
    tally_consultation(
        session=session,
        consultation=consultation,
        actor="test",
        progress=lambda done, total: reports.append((done, total)),
    )
    # Three ballots, three questions: nine answers read, reported at the start and per question.
    assert reports == [(0, 9), (3, 9), (6, 9), (9, 9)]
