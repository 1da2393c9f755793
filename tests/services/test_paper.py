"""The paper channel: returned cards share the participation mark; counts need two people."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from ballots.models import PaperMark, Participation
from ballots.refusals import CastRefused
from buergervotum_verifier import verify_bundle
from results.bundle import build_bundle
from results.models import PaperCount
from results.paper import paper_section
from results.services import publish_result, published_result, tally_consultation
from tests.conftest import PSEUDONYM_KEY, cast_code, close_voting, second_reader
from voting.core.codes import generate_code
from voting.core.models import AuditEvent, Consultation, utcnow
from voting.electorate.retention import delete_electorate
from voting.paper.services import (
    PaperError,
    discard_paper_count,
    enter_paper_count,
    mark_paper_ballot,
)

NOW = datetime(2026, 11, 24, 13, 47, tzinfo=UTC)
ANSWERS = {"brunnen": "yes", "nutzung": "garten", "projekte": ["baeume"]}
# Two paper ballots in the district Innenstadt: figures of each question.
BRUNNEN = {"yes": 0, "no": 1, "abstain": 0, "blank": 0, "invalid": 1}
NUTZUNG = {"garten": 0, "spielplatz": 2, "parken": 0, "blank": 0, "invalid": 0}
PROJEKTE = {"baeume": 1, "baenke": 1, "licht": 0, "voted": 1, "blank": 1, "invalid": 0}


def consultation_of(session, open_consultation) -> Consultation:  # type: ignore[no-untyped-def]
    return session.get(Consultation, open_consultation.id)


def mark(session, consultation, code):  # type: ignore[no-untyped-def]
    mark_paper_ballot(
        session=session,
        consultation=consultation,
        code=code,
        pseudonym_key=PSEUDONYM_KEY,
        actor="a",
    )
    session.commit()


def vote_online(session, consultation, code, signer):  # type: ignore[no-untyped-def]
    cast_code(session, consultation.id, code, signer, ANSWERS)
    session.commit()


def enter(session, consultation, question, figures, actor, district="Innenstadt"):  # type: ignore[no-untyped-def]
    entry = enter_paper_count(
        session=session,
        consultation=consultation,
        district=district,
        question_key=question,
        figures=figures,
        actor=actor,
        now=NOW,
    )
    session.commit()
    return entry


def closed_with_paper(session, open_consultation, signer):  # type: ignore[no-untyped-def]
    """One online vote, two paper ballots, closed."""
    consultation = consultation_of(session, open_consultation)
    vote_online(session, consultation, open_consultation.codes[0], signer)
    mark(session, consultation, open_consultation.codes[1])
    mark(session, consultation, open_consultation.codes[2])
    close_voting(session, consultation, "a")
    session.commit()
    return consultation


def test_a_paper_ballot_sets_the_mark_and_the_card_cannot_vote_online(
    session, open_consultation, signer
):
    consultation = consultation_of(session, open_consultation)
    mark(session, consultation, open_consultation.codes[0].lower())
    assert len(session.exec(select(Participation)).all()) == 1
    assert len(session.exec(select(PaperMark)).all()) == 1
    with pytest.raises(CastRefused) as refused:
        vote_online(session, consultation, open_consultation.codes[0], signer)
    assert refused.value.reason == "already_voted"


def test_a_card_that_voted_online_makes_its_paper_ballot_invalid(
    session, open_consultation, signer
):
    consultation = consultation_of(session, open_consultation)
    vote_online(session, consultation, open_consultation.codes[0], signer)
    with pytest.raises(PaperError) as refused:
        mark(session, consultation, open_consultation.codes[0])
    assert refused.value.reason == "voted_online"
    session.rollback()
    assert session.exec(select(PaperMark)).all() == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [("K7QM", "code_format"), (None, "unknown_code"), ("typo", "code_typo")],
)
def test_bad_codes_are_refused(session, open_consultation, code, reason):
    consultation = consultation_of(session, open_consultation)
    if code is None:
        code = generate_code()
    elif code == "typo":
        good = open_consultation.codes[0]
        code = good[:-1] + ("A" if good[-1] != "A" else "B")
    with pytest.raises(CastRefused) as refused:
        mark(session, consultation, code)
    assert refused.value.reason == reason


def test_the_same_card_is_registered_once(session, open_consultation):
    consultation = consultation_of(session, open_consultation)
    mark(session, consultation, open_consultation.codes[0])
    with pytest.raises(PaperError) as refused:
        mark(session, consultation, open_consultation.codes[0])
    assert refused.value.reason == "already_on_paper"


def test_counts_count_once_a_second_person_enters_the_same_figures(
    session, open_consultation, signer
):
    consultation = closed_with_paper(session, open_consultation, signer)
    first = enter(session, consultation, "brunnen", BRUNNEN, "anna")
    assert first.confirmed_by is None
    with pytest.raises(PaperError) as same:
        enter(session, consultation, "brunnen", BRUNNEN, "anna")
    assert same.value.reason == "same_person"
    session.rollback()
    wrong = {**BRUNNEN, "no": 0, "abstain": 1}
    with pytest.raises(PaperError) as mismatch:
        enter(session, consultation, "brunnen", wrong, "bernd")
    assert mismatch.value.reason == "mismatch" and mismatch.value.fields == ["no", "abstain"]
    session.rollback()
    stored = session.exec(select(PaperCount)).one()
    assert stored.figures == BRUNNEN and stored.confirmed_by is None
    confirmed = enter(session, consultation, "brunnen", BRUNNEN, "bernd")
    assert confirmed.confirmed_by == "bernd"
    with pytest.raises(PaperError) as again:
        enter(session, consultation, "brunnen", BRUNNEN, "carla")
    assert again.value.reason == "already_confirmed"
    actions = [
        e.action for e in session.exec(select(AuditEvent).where(AuditEvent.action.like("paper.%")))
    ]
    assert actions == ["paper.count_entered", "paper.count_confirmed"]


@pytest.mark.parametrize(
    ("question", "figures", "reason"),
    [
        ("brunnen", {**BRUNNEN, "invalid": 0}, "total_mismatch"),  # 1 ballot, 2 accepted
        ("brunnen", {**BRUNNEN, "no": -1, "invalid": 3}, "bad_figures"),
        ("brunnen", {"yes": 2}, "bad_figures"),
        ("projekte", {**PROJEKTE, "baeume": 2}, "bad_figures"),  # more marks than ballots
        ("gibtsnicht", BRUNNEN, "unknown_question"),
    ],
)
def test_implausible_counts_are_refused(
    session, open_consultation, question, figures, reason, signer
):
    consultation = closed_with_paper(session, open_consultation, signer)
    with pytest.raises(PaperError) as refused:
        enter(session, consultation, question, figures, "anna")
    assert refused.value.reason == reason
    if reason == "total_mismatch":
        assert refused.value.expected == 2


def test_counts_wait_for_the_close_and_districts_must_exist(session, open_consultation):
    consultation = consultation_of(session, open_consultation)
    mark(session, consultation, open_consultation.codes[1])
    with pytest.raises(PaperError) as early:
        enter(session, consultation, "brunnen", BRUNNEN, "anna")
    assert early.value.reason == "not_counting"
    close_voting(session, consultation, "a")
    with pytest.raises(PaperError) as nowhere:
        enter(session, consultation, "brunnen", BRUNNEN, "anna", district="Mars")
    assert nowhere.value.reason == "unknown_district"


def test_a_discarded_count_can_be_entered_anew(session, open_consultation, signer):
    consultation = closed_with_paper(session, open_consultation, signer)
    entry = enter(session, consultation, "brunnen", BRUNNEN, "anna")
    discard_paper_count(
        session=session, consultation=consultation, count_id=entry.id, actor="bernd"
    )
    session.commit()
    assert session.exec(select(PaperCount)).all() == []
    assert enter(session, consultation, "brunnen", BRUNNEN, "bernd").entered_by == "bernd"


def test_tally_accepts_paper_marks_and_the_result_combines_both_channels(
    session, open_consultation, signer
):
    consultation = closed_with_paper(session, open_consultation, signer)
    for question, figures in (("brunnen", BRUNNEN), ("nutzung", NUTZUNG), ("projekte", PROJEKTE)):
        enter(session, consultation, question, figures, "anna")
        if question != "projekte":
            enter(session, consultation, question, figures, "bernd")
    pending = session.exec(select(PaperCount).where(PaperCount.question_key == "projekte")).one()
    second_reader(session, "bernd")
    result = tally_consultation(session=session, consultation=consultation, actor="anna")
    turnout = result.data["turnout"]
    assert (turnout["eligible"], turnout["ballots"]) == (5, 1)
    publish_result(session=session, consultation=consultation, actor="bernd")
    session.commit()
    paper = paper_section(session=session, consultation=consultation, data=result.data)
    assert paper["turnout"] == {"eligible": 5, "online": 1, "paper": 2, "combined": 3}
    brunnen, nutzung, projekte = paper["questions"]
    # Online yes 1; paper no 1 (one invalid): a tie, which counts as answered "no".
    assert brunnen["combined"]["details"]["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert brunnen["combined"]["details"]["decision"] == "rejected"
    # Online garten 1; paper spielplatz 2: the playground wins combined.
    assert nutzung["combined"]["winners"] == ["spielplatz"]
    # Projects were entered once only: not confirmed, so not combined and not in the protocol.
    assert not projekte["complete"] and "combined" not in projekte
    assert {(e["question"], e["district"]) for e in paper["protocol"]} == {
        ("brunnen", "Innenstadt"),
        ("nutzung", "Innenstadt"),
    }
    # Published: the protocol is final.
    with pytest.raises(PaperError) as locked:
        discard_paper_count(
            session=session, consultation=consultation, count_id=pending.id, actor="b"
        )
    assert locked.value.reason == "not_counting"


def test_approval_counts_combine_ballots_with_any_mark(session, open_consultation, signer):
    consultation = closed_with_paper(session, open_consultation, signer)
    for actor in ("anna", "bernd"):
        enter(session, consultation, "projekte", PROJEKTE, actor)
    result = tally_consultation(session=session, consultation=consultation, actor="anna")
    paper = paper_section(session=session, consultation=consultation, data=result.data)
    projekte = paper["questions"][2]["combined"]
    assert projekte["details"]["counts"] == {"baeume": 2, "baenke": 1, "licht": 0}
    assert projekte["details"]["ballots"] == 2 and projekte["winners"] == ["baeume"]


def published_with_paper(session, open_consultation, signer) -> Consultation:  # type: ignore[no-untyped-def]
    """One online vote and two paper ballots, counted and published; projects not confirmed."""
    consultation = closed_with_paper(session, open_consultation, signer)
    for question, figures in (("brunnen", BRUNNEN), ("nutzung", NUTZUNG), ("projekte", PROJEKTE)):
        for actor in ("anna", "bernd") if question != "projekte" else ("anna",):
            enter(session, consultation, question, figures, actor)
    second_reader(session, "bernd")
    tally_consultation(session=session, consultation=consultation, actor="anna")
    publish_result(session=session, consultation=consultation, actor="bernd")
    session.commit()
    return consultation


def test_the_bundle_of_a_consultation_with_paper_ballots_verifies(
    session, open_consultation, signer
):
    consultation = published_with_paper(session, open_consultation, signer)
    bundle = build_bundle(session=session, consultation=consultation)
    # Only the online mark has a ballot in the log; the paper marks are counted apart.
    assert bundle["turnout"] == {"eligible": 5, "participation_marks": 1, "paper_marks": 2}
    assert verify_bundle(bundle).ballots == 1


def test_deleting_an_electorate_with_paper_marks_keeps_the_figures_and_the_bundle(
    session, open_consultation, signer
):
    consultation = published_with_paper(session, open_consultation, signer)
    before = paper_section(
        session=session,
        consultation=consultation,
        data=published_result(session=session, consultation=consultation).data,
    )
    deletion = delete_electorate(
        session=session,
        consultation=consultation,
        actor="anna",
        retention_days=30,
        now=utcnow() + timedelta(days=31),
    )
    session.commit()
    assert (deletion.voters, deletion.marks, deletion.paper_marks) == (5, 3, 2)
    assert session.exec(select(PaperMark)).all() == []
    assert (consultation.voted_count, consultation.paper_count) == (3, 2)
    bundle = build_bundle(session=session, consultation=consultation)
    assert bundle["turnout"] == {"eligible": 5, "participation_marks": 1, "paper_marks": 2}
    assert verify_bundle(bundle).ballots == 1
    after = paper_section(
        session=session,
        consultation=consultation,
        data=published_result(session=session, consultation=consultation).data,
    )
    # The paper figures are published as before: which questions are combined, too.
    assert after == before and after["turnout"]["combined"] == 3
    assert [q["complete"] for q in after["questions"]] == [True, True, False]
