"""Residents sign up, confirm by mail, log in apart from staff, verify and vote by account."""

import logging
import re

from sqlmodel import select

from ballots.models import Participation
from tests.conftest import (
    PASSWORD,
    csrf_token,
    log_in_as,
    login_resident,
    make_resident,
    make_staff,
)
from tests.views.test_voting import GOOD_ANSWERS, vote
from voting.core.codes import generate_code
from voting.core.models import Role
from voting.residents.models import ResidentAccount


def sign_up(client, email="erika@example.org", password=PASSWORD, again=None):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/residents/register")
    return client.post(
        "/residents/register",
        data={
            "csrf_token": token,
            "email": email,
            "password": password,
            "password_again": password if again is None else again,
        },
    )


def mails(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.getMessage() for r in caplog.records if r.name == "voting.web.mail"]


def confirmation_link(caplog) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"http://[^/\s]+(/residents/confirm/\S+)", mails(caplog)[-1])
    assert match, mails(caplog)
    return match.group(1)


def test_sign_up_confirm_and_log_in(client, session, caplog):
    caplog.set_level(logging.INFO, logger="voting.web.mail")
    response = sign_up(client)
    assert response.status_code == 302 and response.headers["Location"] == "/residents/registered"
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in mails(caplog)[-1]
    assert "Bitte sehen Sie in Ihr Postfach" in client.get("/residents/registered").get_data(
        as_text=True
    )
    # Before confirming, login is refused and a new link is sent.
    token = csrf_token(client, "/residents/login")
    early = client.post(
        "/residents/login",
        data={"csrf_token": token, "email": "erika@example.org", "password": PASSWORD},
    )
    assert early.status_code == 403 and len(mails(caplog)) == 2
    confirmed = client.get(confirmation_link(caplog))
    assert confirmed.status_code == 302
    login_resident(client)
    page = client.get("/residents/account").get_data(as_text=True)
    assert "erika@example.org" in page and "noch nicht bestätigt" in page
    assert client.get("/residents/confirm/not-a-token").status_code == 400


def test_sign_up_with_a_known_address_tells_only_the_owner(client, session, caplog):
    make_resident(session)
    caplog.set_level(logging.INFO, logger="voting.web.mail")
    response = sign_up(client, "Erika@example.org")
    assert response.headers["Location"] == "/residents/registered"
    assert "bereits ein Konto" in mails(caplog)[-1]
    assert len(session.exec(select(ResidentAccount)).all()) == 1


BAD_SIGN_UPS = [
    ("", PASSWORD, None, "Bitte geben Sie Ihre E-Mail-Adresse ein."),
    ("keine-adresse", PASSWORD, None, "Das ist keine E-Mail-Adresse."),
    ("erika@example.org", "kurz", None, "mindestens 12 Zeichen"),
    ("erika@example.org", PASSWORD, "anders anders anders", "Die beiden Passwörter"),
]


def test_bad_sign_ups_say_what_is_wrong(client, session):
    for email, password, again, message in BAD_SIGN_UPS:
        response = sign_up(client, email, password, again)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True)
    assert session.exec(select(ResidentAccount)).all() == []


