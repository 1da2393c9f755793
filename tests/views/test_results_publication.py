"""Every counting method from ballot form to published page, downloads, embed and API."""

import csv
import io
import json

import pytest
from sqlmodel import Session, select
from werkzeug.datastructures import MultiDict

from ballots.definition import find_definition
from ballots.forms import ballot_form_class
from ballots.models import Ballot
from results.pabulib import read_pb
from results.services import publish_result, tally_consultation
from tests.conftest import (
    cast_code,
    close_voting,
    csrf_token,
    make_open_consultation,
    second_reader,
)
from voting.core.models import Consultation

OPTIONS = [
    {"key": k, "label": label}
    for k, label in [("rad", "Radweg"), ("bus", "Buslinie"), ("bahn", "Straßenbahn")]
]
GRADES = ["Ablehnen", "Ausreichend", "Gut", "Sehr gut"]


def question(key: str, method: str, **params):  # type: ignore[no-untyped-def]
    return {
        "key": key,
        "text": f"Frage {key}",
        "method": method,
        "params": params,
        "options": OPTIONS,
    }


QUESTIONS = [
    {
        "key": "ja",
        "text": "Soll gebaut werden?",
        "method": "yes_no",
        "params": {"quorum": "rlp_buergerentscheid"},
    },
    question("borda", "borda"),
    question("schulze", "schulze"),
    question("irv", "irv"),
    question("stv", "stv", seats=2),
    question("mj", "majority_judgment", grades=GRADES),
    question("score", "score", grades=GRADES),
    question(
        "pb",
        "pb_equal_shares",
        budget=100_000,
        costs={"rad": 60_000, "bus": 30_000, "bahn": 50_000},
    ),
    question(
        "greedy", "pb_greedy", budget=100_000, costs={"rad": 60_000, "bus": 30_000, "bahn": 50_000}
    ),
]

RANKINGS = [
    ["rad", "bus", "bahn"],
    ["bus", "rad"],
    ["bahn", "bus", "rad"],
    ["rad"],
    ["bus", "bahn"],
]


def answers(i: int) -> dict:
    ranking = RANKINGS[i % len(RANKINGS)]
    return {
        "ja": "yes" if i % 3 else "no",
        **{key: ranking for key in ("borda", "schulze", "irv", "stv")},
        "mj": {"rad": i % 4, "bus": 2, "bahn": 1},
        "score": {"rad": i % 4, "bus": 2},
        "pb": ranking[:2],
        "greedy": ranking[:2],
    }


def publish(session: Session, consultation_id: int) -> None:
    consultation = session.get(Consultation, consultation_id)
    close_voting(session, consultation, "test")
    second_reader(session)
    tally_consultation(session=session, consultation=consultation, actor="test")
    publish_result(session=session, consultation=consultation, actor="second-reader")
    session.commit()


@pytest.fixture
def counted(session, signer):  # type: ignore[no-untyped-def]
    """A consultation with a question of every method, 12 ballots, tallied; not published."""
    opened = make_open_consultation(session, voters=14, questions=QUESTIONS)
    for i, code in enumerate(opened.codes[:12]):
        cast_code(session, opened.id, code, signer, answers(i))
        session.commit()
    return opened


