"""Staff register returned cards and enter paper counts twice; results show both channels."""

from sqlmodel import select

from ballots.models import PaperMark
from results.cells import REMAINDER
from results.models import PaperCount
from results.services import publish_result, tally_consultation
from tests.conftest import close_voting, csrf_token, log_in_as, make_open_consultation, make_staff
from tests.views.test_voting import vote
from voting.core.models import Consultation, Role

BRUNNEN = {"yes": 0, "no": 1, "abstain": 0, "blank": 0, "invalid": 0}


def paper_url(slug: str, rest: str = "") -> str:
    return f"/staff/consultations/{slug}/paper/{rest}"


def mark(client, slug, code):  # type: ignore[no-untyped-def]
    token = csrf_token(client, paper_url(slug))
    return client.post(paper_url(slug, "mark"), data={"csrf_token": token, "code": code})


def enter(client, slug, figures, district="Innenstadt", question="brunnen"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, paper_url(slug))
    data = {"csrf_token": token, f"q-{question}-district": district}
    data.update({f"q-{question}-n_{name}": str(n) for name, n in figures.items()})
    return client.post(paper_url(slug, f"count/{question}"), data=data)


def close(session, consultation) -> None:  # type: ignore[no-untyped-def]
    session.rollback()
    item = session.get(Consultation, consultation.id)
    close_voting(session, item, "test")
    session.commit()


def test_a_returned_card_is_registered_and_then_cannot_vote_online(
    client, session, open_consultation
):
    slug = open_consultation.slug
    log_in_as(client, make_staff(session))
    assert mark(client, slug, open_consultation.codes[0]).status_code == 302
    assert vote(client, open_consultation, open_consultation.codes[0]).status_code == 409
    again = mark(client, slug, open_consultation.codes[0])
    assert again.status_code == 409 and "bereits als Briefstimme erfasst" in again.get_data(
        as_text=True
    )


def test_a_card_that_voted_online_is_reported_as_an_invalid_paper_ballot(
    client, session, open_consultation
):
    slug = open_consultation.slug
    vote(client, open_consultation, open_consultation.codes[1])
    log_in_as(client, make_staff(session))
    response = mark(client, slug, open_consultation.codes[1])
    assert response.status_code == 409
    assert "bereits online abgestimmt" in response.get_data(as_text=True)
    assert session.exec(select(PaperMark)).all() == []


def test_mark_form_errors(client, session, open_consultation):
    slug = open_consultation.slug
    log_in_as(client, make_staff(session))
    assert mark(client, slug, "").status_code == 400
    assert mark(client, slug, "K7QM").status_code == 400
    assert (
        client.post(paper_url(slug, "mark"), data={"code": open_consultation.codes[0]}).status_code
        == 400
    )
    log_in_as(client, make_staff(session, "pruefer", Role.AUDITOR))
    assert client.get(paper_url(slug)).status_code == 200
    assert mark(client, slug, open_consultation.codes[0]).status_code == 403
    assert session.exec(select(PaperMark)).all() == []


def test_double_entry_by_two_people_shows_a_mismatch_and_saves_nothing(
    client, session, open_consultation
):
    slug = open_consultation.slug
    anna, bernd = make_staff(session, "anna"), make_staff(session, "bernd")
    log_in_as(client, anna)
    mark(client, slug, open_consultation.codes[0])
    early = enter(client, slug, BRUNNEN)
    assert early.status_code == 409 and "nach dem Ende" in early.get_data(as_text=True)
    close(session, open_consultation)
    wrong_total = enter(client, slug, {**BRUNNEN, "no": 2})
    assert wrong_total.status_code == 400 and "die 1 in diesem Bezirk" in wrong_total.get_data(
        as_text=True
    )
    assert enter(client, slug, {**BRUNNEN, "no": ""}).status_code == 400
    assert "Keine gültige, ganze Zahl" in enter(client, slug, {**BRUNNEN, "no": "abc"}).get_data(
        as_text=True
    )
    # Too large for a float: refused like any number out of range, never a 500.
    huge = enter(client, slug, {**BRUNNEN, "no": "1" * 1000})
    assert huge.status_code == 400 and "ganze Zahl von 0 oder mehr" in huge.get_data(as_text=True)
    assert enter(client, slug, BRUNNEN, district="Mars").status_code == 400
    assert enter(client, slug, BRUNNEN).status_code == 302
    same = enter(client, slug, BRUNNEN)
    assert same.status_code == 409 and "zweite, andere Person" in same.get_data(as_text=True)
    log_in_as(client, bernd)
    mismatch = enter(client, slug, {**BRUNNEN, "no": 0, "invalid": 1})
    page = mismatch.get_data(as_text=True)
    assert (
        mismatch.status_code == 409
        and "Nein, Ungültig" in page
        and "Nichts wurde gespeichert" in page
    )
    session.rollback()
    assert session.exec(select(PaperCount)).one().confirmed_by is None
    assert enter(client, slug, BRUNNEN).status_code == 302
    session.rollback()
    assert session.exec(select(PaperCount)).one().confirmed_by == "bernd"
    assert "bestätigt von anna und bernd" in client.get(paper_url(slug)).get_data(as_text=True)


