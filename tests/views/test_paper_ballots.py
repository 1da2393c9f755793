"""Staff key each paper ballot twice after the close; a third person settles a disputed sheet."""

import pytest
from sqlmodel import select

from ballots.models import Ballot, PaperBallotEntry
from tests.conftest import (
    PSEUDONYM_KEY,
    close_voting,
    csrf_token,
    log_in_as,
    make_open_consultation,
    make_staff,
)
from voting.core.models import Consultation, Role
from voting.paper.services import mark_paper_ballot

QUESTIONS = [
    {"key": "brunnen", "text": "Soll der Brunnen saniert werden?", "method": "yes_no"},
    {
        "key": "rang",
        "text": "In welcher Reihenfolge pflanzen?",
        "method": "irv",
        "options": [{"key": k, "label": k.title()} for k in ("ahorn", "birke", "eiche")],
    },
]


def url(slug: str, rest: str = "") -> str:
    return f"/staff/consultations/{slug}/paper/ballots/{rest}"


@pytest.fixture
def closed(session):  # type: ignore[no-untyped-def]
    opened = make_open_consultation(session, voters=3, questions=QUESTIONS)
    consultation = session.get(Consultation, opened.id)
    for code in opened.codes[:2]:  # two polling cards came back by post
        mark_paper_ballot(
            session=session,
            consultation=consultation,
            code=code,
            pseudonym_key=PSEUDONYM_KEY,
            actor="poststelle",
        )
    close_voting(session, consultation)
    session.commit()
    return opened


def key(client, slug, sheet, brunnen="yes", ranks=("ahorn:1", "birke:2", ""), **extra):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, url(slug)), "sheet": str(sheet)}
    data |= {"q_brunnen": brunnen, "q_rang": list(ranks), **extra}
    return client.post(url(slug), data=data)


def test_two_matching_entries_count_the_sheet_without_showing_it(client, session, closed):
    anna, bernd = make_staff(session, "anna"), make_staff(session, "bernd")
    log_in_as(client, anna)
    first = key(client, closed.slug, 7)
    assert first.status_code == 302
    page = client.get(url(closed.slug)).get_data(as_text=True)
    assert "wartet auf die zweite Eingabe" in page
    again = key(client, closed.slug, 7)
    assert again.status_code == 409
    assert "Sie haben dieses Blatt bereits erfasst" in again.get_data(as_text=True)
    log_in_as(client, bernd)
    # The second person sees who keyed the sheet, never what was keyed.
    page = client.get(url(closed.slug)).get_data(as_text=True)
    assert "anna" in page and "Ahorn" not in page.split("Erfasste Blätter")[1]
    key(client, closed.slug, 7)
    follow = client.get(url(closed.slug)).get_data(as_text=True)
    assert "Beide Eingaben von Blatt 7 stimmen überein" in follow
    paper = session.exec(select(Ballot).where(Ballot.channel == "paper")).one()
    assert paper.content == '{"brunnen":"yes","rang":["ahorn","birke"]}'


def test_a_disputed_sheet_is_settled_by_a_third_person_only(client, session, closed):
    anna, bernd, carla = (make_staff(session, name) for name in ("anna", "bernd", "carla"))
    log_in_as(client, anna)
    key(client, closed.slug, 3)
    log_in_as(client, bernd)
    key(client, closed.slug, 3, brunnen="no")
    assert "Die Eingaben von Blatt 3 unterscheiden sich" in client.get(url(closed.slug)).get_data(
        as_text=True
    )
    assert client.get(url(closed.slug, "3/settle")).status_code == 403
    log_in_as(client, carla)
    settle = client.get(url(closed.slug, "3/settle"))
    text = settle.get_data(as_text=True)
    assert settle.status_code == 200 and "Eingabe von anna" in text and "Eingabe von bernd" in text
    data = {
        "csrf_token": csrf_token(client, url(closed.slug, "3/settle")),
        "sheet": "3",
        "q_brunnen": "no",
        "q_rang": ["", "", "eiche:1"],
    }
    assert client.post(url(closed.slug, "3/settle"), data=data).status_code == 302
    entry = session.exec(select(PaperBallotEntry)).one()
    assert (entry.status, entry.settled_by) == ("counted", "carla")


@pytest.mark.parametrize(
    ("sheet", "ranks", "says"),
    [
        (4, ("ahorn:1", "birke:1", ""), "Bitte vergeben Sie jeden Rang nur einmal"),
        ("", ("ahorn:1", "", ""), "Bitte geben Sie die Nummer des Blatts ein"),
        (0, ("ahorn:1", "", ""), "Bitte geben Sie eine Blattnummer ab 1 ein"),
    ],
)
def test_an_impossible_sheet_is_refused_in_german_and_nothing_stored(  # type: ignore[no-untyped-def]
    client, session, closed, sheet, ranks, says
):
    log_in_as(client, make_staff(session, "anna"))
    response = key(client, closed.slug, sheet, ranks=ranks)
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert session.exec(select(PaperBallotEntry)).all() == []


def test_only_editors_key_and_only_after_the_close(client, session):  # type: ignore[no-untyped-def]
    opened = make_open_consultation(session, voters=2, questions=QUESTIONS)
    log_in_as(client, make_staff(session, "anna"))
    early = key(client, opened.slug, 1)
    assert early.status_code == 409 and "nach dem Ende der Abstimmung" in early.get_data(
        as_text=True
    )
    log_in_as(client, make_staff(session, "pruefer", Role.AUDITOR))
    assert client.get(url(opened.slug)).status_code == 200
    token = csrf_token(client, "/staff/")
    assert (
        client.post(url(opened.slug), data={"csrf_token": token, "sheet": "1"}).status_code == 403
    )
    assert session.exec(select(PaperBallotEntry)).all() == []
