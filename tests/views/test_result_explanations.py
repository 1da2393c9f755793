"""A resident reads on the results page how each ranked count and the equal-shares budget came out.

Worked by hand (seven ballots, each voter starts with 70 € / 7 = 10 €):

- Budget 70 €; Spielplatz 30 € (5 votes), Radweg 40 € (4), Bänke 15 € (3), Brunnen 25 € (1).
  Round 1: Spielplatz's 5 supporters pay 6 € each (effective support 5; Radweg 4, Bänke 3;
  Brunnen's one vote brings 10 € of 25 €). Round 2: Radweg's supporters have 4 × 4 € = 16 €
  of 40 €; Bänke: the supporter with 4 € left pays it, the other two (15 − 4) / 2 = 5,50 €
  each, effective support 15 / 5,5 = 2,73. Greedy by votes funds Spielplatz and Radweg and
  leaves the two voters who chose only Bänke (and Brunnen) with nothing.
- Rankings: Rad 3, Bus 3, Bahn 1 first preferences. Instant-runoff eliminates Bahn, whose
  ballot goes to Bus: Bus 4 of 7. Schulze: Bus beats Rad 4 to 3 and Bahn 4 to 2.
- STV, 2 seats, quota ⌊7 / 3⌋ + 1 = 3: Rad 4 is elected, its surplus of 1 moves at 1/4:
  0,5 to Bahn, 0,25 to Bus, 0,25 exhausted; Bahn (1,5) is excluded: 1 to Bus, 0,5
  exhausted; Bus (3,25) reaches the quota.
"""

import re
from html import unescape

import pytest

from results.services import publish_result, tally_consultation
from tests.conftest import cast_code, close_voting, make_open_consultation, second_reader
from voting.core.models import Consultation

MODES = [{"key": k, "label": v} for k, v in (("rad", "Rad"), ("bus", "Bus"), ("bahn", "Bahn"))]
QUESTIONS = [
    {
        "key": "budget",
        "text": "Welche Vorhaben sollen aus 70 € bezahlt werden?",
        "method": "pb_equal_shares",
        "params": {
            "budget": 70,
            "costs": {"spiel": 30, "radweg": 40, "baenke": 15, "brunnen": 25},
            "completion": "none",
        },
        "options": [
            {"key": "spiel", "label": "Spielplatz"},
            {"key": "radweg", "label": "Radweg"},
            {"key": "baenke", "label": "Bänke"},
            {"key": "brunnen", "label": "Brunnen"},
        ],
    },
    {"key": "schulze", "text": "Schulze?", "method": "schulze", "options": MODES},
    {"key": "irv", "text": "Stichwahl?", "method": "irv", "options": MODES},
    {
        "key": "stv",
        "text": "Zwei Sitze?",
        "method": "stv",
        "params": {"seats": 2},
        "options": MODES,
    },
]
BUDGETS = [
    ["spiel", "radweg"],
    ["spiel", "radweg"],
    ["spiel", "radweg"],
    ["spiel", "baenke"],
    ["baenke"],
    ["baenke", "brunnen"],
    ["spiel", "radweg"],
]
RANKED = [
    ["rad", "bus"],
    ["rad", "bahn"],
    ["rad"],
    ["bus", "rad"],
    ["bus", "bahn"],
    ["bus"],
    ["bahn", "bus"],
]
STV = [
    ["rad", "bahn"],
    ["rad", "bahn"],
    ["rad", "bus"],
    ["rad"],
    ["bus"],
    ["bahn", "bus"],
    ["bus", "bahn"],
]


@pytest.fixture
def page(client, session, signer) -> str:  # type: ignore[no-untyped-def]
    """Return the text of the published results page, tags dropped, spaces collapsed."""
    opened = make_open_consultation(session, voters=7, questions=QUESTIONS)
    for code, budget, ranked, stv in zip(opened.codes, BUDGETS, RANKED, STV, strict=True):
        answers = {"budget": budget, "schulze": ranked, "irv": ranked, "stv": stv}
        cast_code(session, opened.id, code, signer, answers)
        session.commit()
    consultation = session.get(Consultation, opened.id)
    close_voting(session, consultation, "test")
    second_reader(session)
    tally_consultation(session=session, consultation=consultation, actor="test")
    publish_result(session=session, consultation=consultation, actor="second-reader")
    session.commit()
    response = client.get(f"/consultations/{opened.slug}/results")
    assert response.status_code == 200
    text = unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", text)


