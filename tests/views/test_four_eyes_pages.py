"""Two people in the browser, and a confirmation before every step that cannot be undone."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from results.services import tally_consultation
from tests.conftest import (
    KNOWN_METHODS,
    close_voting,
    make_open_consultation,
    make_staff,
    spec_data,
)
from tests.views.test_staff_and_results import status_of
from voting.consultations.services import load_consultation, parse_spec
from voting.core.lifecycle import transition
from voting.core.models import AuditEvent, Consultation, Role, Voter, utcnow

CONFIRM = "Ich habe verstanden: Das lässt sich nicht rückgängig machen."


def events(session, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def flashed(client, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_account_made_after_the_count_cannot_publish(client, session, auth, open_consultation):
    # The attack: whoever counted makes a second account afterwards and approves with it.
    slug = open_consultation.slug
    auth.login()
    auth.close_early(slug)
    assert flashed(client, auth.confirm(f"/staff/consultations/{slug}/tally"))
    auth.create("spaet")
    auth.post("/staff/logout")
    auth.login("spaet")
    page = client.get(f"/staff/consultations/{slug}/publish")
    assert page.status_code == 200 and CONFIRM in page.get_data(as_text=True)
    html = flashed(client, auth.confirm(f"/staff/consultations/{slug}/publish"))
    assert "nach der Auszählung angelegt" in html
    assert status_of(session, open_consultation) == "tallied"
    assert events(session, "consultation.publish") == []


def test_closing_early_needs_a_reason_and_a_second_person(client, session, auth, open_consultation):
    slug = open_consultation.slug
    page = f"/staff/consultations/{slug}"
    make_staff(session, "zweite")
    auth.login()
    # Alone: refused, nothing changes.
    alone = flashed(client, auth.confirm(f"{page}/close"))
    assert "nur auf schriftlichen Antrag" in alone
    assert status_of(session, open_consultation) == "open"
    # The page asks for a reason first.
    asking = client.get(f"{page}/close").get_data(as_text=True)
    assert "Warum soll die Abstimmung vorzeitig enden?" in asking and CONFIRM in asking
    # Without a reason: 400, a German message, nothing stored.
    empty = auth.confirm(f"{page}/close/request", reason="   ")
    assert empty.status_code == 400
    assert "Bitte schreiben Sie auf, warum" in empty.get_data(as_text=True)
    assert events(session, "consultation.close_requested") == []
    reason = "Der Stadtrat hat die Frage am Montag selbst entschieden."
    asked = flashed(client, auth.confirm(f"{page}/close/request", reason=reason))
    assert "Ihr Antrag auf ein vorzeitiges Ende ist festgehalten" in asked
    [request] = events(session, "consultation.close_requested")
    assert (request.actor, request.details["reason"]) == ("redaktion", reason)
    # The same person again: the page waits for someone else, and the close is refused.
    waiting = client.get(f"{page}/close").get_data(as_text=True)
    assert "Sie haben das selbst beantragt" in waiting and CONFIRM not in waiting
    again = flashed(client, auth.confirm(f"{page}/close"))
    assert "Sie haben das vorzeitige Ende selbst beantragt" in again
    assert status_of(session, open_consultation) == "open"
    # A second, older account confirms: voting closes, the reason and both names are kept.
    auth.post("/staff/logout")
    auth.login("zweite")
    confirming = client.get(f"{page}/close").get_data(as_text=True)
    assert reason in confirming and "redaktion" in confirming
    assert flashed(client, auth.confirm(f"{page}/close"))
    assert status_of(session, open_consultation) == "closed"
    [closed] = events(session, "consultation.close")
    assert closed.actor == "zweite"
    assert closed.details["requested_by"] == "redaktion" and closed.details["reason"] == reason
    staff_page = client.get(page).get_data(as_text=True)
    assert (
        "zweite hat die Abstimmung vor dem geplanten Ende beendet, wie redaktion beantragt "
        f"hatte, mit dieser Begründung: „{reason}“"
    ) in staff_page


def test_an_account_made_after_the_request_cannot_confirm_it(
    client, session, auth, open_consultation
):
    slug = open_consultation.slug
    auth.login()
    auth.confirm(f"/staff/consultations/{slug}/close/request", reason="Sturmschaden")
    auth.post("/staff/logout")
    auth.login("spaet")
    html = flashed(client, auth.confirm(f"/staff/consultations/{slug}/close"))
    assert "nach dem Antrag auf ein vorzeitiges Ende angelegt" in html
    assert status_of(session, open_consultation) == "open"


def test_voting_cannot_close_before_its_period_began(client, session, auth):
    later = utcnow() + timedelta(days=2)
    opened = make_open_consultation(
        session,
        period={"opens_at": later.isoformat(), "closes_at": (later + timedelta(7)).isoformat()},
    )
    auth.login()
    page = f"/staff/consultations/{opened.slug}"
    html = flashed(client, auth.confirm(f"{page}/close/request", reason="Zu früh gestartet"))
    assert "Ihr Abstimmungszeitraum hat noch nicht begonnen" in html
    assert events(session, "consultation.close_requested") == []
    assert session.get(Consultation, opened.id).status == "open"


def scheduled(session) -> str:  # type: ignore[no-untyped-def]
    spec = parse_spec(spec_data("schule"), known_methods=KNOWN_METHODS)
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    transition(session=session, consultation=consultation, action="schedule", actor="test")
    session.commit()
    return consultation.slug


def state(session, slug: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    session.rollback()
    item = session.exec(select(Consultation).where(Consultation.slug == slug)).one()
    voters = session.exec(
        select(func.count()).select_from(Voter).where(Voter.consultation_id == item.id)
    ).one()
    return item.status, voters


@pytest.mark.parametrize(
    ("step", "get", "post", "words"),
    [
        ("open", "{p}/open", "{p}/open", "Fragen, Antwortmöglichkeiten und Abstimmungsverzeichnis"),
        ("close", "{p}/close", "{p}/close", "Die Abstimmung lässt sich nicht wieder starten"),
        ("tally", "{p}/count", "{p}/count", "Die Auszählung bleibt, wie sie ist"),
        ("tally", "{p}/count", "{p}/tally", "Die Auszählung bleibt, wie sie ist"),
        ("publish", "{p}/publish", "{p}/publish", "lässt sich nicht zurücknehmen"),
        ("delete", "{p}/electorate/delete", "{p}/electorate/delete", "endgültig entfernt"),
    ],
)
def test_every_irreversible_step_asks_first_and_refuses_without_the_box(
    client, session, auth, step, get, post, words
):
    make_staff(session, "zweite")
    opened = make_open_consultation(session)
    if step == "open":
        slug = scheduled(session)
    else:
        slug = opened.slug
        item = session.get(Consultation, opened.id)
        if step in ("tally", "publish"):
            close_voting(session, item)
        if step == "publish":
            tally_consultation(session=session, consultation=item, actor="test")
        session.commit()
    p = f"/staff/consultations/{slug}"
    auth.login()
    page = client.get(get.format(p=p))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Was sich nicht rückgängig machen lässt" in html and words in html and CONFIRM in html
    if step == "close":  # before the scheduled end the page asks for a reason first
        assert "Warum soll die Abstimmung vorzeitig enden?" in html
    before = state(session, slug)
    refused = auth.post(post.format(p=p))  # the token, but not the box
    assert refused.status_code == 400
    assert "Bitte kreuzen Sie an, dass Sie verstanden haben" in refused.get_data(as_text=True)
    assert state(session, slug) == before


def test_the_buttons_lead_to_the_confirmation_pages_and_only_editors_see_them(
    client, session, auth, open_consultation
):
    slug = open_consultation.slug
    auth.login()
    page = client.get(f"/staff/consultations/{slug}").get_data(as_text=True)
    assert f'href="/staff/consultations/{slug}/close"' in page
    electorate = client.get(f"/staff/consultations/{slug}/electorate").get_data(as_text=True)
    assert f'href="/staff/consultations/{slug}/electorate/delete"' in electorate
    auth.post("/staff/logout")
    auth.login("pruefer", Role.AUDITOR)
    page = client.get(f"/staff/consultations/{slug}").get_data(as_text=True)
    assert f"/staff/consultations/{slug}/close" not in page
    assert client.get(f"/staff/consultations/{slug}/close").status_code == 403