def test_forms_without_csrf_token_are_refused(client, session):
    make_resident(session)
    for url, data in [
        (
            "/residents/register",
            {"email": "a@example.org", "password": PASSWORD, "password_again": PASSWORD},
        ),
        ("/residents/login", {"email": "erika@example.org", "password": PASSWORD}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "nicht über diese Website gesendet" in response.get_data(as_text=True)
    assert client.get("/residents/account").status_code == 302  # not logged in
    login_resident(client)
    assert client.post("/residents/verify", data={"code": "X"}).status_code == 400
    assert client.post("/residents/logout").status_code == 400


def test_wrong_password_is_refused(client, session):
    make_resident(session)
    token = csrf_token(client, "/residents/login")
    response = client.post(
        "/residents/login",
        data={"csrf_token": token, "email": "erika@example.org", "password": "falsch falsch!"},
    )
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)


def test_residents_are_kept_out_of_the_staff_area_and_staff_log_in_unchanged(client, session, auth):
    make_resident(session)
    login_resident(client)
    assert client.get("/staff/").status_code == 403
    assert "Verwaltungsbereich" not in client.get("/").get_data(as_text=True)
    auth.login()
    assert client.get("/staff/").status_code == 200
    assert client.get("/residents/account").status_code == 302  # a staff member is no resident


def issue_code(client, auth, person_id="P00000"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/staff/residency-codes")
    response = client.post(
        "/staff/residency-codes", data={"csrf_token": token, "person_id": person_id}
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return re.search(r'class="tracking-code">([A-Z0-9-]+)<', response.get_data(as_text=True)).group(
        1
    )


def test_staff_issue_a_letter_code_and_the_resident_verifies_with_it(
    client, session, auth, open_consultation
):
    auth.login()
    assert (
        client.post(
            "/staff/residency-codes",
            data={"csrf_token": csrf_token(client, "/staff/residency-codes")},
        ).status_code
        == 400
    )
    code = issue_code(client, auth)
    log_in_as(client, make_resident(session, person_id=None))
    url = "/residents/verify"
    for wrong, status, message in [
        ("", 400, "Bitte geben Sie den Code aus Ihrem Brief ein."),
        ("K7QM", 400, "Das ist kein Briefcode"),
        (code[:-1] + ("A" if code[-1] != "A" else "B"), 400, "Tippfehler"),
        (generate_code(), 403, "nicht gültig"),
    ]:
        response = client.post(url, data={"csrf_token": csrf_token(client, url), "code": wrong})
        assert response.status_code == status, wrong
        assert message in response.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "code": code})
    assert response.status_code == 302
    assert "bestätigt am" in client.get("/residents/account").get_data(as_text=True)


def test_auditors_cannot_issue_letter_codes(client, session):
    log_in_as(client, make_staff(session, "pruefer", Role.AUDITOR))
    assert client.get("/staff/residency-codes").status_code == 403


def account_vote(client, slug, **answers):  # type: ignore[no-untyped-def]
    url = f"/consultations/{slug}/vote/account"
    return client.post(
        url, data={"csrf_token": csrf_token(client, url), **(answers or GOOD_ANSWERS)}
    )


def test_verified_resident_votes_without_a_code_once_across_channels(
    client, session, open_consultation
):
    resident = make_resident(session, person_id="P00000")
    slug = open_consultation.slug
    assert client.get(f"/consultations/{slug}/vote/account").status_code == 302  # login first
    log_in_as(client, resident)
    assert "/vote/account" in client.get(f"/consultations/{slug}").get_data(as_text=True)
    response = account_vote(client, slug)
    assert response.status_code == 200 and "tracking_code" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    again = account_vote(client, slug)
    assert again.status_code == 409 and "bereits abgestimmt" in again.get_data(as_text=True)
    # The polling card of the same person is used up too.
    assert vote(client, open_consultation, open_consultation.codes[0]).status_code == 409
    assert len(session.exec(select(Participation)).all()) == 1


def test_resident_vote_errors(client, session, open_consultation):
    log_in_as(client, make_resident(session, person_id="Z99999"))  # not in this electorate
    slug = open_consultation.slug
    outside = account_vote(client, slug)
    assert outside.status_code == 403 and "nicht im Abstimmungsverzeichnis" in outside.get_data(
        as_text=True
    )
    url = f"/consultations/{slug}/vote/account"
    assert client.post(url, data=GOOD_ANSWERS).status_code == 400  # no CSRF token
    assert session.exec(select(Participation)).all() == []


def test_unverified_residents_are_sent_to_verification(client, session, open_consultation):
    log_in_as(client, make_resident(session, person_id=None))
    response = client.get(f"/consultations/{open_consultation.slug}/vote/account")
    assert response.status_code == 302 and response.headers["Location"] == "/residents/verify"


def test_mails_are_written_in_the_language_chosen_at_sign_up(client, caplog):
    caplog.set_level(logging.INFO, logger="voting.web.mail")
    client.get("/language/en")
    sign_up(client, "jane@example.org")
    assert "Subject: Please confirm your e-mail address" in mails(caplog)[-1]


def test_login_goes_on_only_to_an_address_of_this_site(app, session):
    make_resident(session)
    for target, expected in (
        ("/proposals", "/proposals"),
        ("//evil.example/x", "/residents/account"),
        ("/\\evil.example", "/residents/account"),
        ("https://evil.example/", "/residents/account"),
    ):
        client = app.test_client()  # logged out for each address
        response = client.post(
            f"/residents/login?next={target}",
            data={
                "csrf_token": csrf_token(client, "/residents/login"),
                "email": "erika@example.org",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
