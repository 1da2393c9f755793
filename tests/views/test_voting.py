"""A resident votes with the code from the letter and takes home a signed receipt."""

import base64
import json
import re

from sqlalchemy import func, select
from sqlmodel import Session

from ballots.models import Ballot, Participation
from ballots.receipts import b64url_decode, verify_receipt
from tests.conftest import OpenConsultation, csrf_token
from voting.core.codes import generate_code

GOOD_ANSWERS = {"q_brunnen": "yes", "q_nutzung": "garten", "q_projekte": ["baeume", "licht"]}


def vote(client, consultation: OpenConsultation, code: str, **answers):  # type: ignore[no-untyped-def]
    url = f"/consultations/{consultation.slug}/vote"
    data = {"csrf_token": csrf_token(client, url), "code": code, **(answers or GOOD_ANSWERS)}
    return client.post(url, data=data)


def stored(session: Session) -> tuple[int, int]:
    ballots = session.execute(select(func.count()).select_from(Ballot)).scalar()
    marks = session.execute(select(func.count()).select_from(Participation)).scalar()
    return ballots, marks


def receipt_from(page: str) -> dict:
    href = re.search(r'href="data:application/json;base64,([^"]+)"', page).group(1)
    return json.loads(base64.b64decode(href))


def test_resident_finds_the_consultation_and_its_questions(client, open_consultation):
    home = client.get("/").get_data(as_text=True)
    assert "Zukunft des Stadtparks" in home
    page = client.get(f"/consultations/{open_consultation.slug}").get_data(as_text=True)
    assert "Soll der Brunnen saniert werden?" in page
    assert "Gemeinschaftsgarten" in page
    assert f"/consultations/{open_consultation.slug}/vote" in page
    ballot = client.get(f"/consultations/{open_consultation.slug}/vote").get_data(as_text=True)
    assert ballot.count('type="radio"') == 3 + 3  # yes/no/abstain and three options
    assert ballot.count('type="checkbox"') == 3


def test_vote_gives_a_receipt_signed_with_a_published_key(client, session, open_consultation):
    response = vote(client, open_consultation, open_consultation.codes[0])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mit diesem Code" not in page
    receipt = receipt_from(page)
    assert receipt["tracking_code"] in page
    assert receipt["consultation"] == open_consultation.slug
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z", receipt["issued_at"])
    # What was recorded is shown, with the labels the resident chose.
    assert "Gemeinschaftsgarten" in page and "Bäume, Licht" in page
    keys = client.get("/keys.json").get_json()["keys"]
    assert keys[0]["algorithm"] == "Ed25519"
    verify_receipt(receipt, {k["key_id"]: b64url_decode(k["public_key"]) for k in keys})
    assert stored(session) == (1, 1)
    assert response.headers["Cache-Control"] == "no-store"
    # The visitor's cookie is left as the ballot page set it: nothing about the vote in it.
    assert "Set-Cookie" not in response.headers


def test_stored_ballot_holds_canonical_content_and_no_voter(client, session, open_consultation):
    vote(client, open_consultation, open_consultation.codes[0])
    content, district = session.execute(select(Ballot.content, Ballot.district)).one()
    assert content == '{"brunnen":"yes","nutzung":"garten","projekte":["baeume","licht"]}'
    assert district == "Innenstadt"
    assert not {"voter_id", "created_at", "cast_at"} & set(Ballot.__table__.columns.keys())


def test_code_is_accepted_in_lower_case_and_without_dashes(client, open_consultation):
    code = open_consultation.codes[1].replace("-", " ").lower()
    assert vote(client, open_consultation, code).status_code == 200


def test_second_vote_with_the_same_code_is_refused(client, session, open_consultation):
    code = open_consultation.codes[0]
    vote(client, open_consultation, code)
    again = vote(client, open_consultation, code, q_brunnen="no")
    assert again.status_code == 409
    assert "Mit diesem Code wurde bereits abgestimmt." in again.get_data(as_text=True)
    assert stored(session) == (1, 1)
    assert session.execute(select(Ballot.content)).scalar().startswith('{"brunnen":"yes"')


