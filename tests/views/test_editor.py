"""The consultation editor: drafts from the browser, validated by the one definition check."""

import re
from html import unescape

import pytest
from sqlmodel import select
from wtforms import SelectChoice

from tests.conftest import csrf_token
from voting.consultations import editor_views
from voting.core.models import AuditEvent, Consultation, Role


def editor_data(client, url: str, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, url),
        "title": "Neue Radwege",
        "slug": "",
        "kind": "advisory",
        "description": "Wir planen **neue** Radwege.\n\n<script>alert(1)</script>",
        "summary_easy": "Die Stadt will neue Wege für Fahrräder bauen.",
        "opens_at": "2030-03-01T08:00",
        "closes_at": "2030-03-29T18:00",
        "min_age": "16",
        "districts": "Innenstadt-West\nErfenbach",
        "questions-0-text": "Welche Strecken zuerst?",
        "questions-0-key": "",
        "questions-0-method": "pb_greedy",
        "questions-0-params": "max_choices = 2\nbudget = 200000",
        "questions-0-options": "ringstrasse | Ringstraße | 90.000\n"
        "bahnhof | Zum Bahnhof | 120.000\nuni | Zur Uni | 60.000",
        "save": "1",
    }
    data.update(overrides)
    return data


def stored(session, slug: str = "neue-radwege") -> Consultation | None:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    return session.exec(select(Consultation).where(Consultation.slug == slug)).first()