def test_a_ranking_is_entered_as_a_rank_per_option(client, session):
    opened = make_open_consultation(session, voters=2, questions=QUESTIONS)
    url = f"/consultations/{opened.slug}/vote"
    page = client.get(url).get_data(as_text=True)
    assert page.count('name="q_irv"') == 3 and 'value="rad:1"' in page and 'value="bus:3"' in page
    assert "Geben Sie Ihrer ersten Wahl Rang 1" in page
    data = {"csrf_token": csrf_token(client, url), "code": opened.codes[0]}
    twice = client.post(url, data={**data, "q_irv": ["rad:1", "bus:1", ""]})
    assert twice.status_code == 400
    assert "Bitte vergeben Sie jeden Rang nur einmal" in twice.get_data(as_text=True)
    response = client.post(url, data={**data, "q_irv": ["rad:2", "", "bahn:1"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    ballot = session.exec(select(Ballot.content)).one()
    assert json.loads(ballot)["irv"] == ["bahn", "rad"]


def test_the_receipt_page_repeats_grades_and_ranks_as_recorded(client, session):
    opened = make_open_consultation(session, voters=1, questions=QUESTIONS)
    url = f"/consultations/{opened.slug}/vote"
    data = {
        "csrf_token": csrf_token(client, url),
        "code": opened.codes[0],
        "q_mj": ["rad:3", "bus:0", ""],
        "q_irv": ["rad:2", "", "bahn:1"],
    }
    response = client.post(url, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "Radweg: Sehr gut" in page and "Buslinie: Ablehnen" in page
    assert page.index("Straßenbahn") < page.index("Radweg")


def test_grades_are_entered_as_a_grade_per_option(app, session):
    opened = make_open_consultation(session, voters=1, questions=QUESTIONS)
    consultation = find_definition(session=session, consultation_id=opened.id)
    data = MultiDict([("q_mj", "rad:3"), ("q_mj", "bus:0"), ("q_mj", "")])
    with app.test_request_context(method="POST", data=data):
        form_class = ballot_form_class(consultation)
        form = form_class(meta={"csrf": False})
        assert form.q_mj.data == {"rad": 3, "bus": 0}
        assert ">Sehr gut<" in str(next(iter(form.q_mj))())
    with app.test_request_context(method="POST", data={"q_mj": "rad:7"}):
        form = form_class(meta={"csrf": False})
        assert not form.validate() and form.q_mj.errors


def test_nothing_leaves_the_server_before_publication(client, session, counted):
    consultation = session.get(Consultation, counted.id)
    close_voting(session, consultation, "test")
    tally_consultation(session=session, consultation=consultation, actor="test")
    session.commit()
    slug = counted.slug
    for url in [
        f"/consultations/{slug}/results",
        f"/consultations/{slug}/results/irv.svg",
        f"/consultations/{slug}/results/irv.csv",
        f"/consultations/{slug}/results/irv.json",
        f"/consultations/{slug}/results/pb.pb",
        f"/consultations/{slug}/turnout.png",
        f"/embed/{slug}/irv",
        f"/api/v1/consultations/{slug}/results",
    ]:
        assert client.get(url).status_code == 404, url
    listed = client.get("/api/v1/consultations").get_json()["consultations"]
    assert [(c["slug"], c["status"], c["results"]) for c in listed] == [(slug, "tallied", None)]


def test_published_page_explains_every_question_in_words_first(client, session, counted):
    publish(session, counted.id)
    html = client.get(f"/consultations/{counted.slug}/results").get_data(as_text=True)
    # 12 of 14 eligible voted; yes 8, no 4: 66,7 % yes; 15 % of 14 is 2,1 → 3 votes needed.
    assert "Angenommen: 66,7 % Ja; Quorum von 15 % erreicht (3 Stimmen)" in html
    assert "Gewählt (2 Sitze):" in html
    assert "Gefördert: " in html and "von 100.000 €" in html
    assert html.count('<img class="chart"') >= len(QUESTIONS)
    # 12 ballots in one district: at least the minimum of 3 given at the tally.
    assert "Innenstadt" in html and "nicht angezeigt" not in html


def test_downloads_carry_the_same_numbers(client, session, counted):
    publish(session, counted.id)
    slug = counted.slug
    table = client.get(f"/consultations/{slug}/results/ja.csv")
    assert table.headers["Content-Disposition"] == f'attachment; filename="{slug}-ja.csv"'
    rows = list(
        csv.reader(io.StringIO(table.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows == [
        ["Antwort", "Stimmen", "Anteil"],
        ["Ja", "8", "66,7 %"],
        ["Nein", "4", "33,3 %"],
    ]
    detail = client.get(f"/consultations/{slug}/results/irv.json").get_json()
    assert detail["method"] == "irv" and detail["details"]["rounds"][0]["votes"]
    first, second = (
        client.get(f"/consultations/{slug}/results/schulze.svg").data for _ in range(2)
    )
    assert first == second and b">Radweg<" in first  # text kept as text
    pb = read_pb(client.get(f"/consultations/{slug}/results/pb.pb").get_data(as_text=True))
    assert len(list(pb.ballots())) == 12 and pb.budget == 100_000
    assert client.get(f"/consultations/{slug}/results/irv.pb").status_code == 404
    png = client.get(f"/consultations/{slug}/results/mj.png").data
    assert png.startswith(b"\x89PNG")


def test_embed_page_may_be_framed_and_api_lists_the_result(client, session, counted):
    publish(session, counted.id)
    embed = client.get(f"/embed/{counted.slug}/pb")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    page = client.get(f"/consultations/{counted.slug}/results")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    (item,) = client.get("/api/v1/consultations").get_json()["consultations"]
    assert item["results"].endswith(f"/api/v1/consultations/{counted.slug}/results")
    data = client.get(f"/api/v1/consultations/{counted.slug}/results").get_json()
    # Ties are drawn from the final log root, which anyone can read in the public log.
    assert (
        data["lot_seed"]
        == client.get(f"/api/v1/consultations/{counted.slug}/log").get_json()["root_hash"]
    )
    assert data["turnout"]["by_district"][0]["ballots"] == 12


def test_a_result_without_any_ballot_is_published_and_shown(client, session):
    opened = make_open_consultation(session, voters=3, questions=QUESTIONS)
    publish(session, opened.id)
    page = client.get(f"/consultations/{opened.slug}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "0 von 3" in html and "Keine Stimmen" in html
    for key in ("ja", "borda", "schulze", "irv", "stv", "mj", "score", "pb", "greedy"):
        assert client.get(f"/consultations/{opened.slug}/results/{key}.svg").status_code == 200


@pytest.mark.parametrize(
    ("votes", "said"),
    [
        (["yes", "no"], "Stimmengleichheit: Die Frage gilt als mit Nein beantwortet"),
        (["abstain", None], "Nicht entschieden: Niemand hat mit Ja oder Nein gestimmt"),
    ],
)
def test_a_yes_no_tie_counts_as_no_and_no_votes_decide_nothing(
    client, session, signer, votes, said
):  # type: ignore[no-untyped-def]
    opened = make_open_consultation(session, voters=2, questions=QUESTIONS[:1])
    for code, vote in zip(opened.codes, votes, strict=True):
        cast_code(session, opened.id, code, signer, {"ja": vote})
        session.commit()
    publish(session, opened.id)
    page = client.get(f"/consultations/{opened.slug}/results").get_data(as_text=True)
    assert said in page
    result = client.get(f"/api/v1/consultations/{opened.slug}/results").get_json()
    question = result["questions"][0]
    assert question["winners"] == (["no"] if "yes" in votes else [])
