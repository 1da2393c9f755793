"""Residents propose and support on the web; staff moderate; the author hears of every change."""

import logging

from sqlmodel import select

from tests.conftest import csrf_token, log_in_as, make_resident, make_staff, spec_data
from tests.services.test_consultations import KNOWN_METHODS
from voting.consultations.services import load_consultation, parse_spec
from voting.core.models import Option, Role, StaffUser
from voting.proposals.models import Proposal, ProposalSupport

GOOD = {
    "title": "Trinkbrunnen am Stiftsplatz",
    "text": "Im Sommer fehlt Wasser.",
    "district": "Innenstadt",
    "cost_estimate": "15.000 €",
}


def log_in(client, user):  # type: ignore[no-untyped-def]
    log_in_as(client, user)
    return user


def editor(session):  # type: ignore[no-untyped-def]
    return session.exec(
        select(StaffUser).where(StaffUser.username == "redaktion")
    ).first() or make_staff(session)


def post(client, url, **data):  # type: ignore[no-untyped-def]
    token_page = data.pop("token_page", url)
    return client.post(url, data={"csrf_token": csrf_token(client, token_page), **data})


def submit(client, **fields):  # type: ignore[no-untyped-def]
    return post(client, "/proposals/new", **{**GOOD, **fields})


def author_mails(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.getMessage() for r in caplog.records if r.name == "voting.web.mail"]


def stored(session) -> Proposal:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    return session.exec(select(Proposal)).one()


def moderate(client, proposal_id, decision, note=""):  # type: ignore[no-untyped-def]
    return post(
        client,
        f"/staff/proposals/{proposal_id}/moderate",
        token_page=f"/staff/proposals/{proposal_id}",
        decision=decision,
        note=note,
    )


def test_resident_submits_staff_publish_and_the_author_is_told(client, session, caplog):
    caplog.set_level(logging.INFO, logger="voting.web.mail")
    log_in(client, make_resident(session))
    response = submit(client)
    assert response.status_code == 302
    proposal = stored(session)
    assert proposal.cost_estimate == 15000 and proposal.status == "submitted"
    assert "eingereicht, wird geprüft" in author_mails(caplog)[-1]
    # Not public before moderation, but the author sees it.
    assert client.get(f"/proposals/{proposal.id}").status_code == 200
    assert "Trinkbrunnen" not in client.get("/proposals").get_data(as_text=True)
    log_in(client, editor(session))
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert "Trinkbrunnen" in client.get("/staff/proposals").get_data(as_text=True)
    assert moderate(client, proposal.id, "publish").status_code == 302
    assert "veröffentlicht, sammelt Unterstützung" in author_mails(caplog)[-1]
    listing = client.get("/proposals?q=brunnen").get_data(as_text=True)
    assert "Trinkbrunnen" in listing and "veröffentlicht, sammelt Unterstützung" in listing
    assert "1 Vorschlag gefunden" in listing
    assert "0 Vorschläge gefunden" in client.get("/proposals?q=radweg").get_data(as_text=True)
    assert client.get("/proposals?page=" + "1" * 5000).status_code == 200


BAD_PROPOSALS = [
    ({"title": ""}, "Bitte geben Sie Ihrem Vorschlag einen Titel."),
    ({"text": ""}, "Bitte beschreiben Sie Ihren Vorschlag."),
    ({"title": "x" * 201}, "höchstens 200 Zeichen"),
    ({"cost_estimate": "viel"}, "ganze Zahl in Euro"),
    ({"cost_estimate": "-5"}, "ganze Zahl in Euro"),
    ({"cost_estimate": "9" * 5000}, "ganze Zahl in Euro"),  # too long for int()
]


def test_bad_proposals_say_what_is_wrong(client, session):
    log_in(client, make_resident(session))
    for fields, message in BAD_PROPOSALS:
        response = submit(client, **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True)
    assert session.exec(select(Proposal)).all() == []


def test_proposal_forms_need_a_verified_resident_and_a_csrf_token(client, session):
    assert client.get("/proposals/new").headers["Location"].startswith("/residents/login")
    log_in(client, make_resident(session, person_id=None))
    assert client.get("/proposals/new").headers["Location"] == "/residents/verify"
    session.exec(select(Proposal))
    log_in(client, make_resident(session, "v@example.org"))
    assert client.post("/proposals/new", data=GOOD).status_code == 400
    assert session.exec(select(Proposal)).all() == []