def test_an_editor_creates_a_draft_in_the_browser(client, session, auth):
    auth.login()
    data = editor_data(client, "/staff/consultations/new", kind="binding")
    data.update(
        {"questions-1-text": "Soll die Ringstraße Vorrang haben?", "questions-1-method": "yes_no"}
    )
    response = client.post("/staff/consultations/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = stored(session)
    assert item is not None and item.status == "draft"
    assert item.min_age == 16 and item.districts == ["Innenstadt-West", "Erfenbach"]
    # Times are Berlin time: 08:00 in March is 07:00 UTC.
    assert item.opens_at.hour == 7
    question = item.questions[0]
    assert question.key == "welche-strecken-zuerst"
    assert [o.key for o in question.options] == ["ringstrasse", "bahnhof", "uni"]
    assert question.params == {
        "max_choices": 2,
        "budget": 200000,
        "costs": {"ringstrasse": 90000, "bahnhof": 120000, "uni": 60000},
    }
    assert item.summary_easy.startswith("Die Stadt")
    # A binding decision's yes/no question gets the legal quorum.
    assert item.questions[1].params == {"quorum": "rlp_buergerentscheid"}
    assert [o.key for o in item.questions[1].options] == ["yes", "no", "abstain"]
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "consultation.created" in actions

    # Editing shows the stored values and saves changes.
    page = client.get("/staff/consultations/neue-radwege/edit").get_data(as_text=True)
    assert "bahnhof | Zum Bahnhof | 120000" in page
    data = editor_data(client, "/staff/consultations/neue-radwege/edit", title="Radwege 2030")
    data["questions-0-key"] = "strecken"
    assert client.post("/staff/consultations/neue-radwege/edit", data=data).status_code == 302
    item = stored(session)
    assert item.title == "Radwege 2030"

    # Once announced, the public page shows the Markdown rendered safely.
    item.status = "scheduled"
    session.add(item)
    session.commit()
    html = client.get("/consultations/neue-radwege").get_data(as_text=True)
    assert "<strong>neue</strong>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Leichter Sprache" in html and "Wege für Fahrräder" in html


def test_errors_name_the_field_and_save_nothing(client, session, auth):
    auth.login()
    url = "/staff/consultations/new"
    data = editor_data(client, url, **{"questions-0-options": "Nur eine"})
    response = client.post(url, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "mindestens zwei" in html and 'id="questions-0-options-errors"' in html
    data = editor_data(client, url, closes_at="2030-02-01T08:00")
    html = client.post(url, data=data).get_data(as_text=True)
    assert 'id="closes_at-errors"' in html
    data = editor_data(client, url, **{"questions-0-params": "max choices 2"})
    response = client.post(url, data=data)
    assert response.status_code == 400 and "name = wert" in response.get_data(as_text=True)
    data = editor_data(client, url, title="", opens_at="gestern")
    assert client.post(url, data=data).status_code == 400
    # "Add a question" shows another empty question and saves nothing either.
    data = editor_data(client, url, add_question="1")
    del data["save"]
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert 'name="questions-1-text"' in response.get_data(as_text=True)
    assert stored(session) is None


def test_announced_consultations_show_locked_fields_and_refuse_changes(
    client, session, auth, open_consultation
):
    auth.login()
    url = f"/staff/consultations/{open_consultation.slug}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "eingefroren" in page and "disabled" in page
    response = client.post(url, data=editor_data(client, url))
    assert response.status_code == 409
    # Auditors read the definition of a draft too, every field locked for them.
    draft = client.post(
        "/staff/consultations/new", data=editor_data(client, "/staff/consultations/new")
    )
    assert draft.status_code == 302
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    auth.login("pruefer", Role.AUDITOR)
    page = client.get("/staff/consultations/neue-radwege/edit").get_data(as_text=True)
    assert "Nur lesen" in page and "Neue Radwege" in page and "Entwurf speichern" not in page
    assert stored(session, open_consultation.slug).title == "Zukunft des Stadtparks"


def errors_beside(html: str, field_id: str) -> list[str]:
    """Return the messages shown beside the field ``field_id``."""
    found = re.search(rf'<ul class="errors" id="{field_id}-errors">(.*?)</ul>', html, re.DOTALL)
    return [unescape(m) for m in re.findall(r"<li>(.*?)</li>", found.group(1))] if found else []


QUESTION = {"questions-0-params": "", "questions-0-options": "ja | Ja\nnein | Nein"}


@pytest.mark.parametrize(
    ("overrides", "field_id", "german", "english"),
    [
        (
            {"questions-0-method": "pb_greedy", "questions-0-params": "max_choices = 2"},
            "questions-0-params",
            "Dieses Zählverfahren braucht den Parameter budget.",
            "This counting method needs the parameter budget.",
        ),
        (
            {"closes_at": "2030-02-01T08:00"},
            "closes_at",
            "Das Ende muss nach dem Beginn der Abstimmung liegen.",
            "Voting must close after it opens.",
        ),
        (
            {
                **QUESTION,
                "questions-0-method": "single",
                "questions-0-key": "weg",
                "questions-1-text": "Und noch?",
                "questions-1-key": "weg",
                "questions-1-method": "yes_no",
            },
            "questions-1-key",
            "Das Kürzel weg hat schon eine andere Frage.",
            "Another question has the short name weg already.",
        ),
        (
            {"questions-0-method": "single", "questions-0-params": "", "questions-0-options": ""},
            "questions-0-options",
            "Eine Frage braucht mindestens zwei Antwortmöglichkeiten.",
            "A question needs at least two options.",
        ),
        (
            {**QUESTION, "questions-0-method": "single", "questions-0-options": "a | A\na | B"},
            "questions-0-options",
            "Das Kürzel a steht bei mehr als einer Antwortmöglichkeit dieser Frage.",
            "The key a is used for more than one option of this question.",
        ),
        (
            {**QUESTION, "questions-0-method": "approval", "questions-0-params": "max_choices = 5"},
            "questions-0-params",
            "max_choices muss eine ganze Zahl von 1 bis 2 sein.",
            "max_choices must be a whole number from 1 to 2.",
        ),
        (
            {**QUESTION, "questions-0-method": "single", "questions-0-key": "Großes-K"},
            "questions-0-key",
            "Nur Kleinbuchstaben a–z, Ziffern, - und _ "
            "(höchstens 40 Zeichen, am Anfang ein Buchstabe oder eine Ziffer).",
            "Only lower-case letters a–z, digits, - and _ "
            "(at most 40 characters, starting with a letter or digit).",
        ),
    ],
)
def test_each_problem_is_shown_in_the_visitors_language_beside_its_field(
    client, session, auth, overrides, field_id, german, english
):
    auth.login()
    url = "/staff/consultations/new"
    for lang, message in (("de", german), ("en", english)):
        client.get(f"/language/{lang}")
        response = client.post(url, data=editor_data(client, url, **overrides))
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert errors_beside(html, field_id) == [message]
    assert stored(session) is None


def test_a_method_offered_but_not_countable_is_named_beside_the_method(
    client, session, auth, monkeypatch
):
    # The form offers only countable methods; a method it offers but the count lacks
    # is refused by the definition check and shown where it was chosen.
    offered = [SelectChoice("lottery", "Los"), *editor_views._method_choices()]
    monkeypatch.setattr(editor_views, "_method_choices", lambda: offered)
    auth.login()
    url = "/staff/consultations/new"
    data = editor_data(client, url, **QUESTION, **{"questions-0-method": "lottery"})
    response = client.post(url, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert errors_beside(html, "questions-0-method") == [
        "Das Zählverfahren lottery kann nicht verwendet werden."
    ]
    assert stored(session) is None


def test_a_removed_question_does_not_move_the_messages_of_the_next(client, session, auth):
    auth.login()
    url = "/staff/consultations/new"
    data = editor_data(client, url, **{"questions-0-remove": "y"})
    data.update(
        {
            "questions-1-text": "Und danach?",
            "questions-1-method": "single",
            "questions-1-options": "Nur eine",
        }
    )
    html = client.post(url, data=data).get_data(as_text=True)
    assert errors_beside(html, "questions-1-options") == [
        "Eine Frage braucht mindestens zwei Antwortmöglichkeiten."
    ]
    assert errors_beside(html, "questions-0-options") == []


def test_a_taken_address_is_named_beside_the_address(client, session, auth, open_consultation):
    auth.login()
    url = "/staff/consultations/new"
    data = editor_data(client, url, slug=open_consultation.slug)
    html = client.post(url, data=data).get_data(as_text=True)
    assert errors_beside(html, "slug") == ["Diese Adresse ist schon vergeben."]
    # "new" is the editor's own address.
    html = client.post(url, data=editor_data(client, url, slug="new")).get_data(as_text=True)
    assert errors_beside(html, "slug") == ["Diese Adresse ist schon vergeben."]


@pytest.mark.parametrize(
    "overrides",
    [
        {"questions-0-params": "grades = " + "[" * 990 + "]" * 990},
        {"questions-0-options": "a | A | " + "[" * 5000 + "\nb | B | 1"},
        {"questions-0-params": "budget = 1e999\nmax_choices = NaN"},
        {"questions-0-params": "budget = 1\ncosts = [1, 2]", "questions-0-options": "A\nB"},
        {"questions-0-params": "quorum = {}\nbudget = 5"},
        {"questions-0-method": "yes_no", "questions-0-params": "quorum = [1]"},
        {"questions-0-method": "yes_no", "questions-0-options": "x | X"},
        {"questions-0-text": " ", "questions-0-key": "", "title": "§§§"},
    ],
)
def test_odd_entries_are_refused_with_a_message_never_an_error_page(
    client, session, auth, overrides
):
    auth.login()
    url = "/staff/consultations/new"
    response = client.post(url, data=editor_data(client, url, **overrides))
    assert response.status_code == 400
    assert '<ul class="errors"' in response.get_data(as_text=True)
    assert stored(session) is None