def test_a_count_can_be_discarded_and_counts_need_csrf(client, session, open_consultation):
    slug = open_consultation.slug
    log_in_as(client, make_staff(session))
    mark(client, slug, open_consultation.codes[0])
    close(session, open_consultation)
    enter(client, slug, BRUNNEN)
    entry = session.exec(select(PaperCount)).one()
    discard = paper_url(slug, f"count/{entry.id}/discard")
    assert client.post(discard).status_code == 400
    token = csrf_token(client, paper_url(slug))
    assert client.post(discard, data={"csrf_token": token}).status_code == 302
    session.rollback()
    assert session.exec(select(PaperCount)).all() == []
    assert client.post(discard, data={"csrf_token": token}).status_code == 404


def test_results_show_online_paper_and_combined_with_the_protocol(
    client, session, open_consultation
):
    slug = open_consultation.slug
    vote(client, open_consultation, open_consultation.codes[0])  # online: yes
    anna, bernd = make_staff(session, "anna"), make_staff(session, "bernd")
    log_in_as(client, anna)
    for code in open_consultation.codes[1:3]:
        mark(client, slug, code)
    close(session, open_consultation)
    figures = {"yes": 0, "no": 2, "abstain": 0, "blank": 0, "invalid": 0}
    for user in (anna, bernd):
        log_in_as(client, user)
        enter(client, slug, figures)
    # Four eyes: bernd tallies, anna publishes.
    for user, step in ((bernd, "tally"), (anna, "publish")):
        log_in_as(client, user)
        client.post(
            f"/staff/consultations/{slug}/{step}",
            data={"csrf_token": csrf_token(client, "/staff/"), "understood": "y"},
        )
    page = client.get(f"/consultations/{slug}/results").get_data(as_text=True)
    assert "Online, per Brief und zusammen" in page
    assert "3 von 5 Stimmberechtigten" in page  # 1 online + 2 paper
    assert "Gesamtergebnis: nein" in page
    assert "Zählprotokoll der Briefstimmen" in page
    data = client.get(f"/api/v1/consultations/{slug}/results").get_json()
    assert data["turnout"]["ballots"] == 1
    assert data["paper"]["turnout"] == {"eligible": 5, "online": 1, "paper": 2, "combined": 3}
    brunnen = data["paper"]["questions"][0]
    assert brunnen["combined"]["details"]["counts"] == {"yes": 1, "no": 2, "abstain": 0}
    # Two paper ballots in the district: its row shows no figures (results.cells). Their
    # total stays, as the combined result minus the online one would tell it anyway.
    assert data["paper"]["protocol"][0]["figures"] is None
    assert data["paper"]["protocol"][0]["suppressed"] is True
    assert brunnen["paper"] == figures and "nicht angezeigt" in page


def test_small_districts_are_counted_together_as_the_remainder(client, session):
    # Five voters in Innenstadt, fewer than the minimum of 10: stored as the remainder.
    opened = make_open_consultation(session, min_district_voters=10)
    slug = opened.slug
    anna, bernd = make_staff(session, "anna"), make_staff(session, "bernd")
    log_in_as(client, anna)
    mark(client, slug, opened.codes[0])
    close(session, opened)
    page = client.get(paper_url(slug)).get_data(as_text=True)
    assert f'<option value="{REMAINDER}">Übrige Bezirke</option>' in page
    assert 'value="Innenstadt"' not in page
    assert "als „Übrige Bezirke“ gezählt: Innenstadt." in page  # which cards go there
    figures = {"yes": 1, "no": 0, "abstain": 0, "blank": 0, "invalid": 0}
    assert enter(client, slug, figures).status_code == 400
    for user in (anna, bernd):
        log_in_as(client, user)
        assert enter(client, slug, figures, district=REMAINDER).status_code == 302
    assert session.exec(select(PaperCount.district)).all() == [REMAINDER]


def test_paper_counts_beside_methods_without_simple_counts_show_every_result(client, session):
    # Paper counts exist for the yes/no question; the ranked and budget ones have none.
    questions = [
        {"key": "brunnen", "text": "Brunnen?", "method": "yes_no"},
        {
            "key": "rang",
            "text": "Reihenfolge?",
            "method": "borda",
            "options": [{"key": "a", "label": "Ahorn"}, {"key": "b", "label": "Birke"}],
        },
        {
            "key": "budget",
            "text": "Projekte?",
            "method": "pb_equal_shares",
            "params": {"budget": 10, "costs": {"a": 6, "b": 5}},
            "options": [{"key": "a", "label": "Ahorn"}, {"key": "b", "label": "Birke"}],
        },
    ]
    opened = make_open_consultation(session, questions=questions)
    anna, bernd = make_staff(session, "anna"), make_staff(session, "bernd")
    log_in_as(client, anna)
    mark(client, opened.slug, opened.codes[0])
    close(session, opened)
    for user in (anna, bernd):
        log_in_as(client, user)
        enter(client, opened.slug, BRUNNEN)
    consultation = session.get(Consultation, opened.id)
    tally_consultation(session=session, consultation=consultation, actor="anna")
    publish_result(session=session, consultation=consultation, actor="bernd")
    session.commit()
    page = client.get(f"/consultations/{opened.slug}/results")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Gesamtergebnis: nein" in text
    assert text.count("Briefstimmen nicht einzeln gezählt") == 2
    data = client.get(f"/api/v1/consultations/{opened.slug}/results").get_json()
    assert [q["key"] for q in data["paper"]["questions"]] == ["brunnen"]