def test_change_request_shows_the_reason_and_the_author_resubmits(client, session, caplog):
    caplog.set_level(logging.INFO, logger="voting.web.mail")
    author = log_in(client, make_resident(session))
    submit(client)
    proposal = stored(session)
    log_in(client, editor(session))
    missing = moderate(client, proposal.id, "request_changes", "")
    assert missing.status_code == 400 and "Begründung" in missing.get_data(as_text=True)
    assert moderate(client, proposal.id, "request_changes", "Wo genau?").status_code == 302
    assert "Wo genau?" in author_mails(caplog)[-1]
    log_in(client, author)
    mine = client.get("/residents/proposals").get_data(as_text=True)
    assert "Wo genau?" in mine and "Änderungen erbeten" in mine
    url = f"/proposals/{proposal.id}/edit"
    assert "Trinkbrunnen" in client.get(url).get_data(as_text=True)
    bad = post(client, url, title="", text="Neben der Kirche.")
    assert bad.status_code == 400
    assert (
        post(client, url, title="Brunnen Stiftsplatz", text="Neben der Kirche.").status_code == 302
    )
    assert stored(session).status == "submitted" and stored(session).title == "Brunnen Stiftsplatz"
    again = post(client, url, title="Noch einmal", text="x")
    assert again.status_code == 409  # only after a change request


def test_rejection_with_reason_and_staff_errors(client, session):
    log_in(client, make_resident(session))
    submit(client)
    proposal = stored(session)
    log_in(client, make_staff(session, "pruefer", Role.AUDITOR))
    assert client.get(f"/staff/proposals/{proposal.id}").status_code == 200
    assert moderate(client, proposal.id, "reject", "Nicht zuständig").status_code == 403
    log_in(client, editor(session))
    assert moderate(client, proposal.id, "vanish").status_code == 400
    assert (
        client.post(
            f"/staff/proposals/{proposal.id}/moderate", data={"decision": "publish"}
        ).status_code
        == 400
    )
    assert moderate(client, proposal.id, "reject", "Nicht zuständig").status_code == 302
    assert moderate(client, proposal.id, "publish").status_code == 409
    assert stored(session).status == "rejected"
    assert client.get("/staff/proposals/999").status_code == 404


def published_proposal(client, session) -> Proposal:  # type: ignore[no-untyped-def]
    log_in(client, make_resident(session))
    submit(client)
    proposal = stored(session)
    log_in(client, editor(session))
    moderate(client, proposal.id, "publish")
    return proposal


def test_verified_residents_support_once_and_the_threshold_is_told(client, session, app, caplog):
    app.config["PROPOSAL_SUPPORT_THRESHOLD"] = 2
    proposal = published_proposal(client, session)
    caplog.clear()  # the mails so far: submitted, published
    url = f"/proposals/{proposal.id}/support"
    with client.session_transaction() as cookie:
        cookie.clear()
    anonymous = post(client, url, token_page="/residents/login")
    assert anonymous.headers["Location"].startswith("/residents/login")
    log_in(client, make_resident(session, "s1@example.org", "P00001"))
    assert client.post(url).status_code == 400  # no CSRF token
    assert post(client, url, token_page=f"/proposals/{proposal.id}").status_code == 302
    twice = post(client, url, token_page=f"/proposals/{proposal.id}")
    assert twice.status_code == 409 and "bereits" in twice.get_data(as_text=True)
    assert author_mails(caplog) == []
    log_in(client, make_resident(session, "s2@example.org", "P00002"))
    post(client, url, token_page=f"/proposals/{proposal.id}")
    assert stored(session).status == "agenda"
    assert "Tagesordnung" in author_mails(caplog)[-1]
    assert len(session.exec(select(ProposalSupport)).all()) == 2


def test_staff_turn_a_proposal_into_an_option_that_links_back(client, session):
    spec = parse_spec(spec_data("haushalt"), known_methods=KNOWN_METHODS)
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    session.commit()
    proposal = published_proposal(client, session)
    page = client.get(f"/staff/proposals/{proposal.id}").get_data(as_text=True)
    single = next(q for q in consultation.questions if q.method == "single")
    yes_no = next(q for q in consultation.questions if q.method == "yes_no")
    assert f'value="{single.id}"' in page and f'value="{yes_no.id}"' not in page
    url = f"/staff/proposals/{proposal.id}/option"
    token_page = f"/staff/proposals/{proposal.id}"
    assert post(client, url, token_page=token_page, question=str(yes_no.id)).status_code == 400
    assert post(client, url, token_page=token_page, question=str(single.id)).status_code == 302
    session.rollback()  # a fresh snapshot
    option = session.exec(select(Option).where(Option.proposal_id == proposal.id)).one()
    assert option.question_id == single.id
    assert "Zukunft des Stadtparks" in client.get(f"/proposals/{proposal.id}").get_data(
        as_text=True
    )
    assert post(client, url, token_page=token_page, question=str(single.id)).status_code in (
        400,
        409,
    )