def test_equal_shares_say_who_paid_what_and_why_the_rest_went_unfunded(page):
    assert (
        "7 Personen haben mindestens ein Projekt gewählt. Das Budget von 70 € wurde "
        "gleichmäßig auf sie verteilt: Jede Person hatte 10 € für die Projekte, die sie "
        "gewählt hat." in page
    )
    # Round, project, cost, votes, effective support, who paid.
    assert "1 Spielplatz 30 € 5 5 Die 5 Unterstützer zahlten je 6 €." in page
    assert (
        "2 Bänke 15 € 3 2,73 2 Unterstützer zahlten je 5,50 €; "
        "1 zahlte sein restliches Geld, 4 €." in page
    )
    assert (
        "Radweg In Runde 1 hatte es eine effektive Unterstützung von 4 (Preis je Stimme 10 €); "
        "gefördert wurde Spielplatz mit 5. Um stattdessen gefördert zu werden, hätte es mit "
        "höchstens 8 € je Stimme auskommen müssen. Am Ende hatten seine Unterstützer nur noch "
        "16 €, weniger als seine Kosten von 40 €." in page
    )
    assert (
        "Brunnen Zu teuer für seinen Unterstützer: 1 Stimme brachte 10 €, es kostet 25 €." in page
    )
    assert "wären gefördert worden: Spielplatz, Radweg." in page
    assert "Nur mit gleichen Anteilen gefördert: Bänke. Nur nach Stimmen gefördert: Radweg." in page
    assert (
        "Personen, von deren gewählten Projekten keines gefördert wird: 0 (0,0 %) mit gleichen "
        "Anteilen, 2 (28,6 %) nach Stimmen." in page
    )
    # The histogram of ballot lengths, as a table beside its chart.
    assert "Die meisten Stimmzettel wählten 2 Projekte." in page
    assert "1 Projekt 1 14,3 % 2 Projekte 6 85,7 %" in page
    # No lot was drawn, so none is mentioned.
    assert "Los" not in page.split("Wie die Methode der gleichen Anteile")[1].split("2. Schulze")[0]


def test_ranked_counts_are_told_step_by_step(page):
    assert "Vollständige Rangfolge: 1. Bus, 2. Rad, 3. Bahn." in page
    assert (
        "Bus schlägt Rad: 4 Stimmzettel setzen Bus vor Rad, 3 umgekehrt; der stärkste Pfad von "
        "Bus zu Rad (Bus → Rad) hat die Stärke 1, der umgekehrte 0." in page
    )
    assert "Bus schlägt Bahn: 4 Stimmzettel setzen Bus vor Bahn, 2 umgekehrt;" in page
    assert "Runde 1: Bahn scheidet mit 1 Stimme aus; 1 Stimme geht an Bus." in page
    assert "Runde 2: Bus hat 4 von 7 Stimmen, mehr als die Hälfte, und gewinnt." in page
    assert "Stufe 1: Die Erstpräferenzen werden gezählt; die Quote ist 3 Stimmen." in page
    assert "Stufe 2: Rad erreicht die Quote und ist gewählt." in page
    assert (
        "Stufe 3: Der Überschuss von Rad, 1 Stimme, wird übertragen; 0,5 Stimmen gehen an "
        "Bahn, 0,25 Stimmen gehen an Bus, 0,25 verfallen." in page
    )
    assert (
        "Stufe 4: Bahn scheidet mit 1,5 Stimmen aus; 1 Stimme geht an Bus, 0,5 verfallen." in page
    )
    assert "Stufe 5: Bus erreicht die Quote und ist gewählt." in page


def test_the_explanation_is_kept_beside_the_details_and_its_chart_has_alt_text(
    client, session, signer
):  # type: ignore[no-untyped-def]
    opened = make_open_consultation(session, voters=7, questions=QUESTIONS)
    for code, budget in zip(opened.codes, BUDGETS, strict=True):
        cast_code(session, opened.id, code, signer, {"budget": budget})
        session.commit()
    consultation = session.get(Consultation, opened.id)
    close_voting(session, consultation, "test")
    second_reader(session)
    tally_consultation(session=session, consultation=consultation, actor="test")
    publish_result(session=session, consultation=consultation, actor="second-reader")
    session.commit()
    budget = client.get(f"/api/v1/consultations/{opened.slug}/results").get_json()["questions"][0]
    assert "explanation" not in budget["details"]
    assert budget["explanation"]["share"] == "10"
    assert budget["explanation"]["rounds"][1]["price"] == "11/2"
    page = client.get(f"/consultations/{opened.slug}/results").get_data(as_text=True)
    chart = f"/consultations/{opened.slug}/results/budget/ballot-lengths.svg"
    alt = re.search(rf'<img class="chart" src="{chart}" alt="([^"]+)"', page).group(1)
    assert "Die meisten Stimmzettel wählten 2 Projekte" in unescape(alt)
    response = client.get(chart)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "2 Projekte" in response.get_data(as_text=True)
    assert (
        client.get(f"/consultations/{opened.slug}/results/schulze/ballot-lengths.png").status_code
        == 404
    )
