"""A participatory budget's ballot: costs, budget and total on the page, over-budget refused."""

from sqlalchemy import func, select

from ballots.models import Ballot, Participation
from tests.conftest import csrf_token, make_open_consultation

BUDGET = {
    "key": "budget",
    "text": "Welche Vorhaben sollen aus 100.000 € bezahlt werden?",
    "method": "pb_equal_shares",
    "params": {"budget": 100_000, "costs": {"a": 60_000, "b": 30_000, "c": 50_000}},
    "options": [
        {"key": "a", "label": "Wasserspielplatz"},
        {"key": "b", "label": "Trinkbrunnen"},
        {"key": "c", "label": "Sonnensegel"},
    ],
}


def stored(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    session.rollback()  # read what the requests committed, not an older snapshot
    ballots = session.execute(select(func.count()).select_from(Ballot)).scalar()
    marks = session.execute(select(func.count()).select_from(Participation)).scalar()
    return ballots, marks


def test_ballot_shows_each_cost_the_budget_and_the_total(client, session):
    opened = make_open_consultation(session, questions=[BUDGET])
    page = client.get(f"/consultations/{opened.slug}/vote").get_data(as_text=True)
    assert 'Wasserspielplatz <span class="cost">(60.000 €)</span>' in page
    assert 'Trinkbrunnen <span class="cost">(30.000 €)</span>' in page
    assert "Budget: 100.000 €." in page
    assert "Ihre Auswahl: 0 € von 100.000 €." in page
    # The running total is an aid that the page loads; it works without it.
    assert "budget-total.js" in page


def test_over_budget_choice_is_refused_without_javascript(client, session):
    opened = make_open_consultation(session, questions=[BUDGET])
    url = f"/consultations/{opened.slug}/vote"
    data = {"csrf_token": csrf_token(client, url), "code": opened.codes[0]}
    response = client.post(url, data={**data, "q_budget": ["a", "c"]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert (
        "Die gewählten Projekte kosten zusammen 110.000 €, mehr als das Budget von 100.000 €. "
        "Bitte wählen Sie weniger oder günstigere Projekte." in page
    )
    # The page shows the refused choice's total, so the resident sees what to change.
    assert "Ihre Auswahl: 110.000 € von 100.000 €." in page
    assert stored(session) == (0, 0)
    # The same code then casts a choice within the budget.
    response = client.post(url, data={**data, "q_budget": ["a", "b"]})
    assert response.status_code == 200
    assert stored(session) == (1, 1)
