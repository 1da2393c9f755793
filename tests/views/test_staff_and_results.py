"""Staff close, tally and publish; nothing of a count is visible before publication."""

import pytest
from sqlmodel import select

from ballots.models import Ballot
from tests.conftest import OpenConsultation, csrf_token
from tests.views.test_voting import vote
from voting.core.models import AuditEvent, Consultation, Role

STAFF_ROUTES = [
    ("get", "/staff/"),
    ("get", "/staff/consultations/stadtpark"),
    ("get", "/staff/consultations/stadtpark/close"),
    ("post", "/staff/consultations/stadtpark/close"),
    ("post", "/staff/consultations/stadtpark/close/request"),
    ("post", "/staff/consultations/stadtpark/tally"),
    ("get", "/staff/consultations/stadtpark/publish"),
    ("post", "/staff/consultations/stadtpark/publish"),
    ("post", "/staff/logout"),
]


def embargoed_urls(slug: str) -> list[str]:
    return [
        f"/consultations/{slug}/results",
        f"/consultations/{slug}/results/nutzung.png",
        f"/consultations/{slug}/results/nutzung.svg",
        f"/api/v1/consultations/{slug}/results",
    ]


def cast_three(client, consultation: OpenConsultation) -> None:  # type: ignore[no-untyped-def]
    vote(client, consultation, consultation.codes[0])
    vote(
        client,
        consultation,
        consultation.codes[1],
        q_brunnen="no",
        q_nutzung="garten",
        q_projekte=["baeume"],
    )
    vote(client, consultation, consultation.codes[2], q_brunnen="yes", q_nutzung="parken")


@pytest.mark.parametrize(("method", "url"), STAFF_ROUTES)
def test_anonymous_visitors_are_sent_to_the_login(client, open_consultation, method, url):
    token = csrf_token(client, "/staff/login")
    response = getattr(client, method)(url, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_auditors_may_look_but_not_change(client, session, auth, open_consultation):
    auth.login("pruefer", Role.AUDITOR)
    assert client.get("/staff/consultations/stadtpark").status_code == 200
    assert auth.confirm("/staff/consultations/stadtpark/close").status_code == 403
    assert client.get("/staff/consultations/stadtpark/close").status_code == 403
    page = client.get("/staff/consultations/stadtpark").get_data(as_text=True)
    assert "/staff/consultations/stadtpark/close" not in page  # no button to press
    assert status_of(session, open_consultation) == "open"


def test_wrong_password_is_refused_without_saying_which_part(client, auth):
    auth.create()
    token = csrf_token(client, "/staff/login")
    response = client.post(
        "/staff/login",
        data={"csrf_token": token, "username": "redaktion", "password": "falsch falsch falsch"},
    )
    assert response.status_code == 401
    assert "Benutzername oder Passwort" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_staff_close_tally_and_publish(client, session, auth, open_consultation):
    cast_three(client, open_consultation)
    auth.login()
    slug = open_consultation.slug
    page = client.get(f"/staff/consultations/{slug}").get_data(as_text=True)
    assert "3" in page  # voted so far
    auth.create("pruefende")  # before the count: an account made after it cannot approve
    for step in ("close", "tally"):
        if step == "close":
            response = auth.close_early(slug)
        else:
            response = auth.confirm(f"/staff/consultations/{slug}/{step}")
        assert response.status_code == 302
        for url in embargoed_urls(slug):
            assert client.get(url).status_code == 404, url
    # A vote after the close is refused.
    url = f"/consultations/{slug}/vote"
    late = client.post(
        url, data={"csrf_token": csrf_token(client, "/staff/"), "code": open_consultation.codes[3]}
    )
    assert late.status_code == 409

    # Four eyes: whoever counted cannot publish.
    refused = auth.confirm(f"/staff/consultations/{slug}/publish")
    assert refused.status_code == 302
    assert "zweite Person" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert status_of(session, open_consultation) == "tallied"
    auth.post("/staff/logout")
    auth.login("pruefende", Role.EDITOR)
    assert auth.confirm(f"/staff/consultations/{slug}/publish").status_code == 302
    assert status_of(session, open_consultation) == "published"
    steps = [
        (e.action, e.actor)
        for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
        if e.action.startswith("consultation.")
    ]
    assert steps[-3:] == [
        ("consultation.close", "redaktion"),
        ("consultation.tally", "redaktion"),
        ("consultation.publish", "pruefende"),
    ]

    results = client.get(f"/consultations/{slug}/results")
    assert results.status_code == 200
    html = results.get_data(as_text=True)
    # Charts are SVG files shown as images: inline SVG's style attributes break under the CSP.
    assert f'src="/consultations/{slug}/results/nutzung.svg"' in html
    assert "3 von 5" in html and "60,0 %" in html  # turnout
    assert "Gemeinschaftsgarten" in html and "66,7 %" in html  # 2 of 3 for the garden
    png = client.get(f"/consultations/{slug}/results/nutzung.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    data = client.get(f"/api/v1/consultations/{slug}/results").get_json()
    nutzung = next(q for q in data["questions"] if q["key"] == "nutzung")
    assert nutzung["details"]["counts"] == {"garten": 2, "spielplatz": 0, "parken": 1}
    brunnen = next(q for q in data["questions"] if q["key"] == "brunnen")
    assert brunnen["details"]["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    projekte = next(q for q in data["questions"] if q["key"] == "projekte")
    assert projekte["details"]["counts"] == {"baeume": 2, "baenke": 0, "licht": 1}
    turnout = data["turnout"]
    assert (turnout["eligible"], turnout["ballots"]) == (5, 3)
    # 3 ballots are below the minimum of 10: the district shows no figure.
    assert turnout["by_district"] == [
        {"district": "Innenstadt", "eligible": 5, "ballots": None, "suppressed": True}
    ]


def test_publication_names_ballots_that_fail_their_commitment(
    client, session, auth, open_consultation
):
    cast_three(client, open_consultation)
    auth.login()
    slug = open_consultation.slug
    auth.create("pruefende")
    auth.close_early(slug)
    auth.confirm(f"/staff/consultations/{slug}/tally")
    # Someone with database access swaps the answer of the second ballot after the count.
    ballot = session.exec(select(Ballot).where(Ballot.leaf_index == 1)).one()
    assert '"garten"' in ballot.content
    ballot.content = ballot.content.replace('"garten"', '"parken"')
    session.commit()
    auth.post("/staff/logout")
    auth.login("pruefende", Role.EDITOR)

    refused = auth.confirm(f"/staff/consultations/{slug}/publish")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Nichts wurde veröffentlicht" in page and "Protokollpositionen 1 " in page
    assert status_of(session, open_consultation) == "tallied"
    assert client.get(f"/api/v1/consultations/{slug}/bundle").status_code == 404


def test_steps_out_of_order_change_nothing(client, session, auth, open_consultation):
    auth.login()
    response = auth.confirm(f"/staff/consultations/{open_consultation.slug}/publish")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nicht möglich" in page
    assert status_of(session, open_consultation) == "open"


def test_staff_actions_need_a_csrf_token(client, session, auth, open_consultation):
    auth.login()
    response = client.post(f"/staff/consultations/{open_consultation.slug}/close")
    assert response.status_code == 400
    assert status_of(session, open_consultation) == "open"


def status_of(session, consultation: OpenConsultation) -> str:  # type: ignore[no-untyped-def]
    """Read the stored status anew, not from the session's cache or snapshot."""
    session.rollback()  # a new snapshot
    session.expire_all()  # and no cached objects
    return session.get(Consultation, consultation.id).status