def test_typo_in_code_is_told_apart_from_a_wrong_code(client, session, open_consultation):
    code = open_consultation.codes[0]
    swapped = code[:-2] + ("A" if code[-2] != "A" else "B") + code[-1]
    typo = vote(client, open_consultation, swapped)
    assert typo.status_code == 400
    assert "Tippfehler" in typo.get_data(as_text=True)

    wrong = vote(client, open_consultation, generate_code())
    assert wrong.status_code == 403
    assert "nicht gültig" in wrong.get_data(as_text=True)
    garbage = vote(client, open_consultation, "hello")
    assert garbage.status_code == 400
    assert stored(session) == (0, 0)


def test_invalid_answers_are_refused_and_the_code_stays_unused(client, session, open_consultation):
    code = open_consultation.codes[0]
    too_many = vote(
        client, open_consultation, code, q_brunnen="yes", q_projekte=["baeume", "baenke", "licht"]
    )
    assert too_many.status_code == 400
    assert "höchstens 2" in too_many.get_data(as_text=True)
    unknown = vote(client, open_consultation, code, q_nutzung="schwimmbad")
    assert unknown.status_code == 400
    assert stored(session) == (0, 0)
    assert vote(client, open_consultation, code).status_code == 200


def test_blank_questions_are_recorded_as_blank(client, session, open_consultation):
    response = vote(client, open_consultation, open_consultation.codes[0], q_brunnen="abstain")
    assert response.status_code == 200
    assert "nicht beantwortet" in response.get_data(as_text=True)
    content = session.execute(select(Ballot.content)).scalar()
    assert content == '{"brunnen":"abstain","nutzung":null,"projekte":null}'


def test_form_without_csrf_token_is_refused(client, session, open_consultation):
    response = client.post(
        f"/consultations/{open_consultation.slug}/vote",
        data={"code": open_consultation.codes[0], **GOOD_ANSWERS},
    )
    assert response.status_code == 400
    assert stored(session) == (0, 0)


def test_closed_consultation_accepts_no_votes(client, session, open_consultation):
    from voting.core.models import Consultation

    consultation = session.get(Consultation, open_consultation.id)
    consultation.status = "closed"
    session.add(consultation)
    session.commit()
    url = f"/consultations/{open_consultation.slug}/vote"
    token = csrf_token(client, "/staff/login")  # a closed ballot page has no form
    response = client.post(url, data={"csrf_token": token, "code": open_consultation.codes[0]})
    assert response.status_code == 409
    assert stored(session) == (0, 0)


def test_english_interface_on_request(client, open_consultation):
    client.get("/language/en?next=/")
    page = client.get(f"/consultations/{open_consultation.slug}/vote").get_data(as_text=True)
    assert "Cast vote" in page
    assert '<html lang="en">' in page
    assert client.get("/language/de?next=https://evil.example/").headers["Location"] == "/"


def test_a_consultation_closed_while_open_in_memory_accepts_no_more_votes(
    client, session, open_consultation
):
    from voting.core.models import Consultation

    assert vote(client, open_consultation, open_consultation.codes[0]).status_code == 200
    consultation = session.get(Consultation, open_consultation.id)
    consultation.status = "closed"  # closed by staff; this process last saw it open
    session.add(consultation)
    session.commit()
    # Straight to the ballot, as a form left open in the browser: no page read in between.
    data = {"csrf_token": csrf_token(client, "/staff/login"), "code": open_consultation.codes[1]}
    response = client.post(
        f"/consultations/{open_consultation.slug}/vote", data=data | GOOD_ANSWERS
    )
    assert response.status_code == 409
    assert "keine Stimme abgeben" in response.get_data(as_text=True)
    assert stored(session) == (1, 1)
